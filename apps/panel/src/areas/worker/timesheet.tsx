import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap, type Item } from '../../api/client';
import { useIdempotencyKey } from '../../api/idempotency';
import { addDays, mondayOf, todayIso } from '../../components/dates';
import { ConfirmButton, Empty, Field, fieldError, FormError, formValues, Notice, Page, QueryState, Section, SelectField } from '../../components/ui';
import { useFormat, useLocale, useT, type MessageId } from '../../i18n/i18n';
import { useMe } from '../../session';

export type Entry = Item<'/api/v1/time-entries'>;
type Contract = Item<'/api/v1/contracts'>;
type Committee = Item<'/api/v1/committees'>;
type Category = Entry['category'];

const CATEGORIES: Category[] = ['work', 'committee_meeting', 'reflection_meeting', 'training'];
export const CATEGORY_LABELS: Record<Category, MessageId> = {
  work: 'time.category.work',
  committee_meeting: 'time.category.committee_meeting',
  reflection_meeting: 'time.category.reflection_meeting',
  training: 'time.category.training',
};
const needsContract = (category: Category) => category === 'work' || category === 'training';

function useContracts() {
  return useQuery({
    queryKey: ['contracts', 'open'],
    queryFn: async () => (await unwrap(api.GET('/api/v1/contracts', { params: { query: { status: 'open', limit: 200 } } }))).data,
    staleTime: 60_000,
  });
}

function useCommittees() {
  return useQuery({
    queryKey: ['committees'],
    queryFn: async () => (await unwrap(api.GET('/api/v1/committees', { params: { query: { limit: 200 } } }))).data,
    staleTime: 5 * 60_000,
  });
}

interface Target {
  category: Category;
  contractId: string | null;
  taskId: string | null;
  committeeId: string | null;
  description: string;
  billable: boolean;
  volunteer: boolean;
}

/** What time is recorded against: a category, then a contract and task (work, training) or a committee (its meeting). */
function TargetFields({ idPrefix, error, contracts, committees }: { idPrefix: string; error: unknown; contracts: Contract[]; committees: Committee[] }) {
  const t = useT();
  const { locale } = useLocale();
  const [category, setCategory] = useState<Category>('work');
  const [contractId, setContractId] = useState('');
  const contract = contracts.find((candidate) => candidate.id === contractId);
  return (
    <>
      <div className="form-row">
        <SelectField label={t('time.category')} name="category" value={category} onChange={(event) => setCategory(event.target.value as Category)} options={CATEGORIES.map((value) => ({ value, label: t(CATEGORY_LABELS[value]) }))} />
        {category === 'committee_meeting' ? (
          <SelectField
            label={t('time.committee')}
            name="committeeId"
            required
            error={fieldError(error, 'committeeId')}
            options={[{ value: '', label: t('time.chooseCommittee') }, ...committees.filter((c) => !c.archived).map((c) => ({ value: c.id, label: locale === 'en' ? c.nameEn : c.nameFr }))]}
          />
        ) : null}
        <SelectField
          label={t('time.contract')}
          name="contractId"
          required={needsContract(category)}
          value={contractId}
          onChange={(event) => setContractId(event.target.value)}
          error={fieldError(error, 'contractId')}
          hint={needsContract(category) ? undefined : t('time.contractOptional')}
          options={[{ value: '', label: needsContract(category) ? t('time.chooseContract') : t('time.noContract') }, ...contracts.map((c) => ({ value: c.id, label: c.name }))]}
        />
        {contract && contract.tasks.some((task) => !task.closed) ? (
          <SelectField
            label={t('time.task')}
            name="taskId"
            options={[{ value: '', label: t('time.noTask') }, ...contract.tasks.filter((task) => !task.closed).map((task) => ({ value: task.id, label: task.name }))]}
          />
        ) : null}
      </div>
      <Field label={t('time.description')} name="description" autoComplete="off" error={fieldError(error, 'description')} />
      <div className="form-row">
        {contract?.organizationId ? (
          <div className="field field-check">
            <input type="checkbox" id={`${idPrefix}-billable`} name="billable" />
            <label htmlFor={`${idPrefix}-billable`}>{t('time.billable')}</label>
          </div>
        ) : null}
        <div className="field field-check">
          <input type="checkbox" id={`${idPrefix}-volunteer`} name="volunteer" aria-describedby={`${idPrefix}-volunteer-hint`} />
          <label htmlFor={`${idPrefix}-volunteer`}>{t('time.volunteer')}</label>
          <p className="hint" id={`${idPrefix}-volunteer-hint`}>
            {t('time.volunteerHint')}
          </p>
        </div>
      </div>
    </>
  );
}

