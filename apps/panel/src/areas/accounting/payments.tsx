import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap, type Item } from '../../api/client';
import { useIdempotencyKey } from '../../api/idempotency';
import { usePagedList } from '../../api/lists';
import { decimalToCents, MONEY } from '../../api/money';
import { todayIso } from '../../components/dates';
import { Empty, Field, fieldError, FormError, formValues, MoreButton, Notice, Page, QueryState, Section, SelectField, TableWrap, useNumberReader } from '../../components/ui';
import { useFormat, useT, type MessageId } from '../../i18n/i18n';
import { useAllOrganizations } from './common';

type PaymentRow = Item<'/api/v1/payments'>;
type BankLine = Item<'/api/v1/bank-statement-lines'>;
type InvoiceRow = Item<'/api/v1/invoices'>;

const METHODS = ['transfer', 'cheque', 'card', 'cash', 'other'] as const;
const METHOD_LABELS: Record<(typeof METHODS)[number], MessageId> = {
  transfer: 'payment.method.transfer',
  cheque: 'payment.method.cheque',
  card: 'payment.method.card',
  cash: 'payment.method.cash',
  other: 'payment.method.other',
};
const BANK_STATUS: Record<BankLine['status'], MessageId> = {
  unmatched: 'bank.status.unmatched',
  proposed: 'bank.status.proposed',
  confirmed: 'bank.status.confirmed',
  ignored: 'bank.status.ignored',
};

const centsText = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

/** Posted invoices with something left to pay: what a payment or a deposit can settle. */
function useOpenInvoices() {
  return useQuery({
    queryKey: ['invoices', 'open'],
    queryFn: async () => (await unwrap(api.GET('/api/v1/invoices', { params: { query: { status: 'posted', kind: 'invoice', limit: 200 } } }))).data.filter((invoice) => decimalToCents(invoice.balance) > 0),
  });
}

function invoiceOption(invoice: InvoiceRow, format: ReturnType<typeof useFormat>, t: ReturnType<typeof useT>) {
  return { value: invoice.id, label: t('payments.invoiceOption', { number: invoice.number ?? '', customer: invoice.customerName, balance: format.amount(invoice.balance) }) };
}

