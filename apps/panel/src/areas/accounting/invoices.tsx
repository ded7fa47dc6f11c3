import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { api, apiHas, unwrap, type Item } from '../../api/client';
import { decimalToCents } from '../../api/money';
import { usePagedList } from '../../api/lists';
import { ConfirmButton, Empty, Field, FormError, formValues, MoreButton, Notice, Page, QueryState, Section, SelectField, TableWrap } from '../../components/ui';
import { useFormat, useT } from '../../i18n/i18n';
import { INVOICE_STATUS, InvoiceStatus, useAllOrganizations, type Invoice } from './common';
import { AddLinesToDraft } from './drafts';

type InvoiceRow = Item<'/api/v1/invoices'>;
const FILTERS = ['period', 'status', 'kind', 'organizationId', 'billingRunId'] as const;

/** Invoices and credit notes, filtered by period, status, kind and customer (the filters live in the address). */
export function InvoicesPage() {
  const t = useT();
  const format = useFormat();
  const [params, setParams] = useSearchParams();
  const organizations = useAllOrganizations();
  const filters = Object.fromEntries(FILTERS.map((name) => [name, params.get(name) ?? ''])) as Record<(typeof FILTERS)[number], string>;
  const query = Object.fromEntries(Object.entries(filters).filter(([, value]) => value)) as Record<string, string>;
  const invoices = usePagedList<InvoiceRow>(['invoices', query], (cursor) =>
    unwrap(api.GET('/api/v1/invoices', { params: { query: { limit: 50, ...(query as object), ...(cursor ? { cursor } : {}) } } })),
  );
  return (
    <Page
      title={t('invoices.title')}
      actions={
        <>
          <Link to="/accounting/runs">{t('nav.billingRuns')}</Link>
          <Link className="button" to="/accounting/invoices/new">
            {t('draft.new')}
          </Link>
        </>
      }
    >
      <Section title={t('invoices.filters')}>
        <form
          className="inline-form"
          key={params.toString()}
          onSubmit={(event) => {
            event.preventDefault();
            const values = formValues(event.currentTarget);
            const next = new URLSearchParams();
            for (const name of FILTERS) if (values[name]) next.set(name, values[name]!);
            setParams(next);
          }}
        >
          <Field label={t('invoices.period')} name="period" type="month" defaultValue={filters.period} />
          <SelectField
            label={t('common.status')}
            name="status"
            defaultValue={filters.status}
            options={[{ value: '', label: t('common.all') }, ...(['draft', 'posted', 'paid', 'void'] as const).map((value) => ({ value, label: t(INVOICE_STATUS[value]) }))]}
          />
          <SelectField
            label={t('invoices.kind')}
            name="kind"
            defaultValue={filters.kind}
            options={[
              { value: '', label: t('common.all') },
              { value: 'invoice', label: t('invoice.invoice') },
              { value: 'credit_note', label: t('invoice.creditNote') },
            ]}
          />
          <SelectField
            label={t('invoices.customer')}
            name="organizationId"
            defaultValue={filters.organizationId}
            options={[{ value: '', label: t('common.all') }, ...(organizations.data ?? []).map((o) => ({ value: o.id, label: o.name }))]}
          />
          {filters.billingRunId ? <input type="hidden" name="billingRunId" value={filters.billingRunId} /> : null}
          <button type="submit">{t('invoices.apply')}</button>
        </form>
        {filters.billingRunId ? (
          <p>
            {t('invoices.ofRun')} <Link to={`/accounting/invoices?${new URLSearchParams(Object.entries(query).filter(([name]) => name !== 'billingRunId')).toString()}`}>{t('invoices.allRuns')}</Link>
          </p>
        ) : null}
      </Section>
      <Section title={t('invoices.list')}>
        {invoices.isPending || invoices.error ? (
          <QueryState error={invoices.error} isPending={invoices.isPending} />
        ) : invoices.items.length === 0 ? (
          <Empty>{t('invoices.empty')}</Empty>
        ) : (
          <TableWrap>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('invoice.number')}</th>
                  <th scope="col">{t('invoices.customer')}</th>
                  <th scope="col">{t('invoice.issueDate')}</th>
                  <th scope="col">{t('common.status')}</th>
                  <th scope="col" className="num">
                    {t('invoice.total')}
                  </th>
                  <th scope="col" className="num">
                    {t('invoice.balance')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {invoices.items.map((invoice) => (
                  <tr key={invoice.id} data-invoice={invoice.id}>
                    <th scope="row">
                      <Link to={`/accounting/invoices/${invoice.id}`}>{invoice.number ?? t('invoice.draftOf', { customer: invoice.customerName })}</Link>
                    </th>
                    <td>{invoice.customerName}</td>
                    <td>{format.day(invoice.issueDate)}</td>
                    <td>
                      <InvoiceStatus invoice={invoice} />
                    </td>
                    <td className="num">{format.amount(invoice.total)}</td>
                    <td className="num">{format.amount(invoice.balance)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
        <MoreButton hasMore={invoices.hasNextPage} loading={invoices.isFetchingNextPage} onClick={() => invoices.fetchNextPage()} />
        <p>
          <a href={`/api/v1/invoices?${new URLSearchParams({ ...query, format: 'csv' }).toString()}`} download>
            {t('invoices.csv')}
          </a>
        </p>
      </Section>
    </Page>
  );
}

/** The lines, taxes and totals of an invoice, as on its PDF. */
export function InvoiceBody({ invoice }: { invoice: Invoice }) {
  const t = useT();
  const format = useFormat();
  return (
    <TableWrap>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('invoice.description')}</th>
            <th scope="col" className="num">
              {t('invoice.quantity')}
            </th>
            <th scope="col" className="num">
              {t('invoice.unitPrice')}
            </th>
            <th scope="col" className="num">
              {t('invoice.amount')}
            </th>
          </tr>
        </thead>
        <tbody>
          {(invoice.lines ?? []).map((line) => (
            <tr key={line.id}>
              <td className="wrap">{line.description}</td>
              <td className="num">{format.hours(line.quantity)}</td>
              <td className="num">{format.amount(line.unitPrice)}</td>
              <td className="num">{format.amount(line.amount)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={3}>
              {t('invoice.subtotal')}
            </th>
            <td className="num">{format.amount(invoice.subtotal)}</td>
          </tr>
          {invoice.taxes.map((tax) => (
            <tr key={tax.tax}>
              <th scope="row" colSpan={3}>
                {t(tax.tax === 'gst' ? 'invoice.gst' : 'invoice.qst')}
                {tax.rate ? ` (${format.rate(tax.rate)})` : ''}
              </th>
              <td className="num">{format.amount(tax.amount)}</td>
            </tr>
          ))}
          <tr>
            <th scope="row" colSpan={3}>
              {t('invoice.total')}
            </th>
            <td className="num">{format.amount(invoice.total)}</td>
          </tr>
        </tfoot>
      </table>
    </TableWrap>
  );
}

/** An invoice's PDF, as the API renders it (in the customer's language): the browser downloads it with the session. */
export function PdfLink({ invoice }: { invoice: Pick<Invoice, 'id' | 'number' | 'kind'> }) {
  const t = useT();
  return (
    <a className="button" href={`/api/v1/invoices/${invoice.id}/pdf`} download={`${invoice.number ?? invoice.id}.pdf`}>
      {t('invoice.pdf')}
      <span className="visually-hidden"> {invoice.number ?? ''}</span>
    </a>
  );
}

/** One invoice: its lines and totals, what was paid and credited, and what an accountant may do with it. */
export function InvoicePage() {
  const t = useT();
  const format = useFormat();
  const client = useQueryClient();
  const { invoiceId = '' } = useParams();
  const [nextOpen, setNextOpen] = useState(false);
  const key = ['invoice', invoiceId];
  const invoice = useQuery({ queryKey: key, queryFn: () => unwrap(api.GET('/api/v1/invoices/{id}', { params: { path: { id: invoiceId } } })) });
  const credited = useQuery({
    queryKey: ['invoices', 'credits-of', invoiceId],
    enabled: invoice.data?.kind === 'invoice' && invoice.data.status !== 'draft',
    queryFn: async () =>
      (await unwrap(api.GET('/api/v1/invoices', { params: { query: { organizationId: invoice.data!.organizationId, kind: 'credit_note', limit: 200 } } }))).data.filter((note) => note.creditsInvoiceId === invoiceId),
  });
  const settle = (answer: Invoice) => {
    client.setQueryData(key, answer);
    return client.invalidateQueries({ queryKey: ['invoices'] });
  };
  const whenClosed = nextOpen ? ('next_open' as const) : ('refuse' as const);
  const post = useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/invoices/{id}/post', { params: { path: { id: invoiceId } }, body: { whenClosed } })), onSuccess: settle });
  const voidIt = useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/invoices/{id}/void', { params: { path: { id: invoiceId } }, body: { whenClosed } })), onSuccess: settle });
  const credit = useMutation({
    mutationFn: (memo: string) => unwrap(api.POST('/api/v1/invoices/{id}/credit-notes', { params: { path: { id: invoiceId } }, body: { whenClosed, ...(memo ? { memo } : {}) } })),
    onSuccess: () => Promise.all([client.invalidateQueries({ queryKey: key }), client.invalidateQueries({ queryKey: ['invoices'] })]),
  });
  const remove = useMutation({ mutationFn: () => unwrap(api.DELETE('/api/v1/invoices/{id}', { params: { path: { id: invoiceId } } })), onSuccess: () => client.invalidateQueries({ queryKey: ['invoices'] }) });

  if (!invoice.data) return <QueryState error={invoice.error} isPending={invoice.isPending} />;
  const data = invoice.data;
  const title = data.number ? t(data.kind === 'credit_note' ? 'invoice.creditNoteTitle' : 'invoice.title', { number: data.number }) : t('invoice.draftOf', { customer: data.customerName });
  if (remove.isSuccess)
    return (
      <Page title={title}>
        <Notice tone="success">{t('invoice.deleted')}</Notice>
        <p>
          <Link to="/accounting/invoices">{t('invoice.back')}</Link>
        </p>
      </Page>
    );
  const mayVoid = data.kind === 'invoice' && data.status === 'posted' && decimalToCents(data.paid) === 0 && decimalToCents(data.credited) === 0;
  const mayCredit = data.kind === 'invoice' && (data.status === 'posted' || data.status === 'paid') && decimalToCents(data.credited) < decimalToCents(data.total);
  return (
    <Page title={title} actions={data.status !== 'draft' ? <PdfLink invoice={data} /> : null}>
      <p>
        <Link to="/accounting/invoices">{t('invoice.back')}</Link>
      </p>
      {credit.data ? <Notice tone="success">{t('invoice.creditDone', { number: credit.data.number ?? '' })}</Notice> : null}
      <Section title={t('invoice.summary')}>
        <dl className="details">
          <dt>{t('invoices.customer')}</dt>
          <dd>{data.customerName}</dd>
          <dt>{t('common.status')}</dt>
          <dd>
            <InvoiceStatus invoice={data} />
          </dd>
          <dt>{t('invoice.issueDate')}</dt>
          <dd>{format.day(data.issueDate)}</dd>
          {data.kind === 'invoice' ? (
            <>
              <dt>{t('invoice.dueDate')}</dt>
              <dd>{format.day(data.dueDate)}</dd>
            </>
          ) : null}
          {data.billingPeriod ? (
            <>
              <dt>{t('invoices.period')}</dt>
              <dd>{format.month(data.billingPeriod)}</dd>
            </>
          ) : null}
          {data.creditsInvoiceId ? (
            <>
              <dt>{t('invoice.credits')}</dt>
              <dd>
                <Link to={`/accounting/invoices/${data.creditsInvoiceId}`}>{t('invoice.creditedInvoice')}</Link>
              </dd>
            </>
          ) : null}
          {data.memo ? (
            <>
              <dt>{t('invoice.memo')}</dt>
              <dd className="wrap">{data.memo}</dd>
            </>
          ) : null}
          {data.taxExemption ? (
            <>
              <dt>{t('invoice.exempt')}</dt>
              <dd>{`${data.taxExemption.reason} (${data.taxExemption.number})`}</dd>
            </>
          ) : null}
        </dl>
      </Section>
      <Section title={t('invoice.lines')}>
        <InvoiceBody invoice={data} />
        {data.kind === 'invoice' && data.status !== 'draft' ? (
          <dl className="figures">
            <div>
              <dt>{t('invoice.paid')}</dt>
              <dd>{format.amount(data.paid)}</dd>
            </div>
            <div>
              <dt>{t('invoice.credited')}</dt>
              <dd>{format.amount(data.credited)}</dd>
            </div>
            <div>
              <dt>{t('invoice.balance')}</dt>
              <dd data-balance>{format.amount(data.balance)}</dd>
            </div>
          </dl>
        ) : null}
        {credited.data && credited.data.length > 0 ? (
          <ul className="plain-list">
            {credited.data.map((note) => (
              <li key={note.id}>
                <Link to={`/accounting/invoices/${note.id}`}>{t('invoice.creditNoteTitle', { number: note.number ?? '' })}</Link> · {format.amount(note.total)}
              </li>
            ))}
          </ul>
        ) : null}
      </Section>
      {data.status === 'draft' && apiHas('post /api/v1/invoices/{id}/lines') ? <AddLinesToDraft invoiceId={data.id} onAdded={settle} /> : null}
      {data.status === 'draft' || mayVoid || mayCredit ? (
        <Section title={t('invoice.actions')}>
          <FormError error={post.error ?? voidIt.error ?? credit.error ?? remove.error} />
          <div className="field field-check">
            <input type="checkbox" id="next-open" checked={nextOpen} onChange={(event) => setNextOpen(event.target.checked)} aria-describedby="next-open-hint" />
            <label htmlFor="next-open">{t('invoice.nextOpen')}</label>
            <p className="hint" id="next-open-hint">
              {t('invoice.nextOpenHint')}
            </p>
          </div>
          <div className="actions">
            {data.status === 'draft' ? (
              <>
                <button type="button" className="primary" onClick={() => post.mutate()} disabled={post.isPending}>
                  {t('invoice.post')}
                </button>
                <ConfirmButton label={t('invoice.delete')} confirmLabel={t('invoice.confirmDelete')} onConfirm={() => remove.mutate()} />
              </>
            ) : null}
            {mayVoid ? <ConfirmButton label={t('invoice.void')} confirmLabel={t('invoice.confirmVoid', { number: data.number ?? '' })} onConfirm={() => voidIt.mutate()} /> : null}
          </div>
          {data.status === 'draft' ? <p className="hint">{t('invoice.postHint')}</p> : null}
          {mayCredit ? (
            <form
              onSubmit={(event) => {
                event.preventDefault();
                credit.mutate(formValues(event.currentTarget).memo ?? '');
              }}
            >
              <Field label={t('invoice.creditMemo')} name="memo" hint={t('invoice.creditHint')} />
              <button type="submit" disabled={credit.isPending}>
                {t('invoice.credit')}
              </button>
            </form>
          ) : null}
        </Section>
      ) : null}
    </Page>
  );
}
