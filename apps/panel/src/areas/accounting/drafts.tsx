import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, unwrap, type Item } from '../../api/client';
import { useIdempotencyKey } from '../../api/idempotency';
import { Field, fieldError, FormError, formValues, Notice, Page, Section, SelectField, useNumberReader, type NumberReader } from '../../components/ui';
import { useFormat, useT } from '../../i18n/i18n';
import { TAX_CODES } from './catalogue';
import { useAllOrganizations, type Invoice } from './common';

type BillingItem = Item<'/api/v1/billing-items'>;
/** A line as the API takes it: typed, or picked from the catalogue (priced on the invoice's day). */
export type LineInput = { description: string; quantity: string; unitPrice: string; taxCode: BillingItem['taxCode'] } | { itemCode: string; quantity: string; description?: string };

/** The catalogue's items a line can be picked from. */
function useSellableItems() {
  return useQuery({
    queryKey: ['billing-items'],
    queryFn: async () => (await unwrap(api.GET('/api/v1/billing-items'))).data,
    select: (items) => items.filter((item) => item.active && item.kind !== 'metered'),
    staleTime: 60_000,
  });
}

/** One line's fields: an item of the catalogue, or a description, quantity, unit price and tax. */
function LineFields({ index, count, error, items, onRemove }: { index: number; count: number; error: unknown; items: BillingItem[]; onRemove: () => void }) {
  const t = useT();
  const [itemCode, setItemCode] = useState('');
  const name = (field: string) => `lines.${index}.${field}`;
  return (
    <fieldset className="line-fields" data-line={index}>
      <legend>{t('draft.line', { number: index + 1 })}</legend>
      <div className="form-row">
        <SelectField
          label={t('draft.item')}
          name={name('itemCode')}
          value={itemCode}
          onChange={(event) => setItemCode(event.target.value)}
          error={fieldError(error, name('itemCode'))}
          options={[{ value: '', label: t('draft.typed') }, ...items.map((item) => ({ value: item.code, label: item.name }))]}
        />
        <Field label={t('invoice.quantity')} name={name('quantity')} inputMode="decimal" autoComplete="off" required defaultValue="1" error={fieldError(error, name('quantity'))} />
      </div>
      <Field label={t('invoice.description')} name={name('description')} autoComplete="off" required={!itemCode} hint={itemCode ? t('draft.itemDescriptionHint') : undefined} error={fieldError(error, name('description'))} />
      {itemCode ? null : (
        <div className="form-row">
          <Field label={t('invoice.unitPrice')} name={name('unitPrice')} inputMode="decimal" autoComplete="off" required hint={t('payments.amountHint')} error={fieldError(error, name('unitPrice'))} />
          <SelectField label={t('items.taxCode')} name={name('taxCode')} defaultValue="taxable" options={(Object.keys(TAX_CODES) as Array<keyof typeof TAX_CODES>).map((value) => ({ value, label: t(TAX_CODES[value]) }))} />
        </div>
      )}
      {count > 1 ? (
        <button type="button" className="link-button" onClick={onRemove}>
          {t('draft.removeLine', { number: index + 1 })}
        </button>
      ) : null}
    </fieldset>
  );
}

/** A line's fields as typed. */
type TypedLine = Record<'itemCode' | 'description' | 'quantity' | 'unitPrice' | 'taxCode', string>;

/** The lines typed, as the API takes them (numbers read by `read`, which names the fields it could not read). */
function readLines(lines: TypedLine[], read: NumberReader): LineInput[] {
  return lines.map((line, index) => {
    const quantity = read.decimal(`lines.${index}.quantity`, line.quantity);
    if (line.itemCode) return { itemCode: line.itemCode, quantity, ...(line.description ? { description: line.description } : {}) };
    return { description: line.description, quantity, unitPrice: read.decimal(`lines.${index}.unitPrice`, line.unitPrice), taxCode: (line.taxCode || 'taxable') as BillingItem['taxCode'] };
  });
}

/** Lines to type, one more on demand. */
export function LinesEditor({ error }: { error: unknown }) {
  const t = useT();
  const items = useSellableItems();
  // Each line keeps its own key: removing one does not shift what the others hold.
  const [keys, setKeys] = useState(() => [crypto.randomUUID()]);
  return (
    <>
      {keys.map((key, index) => (
        <LineFields key={key} index={index} count={keys.length} error={error} items={items.data ?? []} onRemove={() => setKeys((current) => current.filter((candidate) => candidate !== key))} />
      ))}
      <p>
        <button type="button" onClick={() => setKeys((current) => [...current, crypto.randomUUID()])}>
          {t('draft.addLine')}
        </button>
      </p>
    </>
  );
}

