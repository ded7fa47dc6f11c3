import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Item, type paths } from '../../api/client';
import { useIdempotencyKey } from '../../api/idempotency';
import { standing, todayIso, type Standing as DatedStanding } from '../../components/dates';
import { Checkbox, Empty, Field, fieldError, FormError, formValues, METER_LABELS, Notice, Page, QueryState, Section, SelectField, TableWrap, useNumberReader } from '../../components/ui';
import { useFormat, useT, type MessageId } from '../../i18n/i18n';

type TaxRate = Item<'/api/v1/tax-rates'>;
type BillingItem = Item<'/api/v1/billing-items'>;

const TAX_LABELS: Record<TaxRate['tax'], MessageId> = { gst: 'invoice.gst', qst: 'invoice.qst' };
const ITEM_KINDS: Record<BillingItem['kind'], MessageId> = { one_off: 'items.kind.one_off', metered: 'items.kind.metered', hourly: 'items.kind.hourly' };
export const TAX_CODES: Record<BillingItem['taxCode'], MessageId> = { taxable: 'taxCode.taxable', zero_rated: 'taxCode.zero_rated', exempt: 'taxCode.exempt' };

const STANDING_LABELS: Record<DatedStanding, MessageId> = { current: 'dated.current', upcoming: 'dated.upcoming', past: 'dated.past' };

function Standing({ of }: { of: DatedStanding }) {
  const t = useT();
  return (
    <span className={`badge badge-dated-${of}`} data-standing={of}>
      {t(STANDING_LABELS[of])}
    </span>
  );
}

/** GST and QST rates, each from a day on: a new rate is added ahead of its day, and the past keeps its rates. */
export function TaxRatesPage() {
  const t = useT();
  const format = useFormat();
  const client = useQueryClient();
  const idempotency = useIdempotencyKey();
  const numbers = useNumberReader();
  const [tax, setTax] = useState<TaxRate['tax']>('gst');
  const rates = useQuery({ queryKey: ['tax-rates'], queryFn: async () => (await unwrap(api.GET('/api/v1/tax-rates'))).data });
  const add = useMutation({
    mutationFn: (typed: { tax: TaxRate['tax']; effectiveFrom: string; rate: string; baseIncludesGst: boolean }) => {
      const read = numbers();
      const body = { ...typed, rate: read.percent('rate', typed.rate) };
      read.check();
      return unwrap(api.POST('/api/v1/tax-rates', { body, headers: idempotency.headers }));
    },
    onSuccess: () => {
      idempotency.renew();
      return client.invalidateQueries({ queryKey: ['tax-rates'] });
    },
  });
  const today = todayIso();
  const rows = rates.data ?? [];
  const standings = new Map((['gst', 'qst'] as const).flatMap((which) => [...standing(rows.filter((row) => row.tax === which), today)]));
  const sorted = [...rows].sort((a, b) => a.tax.localeCompare(b.tax) || b.effectiveFrom.localeCompare(a.effectiveFrom));
  return (
    <Page title={t('taxRates.title')} intro={<p>{t('taxRates.intro')}</p>}>
      <Section title={t('taxRates.add')}>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const form = event.currentTarget;
            const values = formValues(form);
            add.mutate(
              { tax, effectiveFrom: values.effectiveFrom ?? '', rate: values.rate ?? '', baseIncludesGst: tax === 'qst' && values.baseIncludesGst === 'on' },
              { onSuccess: () => form.reset() },
            );
          }}
        >
          <FormError error={add.error && !fieldError(add.error, 'rate') && !fieldError(add.error, 'effectiveFrom') ? add.error : null} />
          <div className="form-row">
            <SelectField label={t('taxRates.tax')} name="tax" value={tax} onChange={(event) => setTax(event.target.value as TaxRate['tax'])} options={(['gst', 'qst'] as const).map((value) => ({ value, label: t(TAX_LABELS[value]) }))} />
            <Field label={t('dated.from')} name="effectiveFrom" type="date" required error={fieldError(add.error, 'effectiveFrom')} />
            <Field label={t('taxRates.rate')} name="rate" inputMode="decimal" autoComplete="off" required hint={t('taxRates.rateHint')} error={fieldError(add.error, 'rate')} />
          </div>
          {tax === 'qst' ? <Checkbox label={t('taxRates.baseIncludesGst')} name="baseIncludesGst" hint={t('taxRates.baseIncludesGstHint')} /> : null}
          <button type="submit" className="primary" disabled={add.isPending}>
            {t('taxRates.submit')}
          </button>
        </form>
        {add.data ? <Notice tone="success">{t('taxRates.added', { tax: t(TAX_LABELS[add.data.tax]), rate: format.rate(add.data.rate), date: format.day(add.data.effectiveFrom) })}</Notice> : null}
      </Section>
      <Section title={t('taxRates.list')}>
        {rates.data ? (
          sorted.length === 0 ? (
            <Empty>{t('taxRates.empty')}</Empty>
          ) : (
            <TableWrap>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('taxRates.tax')}</th>
                    <th scope="col">{t('dated.from')}</th>
                    <th scope="col" className="num">
                      {t('taxRates.rate')}
                    </th>
                    <th scope="col">{t('taxRates.base')}</th>
                    <th scope="col">{t('common.status')}</th>
                  </tr>
                </thead>
                <tbody>
                  {sorted.map((rate) => (
                    <tr key={`${rate.tax}-${rate.effectiveFrom}`} data-tax={rate.tax} data-from={rate.effectiveFrom}>
                      <th scope="row">{t(TAX_LABELS[rate.tax])}</th>
                      <td>{format.day(rate.effectiveFrom)}</td>
                      <td className="num">{format.rate(rate.rate)}</td>
                      <td>{t(rate.baseIncludesGst ? 'taxRates.basePlusGst' : 'taxRates.basePrice')}</td>
                      <td>
                        <Standing of={standings.get(rate) ?? 'past'} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )
        ) : (
          <QueryState error={rates.error} isPending={rates.isPending} />
        )}
      </Section>
    </Page>
  );
}

