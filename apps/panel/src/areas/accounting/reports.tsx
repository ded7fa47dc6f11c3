import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { decimalToCents } from '../../api/money';
import { BarChart } from '../../components/charts';
import { monthOf, monthsUpTo, previousMonth, todayIso, recentYears } from '../../components/dates';
import { ConfirmButton, Empty, Field, FormError, Notice, Page, QueryState, Section, SelectField, TableWrap } from '../../components/ui';
import { useFormat, useT, type MessageId } from '../../i18n/i18n';

/** Revenue, expenses and surplus of each of the last twelve months, from the journal. */
export function RevenueByMonth() {
  const t = useT();
  const format = useFormat();
  const months = monthsUpTo(monthOf(new Date()));
  const span = { from: months[0]!, to: months[months.length - 1]! };
  const report = useQuery({
    queryKey: ['income-by-month', span],
    queryFn: () => unwrap(api.GET('/api/v1/accounting/reports/income-by-month', { params: { query: { ...span, format: 'json' } } })),
    staleTime: 60_000,
  });
  if (!report.data) {
    return (
      <Section title={t('reports.revenue')}>
        <QueryState error={report.error} isPending={report.isPending} />
      </Section>
    );
  }
  const rows = report.data.months;
  return (
    <Section title={t('reports.revenue')}>
      <BarChart
        title={t('reports.revenueChart')}
        scale={(max) => format.money(max)}
        bars={rows.map((row) => ({ key: row.month, label: format.monthName(row.month), value: decimalToCents(row.revenue), valueText: format.amount(row.revenue) }))}
      />
      <TableWrap>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('reports.month')}</th>
              <th scope="col" className="num">
                {t('reports.revenueColumn')}
              </th>
              <th scope="col" className="num">
                {t('reports.expenses')}
              </th>
              <th scope="col" className="num">
                {t('reports.surplus')}
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.month} data-month={row.month}>
                <th scope="row">{format.month(row.month)}</th>
                <td className="num">{format.amount(row.revenue)}</td>
                <td className="num">{format.amount(row.expenses)}</td>
                <td className="num">{format.amount(row.surplus)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{t('invoice.total')}</th>
              <td className="num">{format.amount(report.data.totals.revenue)}</td>
              <td className="num">{format.amount(report.data.totals.expenses)}</td>
              <td className="num">{format.amount(report.data.totals.surplus)}</td>
            </tr>
          </tfoot>
        </table>
      </TableWrap>
      <p>
        <a href={`/api/v1/accounting/reports/income-by-month?from=${span.from}&to=${span.to}&format=csv`} download>
          {t('reports.csv')}
        </a>
      </p>
    </Section>
  );
}

const BUCKETS = ['current', 'days1to30', 'days31to60', 'days61to90', 'over90'] as const;
// Under the chart's bars, where room is short; the table has the long names.
const BUCKET_SHORT: Record<(typeof BUCKETS)[number], MessageId> = {
  current: 'aging.short.current',
  days1to30: 'aging.short.days1to30',
  days31to60: 'aging.short.days31to60',
  days61to90: 'aging.short.days61to90',
  over90: 'aging.short.over90',
};
const BUCKET_LABELS: Record<(typeof BUCKETS)[number], MessageId> = {
  current: 'aging.current',
  days1to30: 'aging.days1to30',
  days31to60: 'aging.days31to60',
  days61to90: 'aging.days61to90',
  over90: 'aging.over90',
};