function readTarget(form: HTMLFormElement): Target {
  const values = formValues(form);
  const data = new FormData(form);
  const category = (values.category ?? 'work') as Category;
  return {
    category,
    contractId: values.contractId || null,
    taskId: values.contractId && values.taskId ? values.taskId : null,
    committeeId: category === 'committee_meeting' ? values.committeeId || null : null,
    description: values.description ?? '',
    billable: data.get('billable') === 'on',
    volunteer: data.get('volunteer') === 'on',
  };
}

/** "1:05:09": hours, minutes and seconds since `since`. */
function elapsedText(since: string, now: number): string {
  const seconds = Math.max(0, Math.floor((now - Date.parse(since)) / 1000));
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${Math.floor(seconds / 3600)}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
}

/** The running timer, ticking every second; or the form that starts one. */
function TimerSection({ contracts, committees, onRecorded }: { contracts: Contract[]; committees: Committee[]; onRecorded: (entry: Entry) => void }) {
  const t = useT();
  const format = useFormat();
  const client = useQueryClient();
  const [now, setNow] = useState(Date.now());
  const timers = useQuery({ queryKey: ['timers'], queryFn: async () => (await unwrap(api.GET('/api/v1/timers'))).data });
  const me = useMe().data;
  const running = (timers.data ?? []).find((timer) => timer.workerId === me?.user.id);
  useEffect(() => {
    if (!running) return undefined;
    const tick = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(tick);
  }, [running]);
  const start = useMutation({
    mutationFn: (target: Target) => unwrap(api.POST('/api/v1/timers', { body: target })),
    // Started or refused (one runs already, from another tab): either way, show the one that runs.
    onSettled: () => {
      setNow(Date.now());
      return client.invalidateQueries({ queryKey: ['timers'] });
    },
  });
  const stop = useMutation({
    mutationFn: ({ id, description }: { id: string; description?: string }) => unwrap(api.POST('/api/v1/timers/{id}/stop', { params: { path: { id } }, body: description ? { description } : {} })),
    onSuccess: (entry) => {
      onRecorded(entry);
      return Promise.all([client.invalidateQueries({ queryKey: ['timers'] }), client.invalidateQueries({ queryKey: ['time-entries'] })]);
    },
  });
  const discard = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/timers/{id}', { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['timers'] }),
  });
  if (!timers.data) return <Section title={t('timer.title')}>{<QueryState error={timers.error} isPending={timers.isPending} />}</Section>;
  if (running) {
    const contract = contracts.find((candidate) => candidate.id === running.contractId);
    return (
      <Section title={t('timer.title')}>
        <div className="timer">
          <span className="timer-clock" role="timer" aria-label={t('timer.elapsed')} data-running>
            {elapsedText(running.startedAt, now)}
          </span>
          <span>
            {t('timer.since', { time: format.time(running.startedAt) })} · {t(CATEGORY_LABELS[running.category])}
            {contract ? ` · ${contract.name}` : ''}
            {running.description ? ` · ${running.description}` : ''}
          </span>
        </div>
        <form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            const description = formValues(event.currentTarget).description;
            stop.mutate({ id: running.id, ...(description ? { description } : {}) });
          }}
        >
          <FormError error={stop.error ?? discard.error} />
          <Field label={t('timer.stopDescription')} name="description" defaultValue={running.description} autoComplete="off" />
          <button type="submit" className="primary" disabled={stop.isPending}>
            {t('timer.stop')}
          </button>
          <ConfirmButton label={t('timer.discard')} confirmLabel={t('timer.confirmDiscard')} onConfirm={() => discard.mutate(running.id)} />
        </form>
      </Section>
    );
  }
  return (
    <Section title={t('timer.title')}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          start.mutate(readTarget(event.currentTarget));
        }}
      >
        <FormError error={start.error && !['contractId', 'committeeId'].some((f) => fieldError(start.error, f)) ? start.error : null} />
        <TargetFields idPrefix="timer" error={start.error} contracts={contracts} committees={committees} />
        <button type="submit" className="primary" disabled={start.isPending}>
          {t('timer.start')}
        </button>
      </form>
      {stop.data ? <Notice tone="success">{t('timer.recorded', { hours: format.hours(stop.data.hours), date: format.day(stop.data.workDate) })}</Notice> : null}
    </Section>
  );
}

