import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Item } from '../../api/client';
import { usePagedList } from '../../api/lists';
import { decimalToCents } from '../../api/money';
import { Empty, MoreButton, Page, QueryState, Section, TableWrap } from '../../components/ui';
import { useFormat, useT, type MessageId } from '../../i18n/i18n';
import { useOrganization } from './common';

type InvoiceRow = Item<'/api/v1/invoices'>;

const STATUS: Record<InvoiceRow['status'], MessageId> = {
  draft: 'invoice.status.draft',
  posted: 'invoice.status.posted',
  paid: 'invoice.status.paid',
  void: 'invoice.status.void',
};
const LINE_KINDS: Record<string, MessageId> = {
  invoice: 'invoice.invoice',
  credit_note: 'invoice.creditNote',
  payment: 'statement.payment',
};

/** The organisation's invoices (each a PDF to download) and its statement: what it owes, and how it came to that. */
export function ClientInvoicesPage() {
  const organization = useOrganization();
  const t = useT();
  const format = useFormat();
  const invoices = usePagedList<InvoiceRow>(['invoices', 'client', organization.id], (cursor) =>
    unwrap(api.GET('/api/v1/invoices', { params: { query: { organizationId: organization.id, limit: 50, ...(cursor ? { cursor } : {}) } } })),
  );
  const statement = useQuery({
    queryKey: ['statement', organization.id],
    queryFn: () => unwrap(api.GET('/api/v1/organizations/{id}/statement', { params: { path: { id: organization.id }, query: { format: 'json' } } })),
  });
  const balance = statement.data ? decimalToCents(statement.data.closingBalance) : 0;
  // Staff looking at the organisation also see its drafts: those are not the customer's yet.
  const issued = invoices.items.filter((invoice) => invoice.status !== 'draft');
  return (
    <Page title={t('billing.title')}>
      <Section title={t('statement.title')}>
        {statement.data ? (
          <>
            <dl className="figures">
              <div>
                <dt>{balance < 0 ? t('statement.credit') : t('statement.balance')}</dt>
                <dd data-balance={statement.data.closingBalance}>{format.money(Math.abs(balance))}</dd>
              </div>
            </dl>
            <p>{balance > 0 ? t('statement.owing', { date: format.day(statement.data.to) }) : balance < 0 ? t('statement.inCredit') : t('statement.settled')}</p>
            {statement.data.lines.length === 0 ? (
              <Empty>{t('statement.empty')}</Empty>
            ) : (
              <TableWrap>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('statement.date')}</th>
                      <th scope="col">{t('statement.what')}</th>
                      <th scope="col" className="num">
                        {t('invoice.amount')}
                      </th>
                      <th scope="col" className="num">
                        {t('statement.runningBalance')}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {statement.data.lines.map((line) => (
                      <tr key={`${line.kind}-${line.documentId}`}>
                        <td>{format.day(line.date)}</td>
                        <th scope="row" className="wrap">
                          {line.description}
                          <span className="hint block">{t(LINE_KINDS[line.kind] ?? 'invoice.invoice')}</span>
                        </th>
                        <td className="num">{format.amount(line.amount)}</td>
                        <td className="num">{format.amount(line.balance)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
            )}
          </>
        ) : (
          <QueryState error={statement.error} isPending={statement.isPending} />
        )}
      </Section>
      <Section title={t('billing.invoices')}>
        {invoices.isPending || invoices.error ? (
          <QueryState error={invoices.error} isPending={invoices.isPending} />
        ) : issued.length === 0 ? (
          <Empty>{t('billing.noInvoices')}</Empty>
        ) : (
          <TableWrap>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('invoice.number')}</th>
                  <th scope="col">{t('invoice.issueDate')}</th>
                  <th scope="col">{t('invoice.dueDate')}</th>
                  <th scope="col">{t('common.status')}</th>
                  <th scope="col" className="num">
                    {t('invoice.total')}
                  </th>
                  <th scope="col" className="num">
                    {t('invoice.balance')}
                  </th>
                  <th scope="col">
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {issued.map((invoice) => (
                  <tr key={invoice.id} data-invoice={invoice.number ?? invoice.id}>
                    <th scope="row">
                      {invoice.number}
                      {invoice.kind === 'credit_note' ? <span className="hint block">{t('invoice.creditNote')}</span> : null}
                    </th>
                    <td>{format.day(invoice.issueDate)}</td>
                    <td>{invoice.kind === 'invoice' ? format.day(invoice.dueDate) : '—'}</td>
                    <td>
                      <span className={`badge badge-invoice-${invoice.status}`}>{t(STATUS[invoice.status])}</span>
                    </td>
                    <td className="num">{format.amount(invoice.total)}</td>
                    <td className="num">{format.amount(invoice.balance)}</td>
                    <td>
                      <a href={`/api/v1/invoices/${invoice.id}/pdf`} download={`${invoice.number ?? invoice.id}.pdf`}>
                        {t('invoice.pdf')}
                        <span className="visually-hidden"> {invoice.number ?? ''}</span>
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
        <MoreButton hasMore={invoices.hasNextPage} loading={invoices.isFetchingNextPage} onClick={() => invoices.fetchNextPage()} />
      </Section>
    </Page>
  );
}