/** One catalogue item: its prices by day, and a new price from a day on. */
function ItemPrices({ item }: { item: BillingItem }) {
  const t = useT();
  const format = useFormat();
  const client = useQueryClient();
  const idempotency = useIdempotencyKey();
  const numbers = useNumberReader();
  const addPrice = useMutation({
    mutationFn: (typed: { effectiveFrom: string; unitPrice: string }) => {
      const read = numbers();
      const body = { effectiveFrom: typed.effectiveFrom, unitPrice: read.decimal('unitPrice', typed.unitPrice) };
      read.check();
      return unwrap(api.POST('/api/v1/billing-items/{id}/prices', { params: { path: { id: item.id } }, body, headers: idempotency.headers }));
    },
    onSuccess: (answer) => {
      idempotency.renew();
      client.setQueryData<BillingItem[]>(['billing-items'], (items) => items?.map((candidate) => (candidate.id === answer.id ? answer : candidate)));
    },
  });
  const standings = standing(item.prices, todayIso());
  const prices = [...item.prices].sort((a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom));
  // The price as the API stored it, on the day typed.
  const added = addPrice.isSuccess ? addPrice.data.prices.find((price) => price.effectiveFrom === addPrice.variables.effectiveFrom) : undefined;
  return (
    <article className="card item" data-item={item.code} aria-labelledby={`item-${item.id}`}>
      <h3 id={`item-${item.id}`}>
        {item.name} <span className="hint">({item.code})</span>
      </h3>
      <dl className="details">
        <dt>{t('items.kind')}</dt>
        <dd>{t(ITEM_KINDS[item.kind])}</dd>
        <dt>{t('items.taxCode')}</dt>
        <dd>{t(TAX_CODES[item.taxCode])}</dd>
        {item.meter ? (
          <>
            <dt>{t('items.meter')}</dt>
            <dd>{t(METER_LABELS[item.meter] ?? 'meter.domains')}</dd>
          </>
        ) : null}
        <dt>{t('items.account')}</dt>
        <dd>{item.accountCode}</dd>
        {!item.active ? (
          <>
            <dt>{t('common.status')}</dt>
            <dd>{t('items.inactive')}</dd>
          </>
        ) : null}
      </dl>
      <ul className="plain-list compact" aria-label={t('items.pricesOf', { name: item.name })}>
        {prices.map((price) => (
          <li key={price.effectiveFrom} data-from={price.effectiveFrom}>
            {t('items.priceFrom', { price: format.amount(price.unitPrice), date: format.day(price.effectiveFrom) })} <Standing of={standings.get(price) ?? 'past'} />
          </li>
        ))}
      </ul>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          const form = event.currentTarget;
          const values = formValues(form);
          addPrice.mutate({ effectiveFrom: values.effectiveFrom ?? '', unitPrice: values.unitPrice ?? '' }, { onSuccess: () => form.reset() });
        }}
      >
        <FormError error={addPrice.error && !fieldError(addPrice.error, 'unitPrice') && !fieldError(addPrice.error, 'effectiveFrom') ? addPrice.error : null} />
        <Field label={t('items.newPrice')} name="unitPrice" inputMode="decimal" autoComplete="off" required hint={t('payments.amountHint')} error={fieldError(addPrice.error, 'unitPrice')} />
        <Field label={t('dated.from')} name="effectiveFrom" type="date" required error={fieldError(addPrice.error, 'effectiveFrom')} />
        <button type="submit" disabled={addPrice.isPending}>
          {t('items.addPrice')}
          <span className="visually-hidden"> {item.name}</span>
        </button>
      </form>
      {added ? <Notice tone="success">{t('items.priceAdded', { price: format.amount(added.unitPrice), date: format.day(added.effectiveFrom) })}</Notice> : null}
    </article>
  );
}

