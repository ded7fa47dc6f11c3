import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { hoursToMinutes } from '../../api/money';
import { BarChart } from '../../components/charts';
import { todayIso, recentYears } from '../../components/dates';
import { Empty, Field, Page, QueryState, Section, SelectField, TableWrap } from '../../components/ui';
import { useFormat, useT } from '../../i18n/i18n';
import { useMe } from '../../session';
import { BalanceSheet, IncomeStatement, ReceivablesAging, RevenueByMonth } from '../accounting/reports';

/** My hours month by month over a year: work and meetings apart, billable and volunteer among them. */
export function MyHoursPage() {
  const t = useT();
  const format = useFormat();
  const me = useMe().data;
  const [year, setYear] = useState(String(new Date().getFullYear()));
  const hours = useQuery({
    queryKey: ['my-hours', me?.user.id, year],
    enabled: Boolean(me),
    queryFn: async () => (await unwrap(api.GET('/api/v1/reports/hours', { params: { query: { from: `${year}-01-01`, to: `${year}-12-31`, workerId: me!.user.id, format: 'json' } } }))).data,
  });
  const months = Array.from({ length: 12 }, (_, index) => `${year}-${String(index + 1).padStart(2, '0')}`);
  const byMonth = new Map((hours.data ?? []).map((row) => [row.month.slice(0, 7), row]));
  return (
    <Page title={t('hours.title')}>
      <Section title={t('hours.year', { year })}>
        <SelectField label={t('reports.year')} name="year" value={year} onChange={(event) => setYear(event.target.value)} options={recentYears()} />
        {hours.data ? (
          <>
            <BarChart
              title={t('hours.chart', { year })}
              scale={(max) => t('timesheet.hours', { hours: format.hours((max / 60).toFixed(2)) })}
              legend={[
                { tone: 0, label: t('hours.work') },
                { tone: 2, label: t('hours.meetings') },
              ]}
              bars={months.map((month) => {
                const row = byMonth.get(month);
                const work = hoursToMinutes(row?.workHours);
                const meetings = hoursToMinutes(row?.meetingHours);
                return {
                  key: month,
                  label: format.monthName(month),
                  value: work + meetings,
                  valueText: t('hours.barText', { work: format.hours(row?.workHours ?? '0'), meetings: format.hours(row?.meetingHours ?? '0') }),
                  parts: [
                    { key: 'work', value: work, tone: 0 },
                    { key: 'meetings', value: meetings, tone: 2 },
                  ],
                };
              })}
            />
            {hours.data.length === 0 ? (
              <Empty>{t('hours.empty')}</Empty>
            ) : (
              <TableWrap>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('reports.month')}</th>
                      <th scope="col" className="num">
                        {t('hours.work')}
                      </th>
                      <th scope="col" className="num">
                        {t('hours.meetings')}
                      </th>
                      <th scope="col" className="num">
                        {t('hours.billable')}
                      </th>
                      <th scope="col" className="num">
                        {t('hours.volunteer')}
                      </th>
                      <th scope="col" className="num">
                        {t('hours.total')}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {months
                      .filter((month) => byMonth.has(month))
                      .map((month) => {
                        const row = byMonth.get(month)!;
                        return (
                          <tr key={month}>
                            <th scope="row">{format.month(month)}</th>
                            <td className="num">{format.hours(row.workHours)}</td>
                            <td className="num">{format.hours(row.meetingHours)}</td>
                            <td className="num">{format.hours(row.billableHours)}</td>
                            <td className="num">{format.hours(row.volunteerHours)}</td>
                            <td className="num">{format.hours(row.totalHours)}</td>
                          </tr>
                        );
                      })}
                  </tbody>
                </table>
              </TableWrap>
            )}
          </>
        ) : (
          <QueryState error={hours.error} isPending={hours.isPending || !me} />
        )}
      </Section>
    </Page>
  );
}