/** What customers owe at a date, by how late it is. */
export function ReceivablesAging() {
  const t = useT();
  const format = useFormat();
  const [at, setAt] = useState(todayIso());
  const aging = useQuery({
    queryKey: ['receivables-aging', at],
    queryFn: () => unwrap(api.GET('/api/v1/accounting/reports/receivables-aging', { params: { query: { at, format: 'json' } } })),
  });
  return (
    <Section title={t('reports.aging')}>
      <div className="form-row">
        <Field label={t('reports.at')} name="at" type="date" value={at} onChange={(event) => event.target.value && setAt(event.target.value)} />
      </div>
      {aging.data ? (
        <>
          <BarChart
            title={t('reports.agingChart', { date: format.day(aging.data.at) })}
            scale={(max) => format.money(max)}
            bars={BUCKETS.map((bucket, index) => ({
              key: bucket,
              label: t(BUCKET_SHORT[bucket]),
              value: decimalToCents(aging.data.totals[bucket]),
              valueText: `${t(BUCKET_LABELS[bucket])} · ${format.amount(aging.data.totals[bucket])}`,
              parts: [{ key: bucket, value: decimalToCents(aging.data.totals[bucket]), tone: index }],
            }))}
          />
          {aging.data.customers.length === 0 ? (
            <Empty>{t('reports.agingEmpty')}</Empty>
          ) : (
            <TableWrap>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('invoices.customer')}</th>
                    {BUCKETS.map((bucket) => (
                      <th scope="col" className="num" key={bucket}>
                        {t(BUCKET_LABELS[bucket])}
                      </th>
                    ))}
                    <th scope="col" className="num">
                      {t('invoice.total')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {aging.data.customers.map((customer) => (
                    <tr key={customer.organizationId}>
                      <th scope="row">{customer.name}</th>
                      {BUCKETS.map((bucket) => (
                        <td className="num" key={bucket}>
                          {format.amount(customer[bucket])}
                        </td>
                      ))}
                      <td className="num">{format.amount(customer.total)}</td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row">{t('invoice.total')}</th>
                    {BUCKETS.map((bucket) => (
                      <td className="num" key={bucket}>
                        {format.amount(aging.data.totals[bucket])}
                      </td>
                    ))}
                    <td className="num">{format.amount(aging.data.totals.total)}</td>
                  </tr>
                </tfoot>
              </table>
            </TableWrap>
          )}
          <p>
            <a href={`/api/v1/accounting/reports/receivables-aging?at=${at}&format=csv`} download>
              {t('reports.csv')}
            </a>
          </p>
        </>
      ) : (
        <QueryState error={aging.error} isPending={aging.isPending} />
      )}
    </Section>
  );
}

/** Revenue and expenses by account over a year, and the surplus. */
export function IncomeStatement() {
  const t = useT();
  const format = useFormat();
  const [year, setYear] = useState(String(new Date().getFullYear()));
  const statement = useQuery({
    queryKey: ['income-statement', year],
    queryFn: () => unwrap(api.GET('/api/v1/accounting/reports/income-statement', { params: { query: { from: `${year}-01-01`, to: `${year}-12-31`, format: 'json' } } })),
  });
  return (
    <Section title={t('reports.incomeStatement')}>
      <SelectField label={t('reports.year')} name="year" value={year} onChange={(event) => setYear(event.target.value)} options={recentYears()} />
      {statement.data ? (
        <TableWrap>
          <table>
            <tbody>
              <tr>
                <th scope="rowgroup" colSpan={2}>
                  {t('reports.revenueColumn')}
                </th>
              </tr>
              {statement.data.revenue.map((account) => (
                <tr key={account.code}>
                  <td>{`${account.code} · ${account.name}`}</td>
                  <td className="num">{format.amount(account.amount)}</td>
                </tr>
              ))}
              <tr>
                <th scope="rowgroup" colSpan={2}>
                  {t('reports.expenses')}
                </th>
              </tr>
              {statement.data.expenses.map((account) => (
                <tr key={account.code}>
                  <td>{`${account.code} · ${account.name}`}</td>
                  <td className="num">{format.amount(account.amount)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">{t('reports.totalRevenue')}</th>
                <td className="num">{format.amount(statement.data.totalRevenue)}</td>
              </tr>
              <tr>
                <th scope="row">{t('reports.totalExpenses')}</th>
                <td className="num">{format.amount(statement.data.totalExpenses)}</td>
              </tr>
              <tr>
                <th scope="row">{t('reports.surplus')}</th>
                <td className="num">{format.amount(statement.data.surplus)}</td>
              </tr>
            </tfoot>
          </table>
        </TableWrap>
      ) : (
        <QueryState error={statement.error} isPending={statement.isPending} />
      )}
    </Section>
  );
}

/** Assets, liabilities and equity today. */
export function BalanceSheet() {
  const t = useT();
  const format = useFormat();
  const sheet = useQuery({
    queryKey: ['balance-sheet'],
    queryFn: () => unwrap(api.GET('/api/v1/accounting/reports/balance-sheet', { params: { query: { format: 'json' } } })),
  });
  if (!sheet.data)
    return (
      <Section title={t('reports.balanceSheet')}>
        <QueryState error={sheet.error} isPending={sheet.isPending} />
      </Section>
    );
  const groups: Array<[MessageId, Array<{ code: string; name: string; amount: string }>]> = [
    ['reports.assets', sheet.data.assets],
    ['reports.liabilities', sheet.data.liabilities],
    ['reports.equity', sheet.data.equity],
  ];
  return (
    <Section title={t('reports.balanceSheet')}>
      <TableWrap>
        <table>
          <tbody>
            {groups.map(([label, accounts]) => [
              <tr key={label}>
                <th scope="rowgroup" colSpan={2}>
                  {t(label)}
                </th>
              </tr>,
              ...accounts.map((account) => (
                <tr key={`${label}-${account.code}`}>
                  <td>{`${account.code} · ${account.name}`}</td>
                  <td className="num">{format.amount(account.amount)}</td>
                </tr>
              )),
            ])}
            <tr>
              <td>{t('reports.surplusToDate')}</td>
              <td className="num">{format.amount(sheet.data.surplusToDate)}</td>
            </tr>
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{t('reports.totalAssets')}</th>
              <td className="num">{format.amount(sheet.data.totalAssets)}</td>
            </tr>
            <tr>
              <th scope="row">{t('reports.totalLiabilitiesAndEquity')}</th>
              <td className="num">{format.amount(sheet.data.totalLiabilitiesAndEquity)}</td>
            </tr>
          </tfoot>
        </table>
      </TableWrap>
    </Section>
  );
}

/** GST and QST collected over a year: what the return declares. */
function SalesTax() {
  const t = useT();
  const format = useFormat();
  const [year, setYear] = useState(String(new Date().getFullYear()));
  const report = useQuery({
    queryKey: ['sales-tax', year],
    queryFn: () => unwrap(api.GET('/api/v1/accounting/reports/sales-tax', { params: { query: { from: `${year}-01-01`, to: `${year}-12-31`, format: 'json' } } })),
  });
  return (
    <Section title={t('reports.salesTax')}>
      <SelectField label={t('reports.year')} name="tax-year" value={year} onChange={(event) => setYear(event.target.value)} options={recentYears()} />
      {report.data ? (
        <dl className="figures">
          <div>
            <dt>{t('reports.taxableSales')}</dt>
            <dd>{format.amount(report.data.taxableSales)}</dd>
          </div>
          <div>
            <dt>{t('reports.gstCollected')}</dt>
            <dd>{format.amount(report.data.gstCollected)}</dd>
          </div>
          <div>
            <dt>{t('reports.qstCollected')}</dt>
            <dd>{format.amount(report.data.qstCollected)}</dd>
          </div>
          <div>
            <dt>{t('reports.exemptSales')}</dt>
            <dd>{format.amount(report.data.exemptSales)}</dd>
          </div>
        </dl>
      ) : (
        <QueryState error={report.error} isPending={report.isPending} />
      )}
    </Section>
  );
}

/** Whether the books hold together: every entry balances, nothing posted changed, receivables equal open invoices. */
function Consistency() {
  const t = useT();
  const check = useQuery({ queryKey: ['consistency'], queryFn: () => unwrap(api.GET('/api/v1/accounting/consistency')) });
  if (!check.data) return <QueryState error={check.error} isPending={check.isPending} />;
  return check.data.ok ? (
    <Notice tone="success">{t('reports.consistent')}</Notice>
  ) : (
    <div className="alert alert-error" role="alert">
      {t('reports.inconsistent', { count: check.data.checks.filter((c) => !c.ok).length })}
    </div>
  );
}

/** The accountant's reports: revenue per month, receivables aging, income statement, sales tax. */
export function ReportsPage() {
  const t = useT();
  return (
    <Page title={t('reports.title')}>
      <Consistency />
      <p>
        <a href="/api/v1/accounting/journal?format=ledger" download="ruche.journal">
          {t('reports.journal')}
        </a>
      </p>
      <RevenueByMonth />
      <ReceivablesAging />
      <div className="grid">
        <IncomeStatement />
        <SalesTax />
      </div>
    </Page>
  );
}

/** Closed months refuse postings: close one once its books are done. */
export function PeriodsPage() {
  const t = useT();
  const format = useFormat();
  const client = useQueryClient();
  const [month, setMonth] = useState(previousMonth());
  const periods = useQuery({ queryKey: ['closed-periods'], queryFn: async () => (await unwrap(api.GET('/api/v1/accounting/closed-periods'))).data });
  const close = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/accounting/closed-periods', { body: { month } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['closed-periods'] }),
  });
  const sorted = [...(periods.data ?? [])].sort((a, b) => b.month.localeCompare(a.month));
  return (
    <Page title={t('periods.title')} intro={<p>{t('periods.intro')}</p>}>
      <Section title={t('periods.close')}>
        <FormError error={close.error} />
        <div className="inline-form">
          <Field label={t('periods.month')} name="month" type="month" value={month} onChange={(event) => setMonth(event.target.value)} required />
          <ConfirmButton label={t('periods.closeButton')} confirmLabel={t('periods.confirmClose', { month: month ? format.month(month) : '' })} onConfirm={() => close.mutate()} disabled={!month || close.isPending} />
        </div>
        {close.data ? <Notice tone="success">{t('periods.closed', { month: format.month(close.data.month) })}</Notice> : null}
      </Section>
      <Section title={t('periods.list')}>
        {periods.data ? (
          sorted.length === 0 ? (
            <Empty>{t('periods.empty')}</Empty>
          ) : (
            <ul className="plain-list">
              {sorted.map((period) => (
                <li key={period.month} data-month={period.month}>
                  <strong>{format.month(period.month)}</strong> · {t('periods.closedOn', { date: format.dateTime(period.closedAt) })}
                </li>
              ))}
            </ul>
          )
        ) : (
          <QueryState error={periods.error} isPending={periods.isPending} />
        )}
      </Section>
    </Page>
  );
}