type Kind = BillingItem['kind'];
type NewItem = NonNullable<paths['/api/v1/billing-items']['post']['requestBody']>['content']['application/json'];
type Meter = NonNullable<NewItem['meter']>;
const METERS = Object.keys(METER_LABELS) as Meter[];
const ITEM_FIELDS = ['code', 'nameFr', 'nameEn', 'kind', 'meter', 'taxCode', 'accountCode', 'unitPrice', 'effectiveFrom'] as const;
type TypedItem = Record<(typeof ITEM_FIELDS)[number], string>;

/** A new item of the catalogue: its code (for good), names, kind, taxes, revenue account and first price. */
function NewItemForm() {
  const t = useT();
  const format = useFormat();
  const client = useQueryClient();
  const idempotency = useIdempotencyKey();
  const numbers = useNumberReader();
  const [kind, setKind] = useState<Kind>('one_off');
  // Revenue accounts in use: where the item's sales are posted.
  const accounts = useQuery({
    queryKey: ['accounts'],
    queryFn: async () => (await unwrap(api.GET('/api/v1/accounting/accounts'))).data,
    select: (all) => all.filter((account) => account.type === 'revenue' && account.active),
  });
  const create = useMutation({
    mutationFn: ({ meter, ...typed }: TypedItem) => {
      const read = numbers();
      const unitPrice = read.decimal('unitPrice', typed.unitPrice);
      read.check();
      const body = { ...typed, kind: typed.kind as Kind, taxCode: typed.taxCode as BillingItem['taxCode'], unitPrice, ...(typed.kind === 'metered' ? { meter: meter as Meter } : {}) };
      return unwrap(api.POST('/api/v1/billing-items', { body, headers: idempotency.headers }));
    },
    onSuccess: () => {
      idempotency.renew();
      return client.invalidateQueries({ queryKey: ['billing-items'] });
    },
  });
  const error = create.error;
  const created = create.data;
  return (
    <Section title={t('items.add')}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const form = event.currentTarget;
          const values = formValues(form);
          const typed = Object.fromEntries(ITEM_FIELDS.map((field) => [field, values[field] ?? ''])) as TypedItem;
          create.mutate(typed, {
            onSuccess: () => {
              form.reset();
              setKind('one_off');
            },
          });
        }}
      >
        <FormError error={error && !ITEM_FIELDS.some((field) => fieldError(error, field)) ? error : null} />
        <div className="form-row">
          <Field label={t('items.code')} name="code" autoComplete="off" required maxLength={60} hint={t('items.codeHint')} error={fieldError(error, 'code')} />
          <SelectField label={t('items.kind')} name="kind" value={kind} onChange={(event) => setKind(event.target.value as Kind)} options={(Object.keys(ITEM_KINDS) as Kind[]).map((value) => ({ value, label: t(ITEM_KINDS[value]) }))} error={fieldError(error, 'kind')} />
          {kind === 'metered' ? <SelectField label={t('items.meter')} name="meter" options={METERS.map((value) => ({ value, label: t(METER_LABELS[value]!) }))} error={fieldError(error, 'meter')} /> : null}
        </div>
        <div className="form-row">
          <Field label={t('accounts.nameFr')} name="nameFr" lang="fr-CA" autoComplete="off" required maxLength={200} error={fieldError(error, 'nameFr')} />
          <Field label={t('accounts.nameEn')} name="nameEn" lang="en-CA" autoComplete="off" required maxLength={200} error={fieldError(error, 'nameEn')} />
        </div>
        <div className="form-row">
          <SelectField label={t('items.taxCode')} name="taxCode" defaultValue="taxable" options={(Object.keys(TAX_CODES) as Array<BillingItem['taxCode']>).map((value) => ({ value, label: t(TAX_CODES[value]) }))} error={fieldError(error, 'taxCode')} />
          <SelectField
            label={t('items.account')}
            name="accountCode"
            required
            options={[{ value: '', label: t('items.chooseAccount') }, ...(accounts.data ?? []).map((account) => ({ value: account.code, label: `${account.code} · ${account.name}` }))]}
            error={fieldError(error, 'accountCode')}
          />
        </div>
        <div className="form-row">
          <Field label={t('items.firstPrice')} name="unitPrice" inputMode="decimal" autoComplete="off" required hint={t('payments.amountHint')} error={fieldError(error, 'unitPrice')} />
          <Field label={t('dated.from')} name="effectiveFrom" type="date" required defaultValue={todayIso()} error={fieldError(error, 'effectiveFrom')} />
        </div>
        <button type="submit" className="primary" disabled={create.isPending}>
          {t('items.submit')}
        </button>
      </form>
      {created ? <Notice tone="success">{t('items.added', { name: created.name, price: format.amount(created.prices[0]?.unitPrice), date: format.day(created.prices[0]?.effectiveFrom ?? '') })}</Notice> : null}
    </Section>
  );
}

/** What the co-op sells besides plans, each with its prices by day; an accountant adds an item. */
export function BillingItemsPage() {
  const t = useT();
  const items = useQuery({ queryKey: ['billing-items'], queryFn: async () => (await unwrap(api.GET('/api/v1/billing-items'))).data });
  return (
    <Page title={t('items.title')} intro={<p>{t('items.intro')}</p>}>
      <NewItemForm />
      <Section title={t('items.list')}>
        {items.data ? items.data.length === 0 ? <Empty>{t('items.empty')}</Empty> : items.data.map((item) => <ItemPrices key={item.id} item={item} />) : <QueryState error={items.error} isPending={items.isPending} />}
      </Section>
    </Page>
  );
}
