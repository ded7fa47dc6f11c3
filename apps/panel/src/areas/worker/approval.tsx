import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { usePagedList } from '../../api/lists';
import { addDays, mondayOf, monthOf, monthSpan, todayIso } from '../../components/dates';
import { ConfirmButton, Empty, Field, FormError, MoreButton, NotFoundState, Notice, Page, QueryState, SelectField, TableWrap } from '../../components/ui';
import { useFormat, useT } from '../../i18n/i18n';
import { staffRoles, useMe } from '../../session';
import { EntryStatus, entryWhat, type Entry } from './timesheet';

const hoursOf = (entries: readonly Entry[]) => (entries.reduce((sum, entry) => sum + entry.minutes, 0) / 60).toFixed(2);

type Span = 'month' | 'week';

/** One worker's entries of the month or week: pick the open ones to approve, send an approved one back. */
function WorkerEntries({ name, span, entries, selected, onToggle, onSelectAll, onUnapprove, busy }: { name: string; span: Span; entries: Entry[]; selected: ReadonlySet<string>; onToggle: (id: string) => void; onSelectAll: (ids: string[]) => void; onUnapprove: (entry: Entry) => void; busy: boolean }) {
  const t = useT();
  const format = useFormat();
  const open = entries.filter((entry) => entry.status === 'open');
  const headingId = `worker-${entries[0]!.workerId}`;
  return (
    <section className="card" aria-labelledby={headingId} data-worker={entries[0]!.workerId}>
      <h2 id={headingId}>{name}</h2>
      <p>{t(span === 'week' ? 'approval.workerTotalWeek' : 'approval.workerTotal', { hours: format.hours(hoursOf(entries)), open: open.length })}</p>
      {open.length > 0 ? (
        <button type="button" onClick={() => onSelectAll(open.map((entry) => entry.id))}>
          {t('approval.selectAll', { name })}
        </button>
      ) : null}
      <TableWrap>
        <table>
          <thead>
            <tr>
              <th scope="col">
                <span className="visually-hidden">{t('approval.select')}</span>
              </th>
              <th scope="col">{t('time.day')}</th>
              <th scope="col" className="num">
                {t('time.hours')}
              </th>
              <th scope="col">{t('approval.what')}</th>
              <th scope="col">{t('common.status')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => {
              const id = `approve-${entry.id}`;
              return (
                <tr key={entry.id} data-entry={entry.id}>
                  <td>
                    {entry.status === 'open' ? (
                      <>
                        <input type="checkbox" id={id} checked={selected.has(entry.id)} onChange={() => onToggle(entry.id)} />
                        <label htmlFor={id} className="visually-hidden">
                          {t('approval.selectEntry', { hours: format.hours(entry.hours), day: format.day(entry.workDate), name })}
                        </label>
                      </>
                    ) : null}
                  </td>
                  <td>{format.day(entry.workDate)}</td>
                  <td className="num">{t('timesheet.hours', { hours: format.hours(entry.hours) })}</td>
                  <td className="wrap">{entryWhat(entry, t)}</td>
                  <td>
                    <EntryStatus entry={entry} />
                  </td>
                  <td className="actions-cell">
                    {entry.status === 'approved' && !entry.locked ? (
                      <ConfirmButton label={t('approval.unapprove')} confirmLabel={t('approval.confirmUnapprove', { hours: format.hours(entry.hours), day: format.day(entry.workDate), name })} onConfirm={() => onUnapprove(entry)} disabled={busy} />
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableWrap>
    </section>
  );
}

/** A coordinator approves a month's or a week's time, worker by worker (approved billable hours go to billing), or sends an entry back. */
export function ApprovalPage() {
  const t = useT();
  const format = useFormat();
  const client = useQueryClient();
  const me = useMe().data;
  const [params, setParams] = useSearchParams();
  const span: Span = params.get('view') === 'week' ? 'week' : 'month';
  const month = params.get('month') || monthOf(new Date());
  const week = params.get('week') ?? '';
  const monday = mondayOf(/^\d{4}-\d{2}-\d{2}$/.test(week) ? week : todayIso());
  const workerId = params.get('worker') ?? '';
  const status = params.get('status') === 'open' ? 'open' : 'all';
  const { from, to } = span === 'week' ? { from: monday, to: addDays(monday, 6) } : monthSpan(month);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const coordinator = staffRoles(me).has('coordinator');
  const workers = useQuery({
    queryKey: ['workers'],
    enabled: coordinator,
    queryFn: async () => (await unwrap(api.GET('/api/v1/workers', { params: { query: { limit: 200 } } }))).data,
    staleTime: 60_000,
  });
  const filters = { from, to, ...(workerId ? { workerId } : {}), ...(status === 'open' ? { status: 'open' as const } : {}) };
  const entries = usePagedList<Entry>(['time-entries', 'approval', filters], (cursor) => unwrap(api.GET('/api/v1/time-entries', { params: { query: { limit: 200, ...filters, ...(cursor ? { cursor } : {}) } } })), { enabled: coordinator });
  const refresh = () => client.invalidateQueries({ queryKey: ['time-entries'] });
  const approve = useMutation({
    mutationFn: (ids: string[]) => unwrap(api.POST('/api/v1/time-entries/approve', { body: { ids } })),
    onSuccess: () => {
      setSelected(new Set());
      return refresh();
    },
  });
  const unapprove = useMutation({
    mutationFn: (entry: Entry) => unwrap(api.POST('/api/v1/time-entries/{id}/unapprove', { params: { path: { id: entry.id } } })),
    onSuccess: refresh,
  });
  if (me && !coordinator)
    return (
      <Page title={t('approval.title')}>
        <NotFoundState />
      </Page>
    );

  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setSelected(new Set());
    setParams(next);
  };
  const byWorker = new Map<string, Entry[]>();
  for (const entry of [...entries.items].sort((a, b) => a.workDate.localeCompare(b.workDate) || a.createdAt.localeCompare(b.createdAt))) {
    byWorker.set(entry.workerId, [...(byWorker.get(entry.workerId) ?? []), entry]);
  }
  const groups = [...byWorker.values()].sort((a, b) => a[0]!.workerName.localeCompare(b[0]!.workerName));
  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  return (
    <Page title={t('approval.title')} intro={<p>{t('approval.intro')}</p>}>
      <div className="card">
        <div className="form-row">
          <SelectField
            label={t('approval.span')}
            name="view"
            value={span}
            onChange={(event) => setFilter('view', event.target.value === 'week' ? 'week' : '')}
            options={[
              { value: 'month', label: t('approval.byMonth') },
              { value: 'week', label: t('approval.byWeek') },
            ]}
          />
          {span === 'week' ? (
            <Field label={t('approval.weekOf')} name="week" type="date" value={monday} hint={t('approval.weekHint')} onChange={(event) => event.target.value && setFilter('week', mondayOf(event.target.value))} />
          ) : (
            <Field label={t('reports.month')} name="month" type="month" value={month} onChange={(event) => event.target.value && setFilter('month', event.target.value)} />
          )}
          <SelectField
            label={t('eligibility.worker')}
            name="worker"
            value={workerId}
            onChange={(event) => setFilter('worker', event.target.value)}
            options={[{ value: '', label: t('approval.allWorkers') }, ...(workers.data ?? []).map((worker) => ({ value: worker.id, label: worker.displayName }))]}
          />
          <SelectField
            label={t('approval.show')}
            name="status"
            value={status}
            onChange={(event) => setFilter('status', event.target.value === 'open' ? 'open' : '')}
            options={[
              { value: 'all', label: t('approval.showAll') },
              { value: 'open', label: t('approval.showOpen') },
            ]}
          />
        </div>
        {span === 'week' ? (
          <nav className="week-nav" aria-label={t('timesheet.weeks')}>
            <button type="button" onClick={() => setFilter('week', addDays(monday, -7))}>
              {t('timesheet.previous')}
            </button>
            <strong>{t('timesheet.week', { from: format.day(from), to: format.day(to) })}</strong>
            <button type="button" onClick={() => setFilter('week', addDays(monday, 7))}>
              {t('timesheet.next')}
            </button>
          </nav>
        ) : null}
      </div>
      <div className="approval-bar" role="group" aria-label={t('approval.selection')}>
        <button type="button" className="primary" disabled={selected.size === 0 || approve.isPending} onClick={() => approve.mutate([...selected])}>
          {t('approval.approve', { count: selected.size })}
        </button>
        {selected.size > 0 ? (
          <button type="button" onClick={() => setSelected(new Set())}>
            {t('approval.clear')}
          </button>
        ) : null}
      </div>
      <FormError error={approve.error ?? unapprove.error} />
      {approve.data ? (
        <Notice tone="success">
          {t('approval.approved', { count: approve.data.approved.length, hours: format.hours(hoursOf(approve.data.approved)) })}
          {approve.data.alreadyApproved.length > 0 ? ` ${t('approval.alreadyApproved', { count: approve.data.alreadyApproved.length })}` : ''}
        </Notice>
      ) : null}
      {approve.data?.warnings.map((warning) => (
        <Notice key={`${warning.code}-${warning.contractId}`} tone="warning">
          {warning.message}
        </Notice>
      ))}
      {unapprove.data ? <Notice tone="success">{t('approval.sentBack', { hours: format.hours(unapprove.data.hours), name: unapprove.data.workerName })}</Notice> : null}
      {entries.isPending || entries.error || !me ? (
        <QueryState error={entries.error} isPending={entries.isPending || !me} />
      ) : groups.length === 0 ? (
        <Empty>
          {span === 'week'
            ? t(status === 'open' ? 'approval.emptyOpenWeek' : 'approval.emptyWeek', { from: format.day(from), to: format.day(to) })
            : t(status === 'open' ? 'approval.emptyOpen' : 'approval.empty', { month: format.month(month) })}
        </Empty>
      ) : (
        groups.map((group) => (
          <WorkerEntries
            key={group[0]!.workerId}
            name={group[0]!.workerName}
            span={span}
            entries={group}
            selected={selected}
            onToggle={toggle}
            onSelectAll={(ids) => setSelected((current) => new Set([...current, ...ids]))}
            onUnapprove={(entry) => unapprove.mutate(entry)}
            busy={unapprove.isPending}
          />
        ))
      )}
      <MoreButton hasMore={entries.hasNextPage} loading={entries.isFetchingNextPage} onClick={() => entries.fetchNextPage()} />
    </Page>
  );
}