function Verdict({ met, waived }: { met: boolean; waived?: boolean }) {
  const t = useT();
  if (met) return <span className="badge badge-yes">{t('eligibility.met')}</span>;
  if (waived) return <span className="badge badge-risk">{t('eligibility.waived')}</span>;
  return <span className="badge badge-no">{t('eligibility.notMet')}</span>;
}

/** The work committee's eligibility at a date: each criterion per worker, with its figure. */
export function EligibilityPage() {
  const t = useT();
  const format = useFormat();
  const me = useMe().data;
  const [date, setDate] = useState(todayIso());
  const report = useQuery({
    queryKey: ['eligibility', date],
    queryFn: () => unwrap(api.GET('/api/v1/reports/eligibility', { params: { query: { date, format: 'json' } } })),
  });
  return (
    <Page title={t('eligibility.title')} intro={<p>{t('eligibility.intro')}</p>}>
      <Section title={t('eligibility.at')}>
        <div className="form-row">
          <Field label={t('eligibility.date')} name="date" type="date" value={date} onChange={(event) => event.target.value && setDate(event.target.value)} />
        </div>
        {report.data ? (
          <>
            <p>{t('eligibility.window', { from: format.day(report.data.from), to: format.day(report.data.to) })}</p>
            {report.data.workers.length === 0 ? (
              <Empty>{t('eligibility.empty')}</Empty>
            ) : (
              <TableWrap>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('eligibility.worker')}</th>
                      <th scope="col">{t('eligibility.committees')}</th>
                      <th scope="col">{t('eligibility.reflection')}</th>
                      {report.data.months.map((month) => (
                        <th scope="col" key={month}>
                          {t('eligibility.hoursIn', { month: format.month(month) })}
                        </th>
                      ))}
                      <th scope="col">{t('eligibility.eligible')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {report.data.workers.map((worker) => (
                      <tr key={worker.workerId} data-worker={worker.workerId} aria-current={worker.workerId === me?.user.id ? 'true' : undefined}>
                        <th scope="row">
                          {worker.displayName}
                          {worker.workerId === me?.user.id ? <span className="hint block">{t('eligibility.you')}</span> : null}
                        </th>
                        <td>
                          {t('eligibility.figure', { figure: worker.committees.figure, required: worker.committees.required })} <Verdict met={worker.committees.met} waived={worker.committees.waived} />
                        </td>
                        <td>
                          {t('eligibility.figure', { figure: worker.reflectionMeetings.figure, required: worker.reflectionMeetings.required })} <Verdict met={worker.reflectionMeetings.met} waived={worker.reflectionMeetings.waived} />
                        </td>
                        {worker.monthlyHours.figure.map((month) => (
                          <td key={month.month}>
                            {t('eligibility.hoursFigure', { hours: format.hours(month.hours), required: format.hours(worker.monthlyHours.requiredHours) })} <Verdict met={month.met} waived={!month.met && worker.monthlyHours.waived} />
                          </td>
                        ))}
                        <td>
                          {worker.eligible ? <span className="badge badge-yes">{t('common.yes')}</span> : <span className="badge badge-no">{t('common.no')}</span>}
                          {worker.atRisk ? <span className="hint block">{t('eligibility.atRisk', { hours: format.hours(worker.totalWorkHours) })}</span> : null}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
            )}
          </>
        ) : (
          <QueryState error={report.error} isPending={report.isPending} />
        )}
      </Section>
    </Page>
  );
}

/** The co-op's books as every worker reads them: revenue per month, the year's income statement, the balance sheet, what customers owe. */
export function FinancesPage() {
  const t = useT();
  return (
    <Page title={t('finances.title')} intro={<p>{t('finances.intro')}</p>}>
      <RevenueByMonth />
      <div className="grid">
        <IncomeStatement />
        <BalanceSheet />
      </div>
      <ReceivablesAging />
    </Page>
  );
}