/** Time typed by hand: a day and a duration. */
function RecordForm({ contracts, committees, day }: { contracts: Contract[]; committees: Committee[]; day: string }) {
  const t = useT();
  const client = useQueryClient();
  const idempotency = useIdempotencyKey();
  const record = useMutation({
    mutationFn: (body: Target & { workDate: string; minutes: number }) => unwrap(api.POST('/api/v1/time-entries', { body, headers: idempotency.headers })),
    onSuccess: () => {
      idempotency.renew();
      return client.invalidateQueries({ queryKey: ['time-entries'] });
    },
  });
  return (
    <Section title={t('time.record')}>
      <details>
        <summary>{t('time.recordOpen')}</summary>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const form = event.currentTarget;
            const values = formValues(form);
            const minutes = Number(values.hours || 0) * 60 + Number(values.minutes || 0);
            record.mutate({ ...readTarget(form), workDate: values.workDate ?? day, minutes }, { onSuccess: () => form.reset() });
          }}
        >
          <FormError error={record.error && !['contractId', 'committeeId', 'minutes', 'workDate'].some((f) => fieldError(record.error, f)) ? record.error : null} />
          <div className="form-row">
            <Field label={t('time.day')} name="workDate" type="date" required defaultValue={day} error={fieldError(record.error, 'workDate')} />
            <Field label={t('time.hours')} name="hours" type="number" min={0} max={24} step={1} defaultValue="1" required />
            <Field label={t('time.minutes')} name="minutes" type="number" min={0} max={59} step={1} defaultValue="0" error={fieldError(record.error, 'minutes')} />
          </div>
          <TargetFields idPrefix="record" error={record.error} contracts={contracts} committees={committees} />
          <button type="submit" className="primary" disabled={record.isPending}>
            {t('time.recordSubmit')}
          </button>
          {record.data ? <Notice tone="success">{t('time.recorded')}</Notice> : null}
        </form>
      </details>
    </Section>
  );
}

export function EntryStatus({ entry }: { entry: Entry }) {
  const t = useT();
  if (entry.locked) return <span className="badge badge-entry-approved" data-status={entry.paidOn ? 'paid' : 'invoiced'}>{t(entry.paidOn ? 'time.status.paid' : 'time.status.invoiced')}</span>;
  return <span className={`badge badge-entry-${entry.status}`} data-status={entry.status}>{t(entry.status === 'approved' ? 'time.status.approved' : 'time.status.open')}</span>;
}

/** What an entry is for, in one line: its kind, contract, task and description. */
export function entryWhat(entry: Entry, t: ReturnType<typeof useT>): string {
  return `${t(CATEGORY_LABELS[entry.category])}${entry.contractName ? ` · ${entry.contractName}` : ''}${entry.taskName ? ` · ${entry.taskName}` : ''}${entry.description ? ` — ${entry.description}` : ''}`;
}

