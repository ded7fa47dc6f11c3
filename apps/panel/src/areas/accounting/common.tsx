import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type ApiAnswer } from '../../api/client';
import { useT, type MessageId } from '../../i18n/i18n';

export type Invoice = ApiAnswer<'/api/v1/invoices/{id}'>;
export type BillingRun = ApiAnswer<'/api/v1/billing-runs/{id}'>;

export const INVOICE_STATUS: Record<Invoice['status'], MessageId> = {
  draft: 'invoice.status.draft',
  posted: 'invoice.status.posted',
  paid: 'invoice.status.paid',
  void: 'invoice.status.void',
};

export function InvoiceStatus({ invoice }: { invoice: Pick<Invoice, 'status' | 'kind'> }) {
  const t = useT();
  return (
    <span className={`badge badge-invoice-${invoice.status}`} data-status={invoice.status}>
      {invoice.kind === 'credit_note' ? `${t('invoice.creditNote')} · ` : ''}
      {t(INVOICE_STATUS[invoice.status])}
    </span>
  );
}

/** Every organisation, for pickers and names (staff see them all). */
export function useAllOrganizations() {
  return useQuery({
    queryKey: ['organizations', 'all'],
    queryFn: async () => (await unwrap(api.GET('/api/v1/organizations', { params: { query: { limit: 200 } } }))).data,
    staleTime: 60_000,
  });
}