/** Payments: record one (and settle an invoice with it), allocate what a payment still holds, match a bank statement's deposits. */
export function PaymentsPage() {
  const t = useT();
  const format = useFormat();
  const client = useQueryClient();
  const organizations = useAllOrganizations();
  const openInvoices = useOpenInvoices();
  const [customer, setCustomer] = useState('');
  const idempotency = useIdempotencyKey();
  const names = new Map((organizations.data ?? []).map((o) => [o.id, o.name]));
  const refresh = () => Promise.all([client.invalidateQueries({ queryKey: ['payments'] }), client.invalidateQueries({ queryKey: ['invoices'] }), client.invalidateQueries({ queryKey: ['bank-lines'] })]);
  const payments = usePagedList<PaymentRow>(['payments'], (cursor) => unwrap(api.GET('/api/v1/payments', { params: { query: { limit: 50, ...(cursor ? { cursor } : {}) } } })));
  const numbers = useNumberReader();
  const record = useMutation({
    mutationFn: ({ invoice, ...typed }: { organizationId: string; method: (typeof METHODS)[number]; reference: string; amount: string; receivedOn: string; invoice: InvoiceRow | undefined }) => {
      const read = numbers();
      const amount = read.decimal('amount', typed.amount, { ...MONEY, positive: true });
      read.check();
      // What the payment settles of the invoice chosen: up to what it owes, the rest stays a credit.
      const allocations = invoice ? [{ invoiceId: invoice.id, amount: centsText(Math.min(decimalToCents(amount), decimalToCents(invoice.balance))) }] : [];
      return unwrap(api.POST('/api/v1/payments', { body: { ...typed, amount, allocations, whenClosed: 'refuse' }, headers: idempotency.headers }));
    },
    onSuccess: () => {
      idempotency.renew();
      return refresh();
    },
  });
  const customerInvoices = (openInvoices.data ?? []).filter((invoice) => invoice.organizationId === customer);
  return (
    <Page title={t('payments.title')}>
      <Section title={t('payments.record')}>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const form = event.currentTarget;
            const values = formValues(form);
            const invoice = customerInvoices.find((candidate) => candidate.id === values.invoiceId);
            record.mutate(
              { organizationId: values.organizationId ?? '', method: (values.method ?? 'transfer') as (typeof METHODS)[number], reference: values.reference ?? '', amount: values.amount ?? '', receivedOn: values.receivedOn ?? '', invoice },
              {
                onSuccess: () => {
                  form.reset();
                  setCustomer('');
                },
              },
            );
          }}
        >
          <FormError error={record.error && !['organizationId', 'reference', 'amount', 'receivedOn'].some((f) => fieldError(record.error, f)) ? record.error : null} />
          <div className="form-row">
            <SelectField
              label={t('invoices.customer')}
              name="organizationId"
              required
              value={customer}
              onChange={(event) => setCustomer(event.target.value)}
              error={fieldError(record.error, 'organizationId')}
              options={[{ value: '', label: t('payments.chooseCustomer') }, ...(organizations.data ?? []).map((o) => ({ value: o.id, label: o.name }))]}
            />
            <SelectField label={t('payments.method')} name="method" options={METHODS.map((value) => ({ value, label: t(METHOD_LABELS[value]) }))} />
          </div>
          <div className="form-row">
            <Field label={t('payments.reference')} name="reference" required hint={t('payments.referenceHint')} error={fieldError(record.error, 'reference')} autoComplete="off" />
            <Field label={t('payments.amount')} name="amount" required inputMode="decimal" autoComplete="off" hint={t('payments.amountHint')} error={fieldError(record.error, 'amount')} />
            <Field label={t('payments.receivedOn')} name="receivedOn" type="date" required defaultValue={todayIso()} error={fieldError(record.error, 'receivedOn')} />
          </div>
          <SelectField
            label={t('payments.applyTo')}
            name="invoiceId"
            disabled={!customer}
            hint={customer && customerInvoices.length === 0 ? t('payments.noOpenInvoice') : t('payments.applyToHint')}
            options={[{ value: '', label: t('payments.keepAsCredit') }, ...customerInvoices.map((invoice) => invoiceOption(invoice, format, t))]}
          />
          <button type="submit" className="primary" disabled={record.isPending}>
            {t('payments.submit')}
          </button>
          {record.data ? <Notice tone="success">{t('payments.recorded', { amount: format.amount(record.data.amount), credit: format.amount(record.data.unallocated) })}</Notice> : null}
        </form>
      </Section>
      <Section title={t('payments.list')}>
        {payments.isPending || payments.error ? (
          <QueryState error={payments.error} isPending={payments.isPending} />
        ) : payments.items.length === 0 ? (
          <Empty>{t('payments.empty')}</Empty>
        ) : (
          <TableWrap>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('payments.receivedOn')}</th>
                  <th scope="col">{t('invoices.customer')}</th>
                  <th scope="col">{t('payments.reference')}</th>
                  <th scope="col" className="num">
                    {t('payments.amount')}
                  </th>
                  <th scope="col">{t('payments.allocations')}</th>
                  <th scope="col" className="num">
                    {t('payments.unallocated')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {payments.items.map((payment) => (
                  <tr key={payment.id}>
                    <td>{format.day(payment.receivedOn)}</td>
                    <td>{names.get(payment.organizationId) ?? '—'}</td>
                    <th scope="row" className="wrap">
                      {payment.reference}
                      <span className="hint block">{t(METHOD_LABELS[payment.method])}</span>
                    </th>
                    <td className="num">{format.amount(payment.amount)}</td>
                    <td>
                      {payment.allocations.length === 0 ? (
                        '—'
                      ) : (
                        <ul className="plain-list compact">
                          {payment.allocations.map((allocation) => (
                            <li key={`${allocation.invoiceId}-${allocation.allocatedOn}`}>
                              <Link to={`/accounting/invoices/${allocation.invoiceId}`}>{allocation.invoiceNumber ?? t('payments.anInvoice')}</Link> · {format.amount(allocation.amount)}
                            </li>
                          ))}
                        </ul>
                      )}
                      {decimalToCents(payment.unallocated) > 0 ? <AllocateForm payment={payment} invoices={(openInvoices.data ?? []).filter((invoice) => invoice.organizationId === payment.organizationId)} onDone={refresh} /> : null}
                    </td>
                    <td className="num">{format.amount(payment.unallocated)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
        <MoreButton hasMore={payments.hasNextPage} loading={payments.isFetchingNextPage} onClick={() => payments.fetchNextPage()} />
      </Section>
      <BankStatement invoices={openInvoices.data ?? []} onDone={refresh} />
    </Page>
  );
}

/** What a payment still holds, applied to one of its customer's open invoices. */
function AllocateForm({ payment, invoices, onDone }: { payment: PaymentRow; invoices: InvoiceRow[]; onDone: () => Promise<unknown> }) {
  const t = useT();
  const format = useFormat();
  const allocate = useMutation({
    mutationFn: (invoice: InvoiceRow) =>
      unwrap(
        api.POST('/api/v1/payments/{id}/allocations', {
          params: { path: { id: payment.id } },
          body: { allocations: [{ invoiceId: invoice.id, amount: centsText(Math.min(decimalToCents(payment.unallocated), decimalToCents(invoice.balance))) }], whenClosed: 'refuse' },
        }),
      ),
    onSuccess: onDone,
  });
  if (invoices.length === 0) return null;
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        const invoice = invoices.find((candidate) => candidate.id === formValues(event.currentTarget).invoiceId);
        if (invoice) allocate.mutate(invoice);
      }}
    >
      <FormError error={allocate.error} />
      <SelectField label={t('payments.allocateTo', { reference: payment.reference })} name="invoiceId" options={invoices.map((invoice) => invoiceOption(invoice, format, t))} />
      <button type="submit" disabled={allocate.isPending}>
        {t('payments.allocate')}
      </button>
    </form>
  );
}

/** A bank statement's deposits, each with the open invoice it seems to pay: confirm, choose another, or set aside. */
function BankStatement({ invoices, onDone }: { invoices: InvoiceRow[]; onDone: () => Promise<unknown> }) {
  const t = useT();
  const format = useFormat();
  const client = useQueryClient();
  const lines = usePagedList<BankLine>(['bank-lines'], (cursor) => unwrap(api.GET('/api/v1/bank-statement-lines', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } })));
  const byId = new Map(invoices.map((invoice) => [invoice.id, invoice]));
  const importCsv = useMutation({
    mutationFn: (csv: string) => unwrap(api.POST('/api/v1/bank-statements', { body: { csv } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['bank-lines'] }),
  });
  const confirm = useMutation({
    mutationFn: ({ id, invoiceId }: { id: string; invoiceId?: string }) => unwrap(api.POST('/api/v1/bank-statement-lines/{id}/confirm', { params: { path: { id } }, body: { whenClosed: 'refuse', ...(invoiceId ? { invoiceId } : {}) } })),
    onSuccess: onDone,
  });
  const ignore = useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/api/v1/bank-statement-lines/{id}/ignore', { params: { path: { id } } })),
    onSuccess: onDone,
  });
  const pending = lines.items.filter((line) => line.status === 'proposed' || line.status === 'unmatched');
  return (
    <Section title={t('bank.title')}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const form = event.currentTarget;
          importCsv.mutate(formValues(form).csv ?? '', { onSuccess: () => form.reset() });
        }}
      >
        <FormError error={importCsv.error} />
        <div className="field">
          <label htmlFor="bank-csv">{t('bank.csv')}</label>
          <textarea id="bank-csv" name="csv" rows={4} required aria-describedby="bank-csv-hint" className="mono" />
          <p className="hint" id="bank-csv-hint">
            {t('bank.csvHint')}
          </p>
        </div>
        <button type="submit" disabled={importCsv.isPending}>
          {t('bank.import')}
        </button>
        {importCsv.data ? <Notice tone="success">{t('bank.imported', { count: importCsv.data.data.length })}</Notice> : null}
      </form>
      <h3 className="subheading">{t('bank.toMatch')}</h3>
      <FormError error={confirm.error ?? ignore.error} />
      {lines.isPending || lines.error ? (
        <QueryState error={lines.error} isPending={lines.isPending} />
      ) : pending.length === 0 ? (
        <Empty>{t('bank.empty')}</Empty>
      ) : (
        <ul className="cards">
          {pending.map((line) => {
            const proposed = line.proposedInvoiceId ? byId.get(line.proposedInvoiceId) : undefined;
            return (
              <li key={line.id} className="resource-card" data-bank-line={line.id}>
                <div className="resource-head">
                  <h4 className="wrap">{line.description}</h4>
                  <strong>{format.amount(line.amount)}</strong>
                </div>
                <p className="hint">
                  {t('bank.dated', { date: format.day(line.date) })} · <span className="badge">{t(BANK_STATUS[line.status])}</span>
                </p>
                {proposed ? <p>{t(line.matchReason === 'number' ? 'bank.byNumber' : 'bank.byAmount', { number: proposed.number ?? '', customer: proposed.customerName })}</p> : null}
                <form
                  onSubmit={(event) => {
                    event.preventDefault();
                    const invoiceId = formValues(event.currentTarget).invoiceId;
                    confirm.mutate({ id: line.id, ...(invoiceId ? { invoiceId } : {}) });
                  }}
                >
                  <SelectField
                    label={t('bank.invoiceFor', { description: line.description })}
                    name="invoiceId"
                    defaultValue={proposed?.id ?? ''}
                    options={[...(proposed ? [] : [{ value: '', label: t('bank.chooseInvoice') }]), ...invoices.map((invoice) => invoiceOption(invoice, format, t))]}
                  />
                  <div className="actions">
                    <button type="submit" className="primary" disabled={confirm.isPending}>
                      {t('bank.confirm')}
                    </button>
                    <button type="button" onClick={() => ignore.mutate(line.id)} disabled={ignore.isPending}>
                      {t('bank.ignore')}
                    </button>
                  </div>
                </form>
              </li>
            );
          })}
        </ul>
      )}
      <MoreButton hasMore={lines.hasNextPage} loading={lines.isFetchingNextPage} onClick={() => lines.fetchNextPage()} />
    </Section>
  );
}