/** My week: a timer, time typed by hand, and the week's entries day by day. */
export function TimesheetPage() {
  const t = useT();
  const format = useFormat();
  const client = useQueryClient();
  const me = useMe().data;
  const [params, setParams] = useSearchParams();
  const today = todayIso();
  const monday = mondayOf(params.get('week') ?? today);
  const sunday = addDays(monday, 6);
  const contracts = useContracts();
  const committees = useCommittees();
  const [lastRecorded, setLastRecorded] = useState<string | null>(null);
  const entries = useQuery({
    queryKey: ['time-entries', me?.user.id, monday],
    enabled: Boolean(me),
    queryFn: async () => (await unwrap(api.GET('/api/v1/time-entries', { params: { query: { workerId: me!.user.id, from: monday, to: sunday, limit: 200 } } }))).data,
  });
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/time-entries/{id}', { params: { path: { id } } })),
    onSettled: () => client.invalidateQueries({ queryKey: ['time-entries'] }),
  });
  const days = Array.from({ length: 7 }, (_, index) => addDays(monday, index));
  const totalMinutes = (entries.data ?? []).reduce((sum, entry) => sum + entry.minutes, 0);
  const contractList = contracts.data ?? [];
  const committeeList = committees.data ?? [];
  return (
    <Page title={t('timesheet.title')}>
      <TimerSection
        contracts={contractList}
        committees={committeeList}
        onRecorded={(entry) => {
          setLastRecorded(entry.id);
          if (entry.workDate < monday || entry.workDate > sunday) setParams({ week: entry.workDate });
        }}
      />
      <Section title={t('timesheet.week', { from: format.day(monday), to: format.day(sunday) })}>
        <nav className="week-nav" aria-label={t('timesheet.weeks')}>
          <Link to={`?week=${addDays(monday, -7)}`}>{t('timesheet.previous')}</Link>
          {monday !== mondayOf(today) ? <Link to="?">{t('timesheet.thisWeek')}</Link> : null}
          <Link to={`?week=${addDays(monday, 7)}`}>{t('timesheet.next')}</Link>
        </nav>
        <FormError error={remove.error} />
        {entries.data ? (
          <>
            <p role="status">{t('timesheet.total', { hours: format.hours((totalMinutes / 60).toFixed(2)) })}</p>
            {entries.data.length === 0 ? <Empty>{t('timesheet.empty')}</Empty> : null}
            <ol className="day-list">
              {days.map((day) => {
                const ofDay = entries.data.filter((entry) => entry.workDate === day);
                if (ofDay.length === 0) return null;
                const minutes = ofDay.reduce((sum, entry) => sum + entry.minutes, 0);
                return (
                  <li key={day} data-day={day}>
                    <h3>
                      <span>{format.day(day, 'full')}</span>
                      <span>{t('timesheet.dayTotal', { hours: format.hours((minutes / 60).toFixed(2)) })}</span>
                    </h3>
                    <ul className="plain-list compact">
                      {ofDay.map((entry) => (
                        <li key={entry.id} className="entry-line" data-entry={entry.id} data-new={entry.id === lastRecorded ? true : undefined}>
                          <span className="entry-hours">{t('timesheet.hours', { hours: format.hours(entry.hours) })}</span>
                          <span className="entry-what">
                            {entryWhat(entry, t)}
                            {entry.recordedMinutes !== entry.minutes ? <span className="hint block">{t('timesheet.rounded', { minutes: entry.recordedMinutes })}</span> : null}
                          </span>
                          <EntryStatus entry={entry} />
                          {entry.status === 'open' && !entry.locked ? (
                            <ConfirmButton label={t('common.delete')} confirmLabel={t('timesheet.confirmDelete', { hours: format.hours(entry.hours) })} onConfirm={() => remove.mutate(entry.id)} />
                          ) : null}
                        </li>
                      ))}
                    </ul>
                  </li>
                );
              })}
            </ol>
          </>
        ) : (
          <QueryState error={entries.error} isPending={entries.isPending || !me} />
        )}
      </Section>
      <RecordForm contracts={contractList} committees={committeeList} day={today >= monday && today <= sunday ? today : monday} />
    </Page>
  );
}