/** The lines a form holds as typed, in order (one per fieldset). */
function linesOf(form: HTMLFormElement): TypedLine[] {
  const values = formValues(form);
  return Array.from({ length: form.querySelectorAll('fieldset.line-fields').length }, (_, index) => {
    const field = (name: string) => values[`lines.${index}.${name}`] ?? '';
    return { itemCode: field('itemCode'), description: field('description'), quantity: field('quantity'), unitPrice: field('unitPrice'), taxCode: field('taxCode') };
  });
}

/** A draft invoice made by hand: a customer, lines typed or picked from the catalogue; posted later from its page. */
export function NewInvoicePage() {
  const t = useT();
  const navigate = useNavigate();
  const organizations = useAllOrganizations();
  const idempotency = useIdempotencyKey();
  const numbers = useNumberReader();
  const create = useMutation({
    mutationFn: ({ lines, ...typed }: { organizationId: string; issueDate?: string; memo?: string; lines: TypedLine[] }) => {
      const read = numbers();
      const body = { ...typed, lines: readLines(lines, read) };
      read.check();
      return unwrap(api.POST('/api/v1/invoices', { body, headers: idempotency.headers }));
    },
    onSuccess: (draft) => {
      idempotency.renew();
      navigate(`/accounting/invoices/${draft.id}`);
    },
  });
  return (
    <Page title={t('draft.title')} intro={<p>{t('draft.intro')}</p>}>
      <p>
        <Link to="/accounting/invoices">{t('invoice.back')}</Link>
      </p>
      <Section title={t('draft.details')}>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const form = event.currentTarget;
            const values = formValues(form);
            create.mutate({
              organizationId: values.organizationId ?? '',
              ...(values.issueDate ? { issueDate: values.issueDate } : {}),
              ...(values.memo ? { memo: values.memo } : {}),
              lines: linesOf(form),
            });
          }}
        >
          {/* Above the lines: "some fields need fixing" points down to them, anything else says what went wrong. */}
          <FormError error={create.error} />
          <div className="form-row">
            <SelectField
              label={t('invoices.customer')}
              name="organizationId"
              required
              error={fieldError(create.error, 'organizationId')}
              options={[{ value: '', label: t('payments.chooseCustomer') }, ...(organizations.data ?? []).map((o) => ({ value: o.id, label: o.name }))]}
            />
            <Field label={t('invoice.issueDate')} name="issueDate" type="date" hint={t('draft.issueDateHint')} error={fieldError(create.error, 'issueDate')} />
          </div>
          <Field label={t('invoice.memo')} name="memo" autoComplete="off" error={fieldError(create.error, 'memo')} />
          <LinesEditor error={create.error} />
          <button type="submit" className="primary" disabled={create.isPending}>
            {t('draft.submit')}
          </button>
        </form>
      </Section>
    </Page>
  );
}

/** Lines added to a draft after its own (which keep their source, period and account). */
export function AddLinesToDraft({ invoiceId, onAdded }: { invoiceId: string; onAdded: (invoice: Invoice) => unknown }) {
  const t = useT();
  const format = useFormat();
  const idempotency = useIdempotencyKey();
  // A new form (one empty line) once the lines are on the draft.
  const [round, setRound] = useState(0);
  const numbers = useNumberReader();
  const add = useMutation({
    mutationFn: (typed: TypedLine[]) => {
      const read = numbers();
      const lines = readLines(typed, read);
      read.check();
      return unwrap(api.POST('/api/v1/invoices/{id}/lines', { params: { path: { id: invoiceId } }, body: { lines }, headers: idempotency.headers }));
    },
    onSuccess: (invoice) => {
      idempotency.renew();
      setRound((current) => current + 1);
      return onAdded(invoice);
    },
  });
  return (
    <Section title={t('draft.addLines')}>
      <form
        key={round}
        onSubmit={(event) => {
          event.preventDefault();
          add.mutate(linesOf(event.currentTarget));
        }}
      >
        <FormError error={add.error} />
        <LinesEditor error={add.error} />
        <button type="submit" className="primary" disabled={add.isPending}>
          {t('draft.addLinesSubmit')}
        </button>
      </form>
      {add.data ? <Notice tone="success">{t('draft.linesAdded', { count: add.variables?.length ?? 0, total: format.amount(add.data.total) })}</Notice> : null}
    </Section>
  );
}
