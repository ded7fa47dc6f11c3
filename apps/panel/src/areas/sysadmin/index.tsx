import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap, type Item, type paths } from '../../api/client';
import { pollWhileBusy, usePagedList } from '../../api/lists';
import { ConfirmButton, Empty, Field, fieldError, FormError, formValues, MoreButton, Notice, Page, PhaseBadge, QueryState, Section, SelectField, TableWrap } from '../../components/ui';
import { useFormat, useT, type MessageId } from '../../i18n/i18n';
import { RESOURCE_TYPE_LABELS, resourcePage } from '../client/common';

type ServerRow = Item<'/api/v1/servers'>;
type JobRow = Item<'/api/v1/jobs'>;
type ResourceRow = Item<'/api/v1/resources'>;
type NewServer = NonNullable<paths['/api/v1/servers']['post']['requestBody']>['content']['application/json'];

const SERVICES = ['web', 'dns', 'mail', 'mariadb', 'postgresql'] as const;
const SERVER_STATUS: Record<string, MessageId> = { active: 'server.status.active', paused: 'server.status.paused', draining: 'server.status.draining' };
const JOB_STATUS: Record<string, MessageId> = {
  queued: 'job.status.queued',
  running: 'job.status.running',
  succeeded: 'job.status.succeeded',
  failed: 'job.status.failed',
};
const TARGET_TYPES: Record<string, MessageId> = {
  ...RESOURCE_TYPE_LABELS,
  dns_record: 'audit.target.dns_record',
  organization: 'audit.target.organization',
  invitation: 'audit.target.invitation',
  user: 'audit.target.user',
  api_token: 'audit.target.api_token',
  server: 'audit.target.server',
  plan: 'audit.target.plan',
};
/** The reconcile steps the catalogues name (`queue.step.<step>`); another shows as its raw name. */
const STEPS = ['known', 'load', 'prepare', 'render', 'observe', 'early', 'plan', 'stage', 'validate', 'mark', 'activate', 'apply', 'failed', 'record'] as const;
function stepLabel(step: string): MessageId | null {
  return (STEPS as readonly string[]).includes(step) ? (`queue.step.${step}` as `queue.step.${(typeof STEPS)[number]}`) : null;
}

/** Where a run's time went, one click away. */
function RunSteps({ steps }: { steps: ReadonlyArray<{ step: string; ms: number }> }) {
  const t = useT();
  return (
    <details>
      <summary>{t('queue.steps')}</summary>
      <dl className="details">
        {steps.map(({ step, ms }) => {
          const label = stepLabel(step);
          return (
            <Fragment key={step}>
              {label ? <dt>{t(label)}</dt> : <dt lang="en">{step}</dt>}
              <dd>{t('queue.stepMs', { ms })}</dd>
            </Fragment>
          );
        })}
      </dl>
    </details>
  );
}
const TRIGGERS: Record<string, MessageId> = { change: 'job.trigger.change', retry: 'job.trigger.retry', resync: 'job.trigger.resync' };

function useServers() {
  return useQuery({
    queryKey: ['servers'],
    queryFn: async () => (await unwrap(api.GET('/api/v1/servers', { params: { query: { limit: 200 } } }))).data,
    refetchInterval: 10_000,
  });
}

function serviceLabel(t: ReturnType<typeof useT>, service: string) {
  return t(`service.${service}` as MessageId);
}

/** Pause, drain, resume and resync one server: what a sysadmin does when a server misbehaves. */
function ServerControls({ server }: { server: ServerRow }) {
  const t = useT();
  const client = useQueryClient();
  const setStatus = useMutation({
    mutationFn: (status: 'active' | 'paused' | 'draining') => unwrap(api.PATCH('/api/v1/servers/{id}', { params: { path: { id: server.id } }, body: { status } })),
    onSettled: () => client.invalidateQueries({ queryKey: ['servers'] }),
  });
  const resync = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/servers/{id}/resync', { params: { path: { id: server.id } } })),
    onSettled: () => client.invalidateQueries({ queryKey: ['jobs'] }),
  });
  return (
    <div className="actions">
      {server.status === 'active' ? (
        <button type="button" onClick={() => setStatus.mutate('paused')}>
          {t('server.pause')}
          <span className="visually-hidden"> {server.name}</span>
        </button>
      ) : (
        <button type="button" onClick={() => setStatus.mutate('active')}>
          {t('server.resume')}
          <span className="visually-hidden"> {server.name}</span>
        </button>
      )}
      {server.status !== 'draining' ? <ConfirmButton label={t('server.drain')} confirmLabel={t('server.confirmDrain', { name: server.name })} onConfirm={() => setStatus.mutate('draining')} /> : null}
      <button type="button" onClick={() => resync.mutate()} disabled={resync.isPending}>
        {t('server.resync')}
        <span className="visually-hidden"> {server.name}</span>
      </button>
      {resync.data ? <span role="status">{t('queue.resyncQueued', { count: resync.data.queued })}</span> : null}
      <FormError error={setStatus.error ?? resync.error} />
    </div>
  );
}

function RetryButton({ resource }: { resource: ResourceRow }) {
  const t = useT();
  const client = useQueryClient();
  const retry = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/jobs/retry', { body: { resourceType: resource.type, resourceId: resource.id } })),
    onSettled: () => Promise.all([client.invalidateQueries({ queryKey: ['admin-resources'] }), client.invalidateQueries({ queryKey: ['jobs'] })]),
  });
  return (
    <>
      <button type="button" onClick={() => retry.mutate()} disabled={retry.isPending}>
        {t('queue.retry')}
        <span className="visually-hidden"> {resource.name}</span>
      </button>
      <FormError error={retry.error} />
    </>
  );
}

function ResourceTable({ resources, servers }: { resources: ResourceRow[]; servers: Map<string, string> }) {
  const t = useT();
  const format = useFormat();
  return (
    <TableWrap>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('resources.name')}</th>
            <th scope="col">{t('resources.type')}</th>
            <th scope="col">{t('resources.organization')}</th>
            <th scope="col">{t('resources.server')}</th>
            <th scope="col">{t('common.status')}</th>
            <th scope="col">{t('resources.updated')}</th>
            <th scope="col">
              <span className="visually-hidden">{t('common.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {resources.map((resource) => (
            <tr key={resource.id} data-resource={resource.name}>
              <th scope="row">
                <Link to={resourcePage(resource.organizationId, resource.type, resource.id)}>{resource.name}</Link>
              </th>
              <td>{t(RESOURCE_TYPE_LABELS[resource.type] ?? 'resourceType.domain')}</td>
              <td>
                <Link to={`/o/${resource.organizationId}`}>{resource.organizationName}</Link>
              </td>
              <td>{servers.get(resource.serverId) ?? '—'}</td>
              <td>
                <PhaseBadge resource={resource} />
              </td>
              <td>{format.dateTime(resource.updatedAt)}</td>
              <td className="actions-cell">{resource.phase === 'failed' ? <RetryButton resource={resource} /> : null}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

/** The provisioning queue, live: waiting and running reconciles, failed resources with their reasons and a retry, servers to pause or resync. */
export function QueuePage() {
  const t = useT();
  const format = useFormat();
  const client = useQueryClient();
  const [status, setStatus] = useState<'queued' | 'running' | 'failed' | 'succeeded' | ''>('');
  const servers = useServers();
  const serverNames = new Map((servers.data ?? []).map((server) => [server.id, server.name]));
  const jobs = useQuery({
    queryKey: ['jobs', status],
    queryFn: async () => (await unwrap(api.GET('/api/v1/jobs', { params: { query: { limit: 30, ...(status ? { status } : {}) } } }))).data,
    refetchInterval: 2000,
  });
  const queued = useQuery({
    queryKey: ['jobs', 'queued-count'],
    queryFn: async () => (await unwrap(api.GET('/api/v1/jobs', { params: { query: { status: 'queued', limit: 200 } } }))).data.length,
    refetchInterval: 2000,
  });
  const failed = usePagedList<ResourceRow>(['admin-resources', 'failed'], (cursor) => unwrap(api.GET('/api/v1/resources', { params: { query: { phase: 'failed', limit: 50, ...(cursor ? { cursor } : {}) } } })), {
    live: (items) => pollWhileBusy(items) || 3000,
  });
  const resyncAll = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/jobs/resync')),
    onSettled: () => client.invalidateQueries({ queryKey: ['jobs'] }),
  });
  return (
    <Page
      title={t('queue.title')}
      actions={
        <>
          <button type="button" onClick={() => resyncAll.mutate()} disabled={resyncAll.isPending}>
            {t('queue.resyncAll')}
          </button>
          {resyncAll.data ? <span role="status">{t('queue.resyncQueued', { count: resyncAll.data.queued })}</span> : null}
        </>
      }
    >
      <FormError error={resyncAll.error} />
      <Section title={t('queue.failedResources')}>
        {failed.isPending || failed.error ? (
          <QueryState error={failed.error} isPending={failed.isPending} />
        ) : failed.items.length === 0 ? (
          <Empty>{t('queue.noFailures')}</Empty>
        ) : (
          <ResourceTable resources={failed.items} servers={serverNames} />
        )}
        <MoreButton hasMore={failed.hasNextPage} loading={failed.isFetchingNextPage} onClick={() => failed.fetchNextPage()} />
      </Section>
      <Section title={t('queue.jobs')}>
        <p role="status" aria-live="polite">
          {queued.data !== undefined ? t('queue.waiting', { count: queued.data }) : null}
        </p>
        <SelectField
          label={t('queue.filter')}
          name="status"
          value={status}
          onChange={(event) => setStatus(event.target.value as typeof status)}
          options={[{ value: '', label: t('queue.allFinished') }, ...(['queued', 'running', 'failed', 'succeeded'] as const).map((value) => ({ value, label: t(JOB_STATUS[value]!) }))]}
        />
        {jobs.data ? (
          jobs.data.length === 0 ? (
            <Empty>{t('queue.noJobs')}</Empty>
          ) : (
            <TableWrap>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('resources.server')}</th>
                    <th scope="col">{t('queue.service')}</th>
                    <th scope="col">{t('common.status')}</th>
                    <th scope="col">{t('queue.trigger')}</th>
                    <th scope="col">{t('queue.when')}</th>
                    <th scope="col">{t('queue.outcome')}</th>
                  </tr>
                </thead>
                <tbody>
                  {jobs.data.map((job: JobRow) => (
                    <tr key={`${job.status}-${job.id}`}>
                      <th scope="row">{serverNames.get(job.serverId) ?? job.serverId}</th>
                      <td>{serviceLabel(t, job.service)}</td>
                      <td>
                        <span className={`badge badge-job-${job.status}`}>
                          <span className="badge-icon" aria-hidden="true" />
                          {t(JOB_STATUS[job.status] ?? 'job.status.queued')}
                        </span>
                      </td>
                      <td>{t(TRIGGERS[job.trigger] ?? 'job.trigger.change')}</td>
                      <td>{job.startedAt ? format.dateTime(job.startedAt) : job.runAt ? t('queue.runAt', { time: format.dateTime(job.runAt) }) : '—'}</td>
                      <td>
                        {job.status === 'queued'
                          ? job.attempts
                            ? t('queue.attempts', { count: job.attempts })
                            : '—'
                          : t('queue.summary', { applied: job.resourcesApplied, failed: job.resourcesFailed, ms: job.durationMs ?? 0 })}
                        {job.steps && job.steps.length > 0 ? <RunSteps steps={job.steps} /> : null}
                        {job.error ? (
                          <details>
                            <summary>{t('phase.reason.details')}</summary>
                            <code lang="en">{job.error}</code>
                          </details>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )
        ) : (
          <QueryState error={jobs.error} isPending={jobs.isPending} />
        )}
      </Section>
      <Section title={t('queue.servers')}>
        {servers.data ? (
          <ul className="plain-list">
            {servers.data.map((server) => (
              <li key={server.id} className="server-line">
                <strong>{server.name}</strong> <span className={`badge badge-server-${server.status}`}>{t(SERVER_STATUS[server.status] ?? 'server.status.active')}</span>
                <ServerControls server={server} />
              </li>
            ))}
          </ul>
        ) : (
          <QueryState error={servers.error} isPending={servers.isPending} />
        )}
      </Section>
    </Page>
  );
}

function AddServerForm() {
  const t = useT();
  const client = useQueryClient();
  const add = useMutation({
    mutationFn: (body: NewServer) => unwrap(api.POST('/api/v1/servers', { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['servers'] }),
  });
  const key = useQuery({ queryKey: ['ssh-public-key'], queryFn: () => unwrap(api.GET('/api/v1/servers/ssh-public-key')), staleTime: Infinity });
  const fields = ['name', 'address', 'port', 'services', 'publicIpv4', 'publicIpv6', 'publicHostname', 'hostKeyFingerprint', 'sshUser'];
  return (
    <Section title={t('servers.add')}>
      {key.data ? (
        <div className="field">
          <p>{t('servers.publicKey')}</p>
          <code className="mono wrap block">{key.data.publicKey}</code>
        </div>
      ) : null}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const form = event.currentTarget;
          const values = formValues(form);
          const data = new FormData(form);
          add.mutate(
            {
              name: values.name ?? '',
              address: values.address ?? '',
              port: Number(values.port || 22),
              transport: (values.transport ?? 'ssh') as 'ssh',
              services: data.getAll('services').map(String) as Array<(typeof SERVICES)[number]>,
              ...(values.publicIpv4 ? { publicIpv4: values.publicIpv4 } : {}),
              ...(values.publicIpv6 ? { publicIpv6: values.publicIpv6 } : {}),
              ...(values.publicHostname ? { publicHostname: values.publicHostname } : {}),
              ...(values.hostKeyFingerprint ? { hostKeyFingerprint: values.hostKeyFingerprint } : {}),
              ...(values.sshUser ? { sshUser: values.sshUser } : {}),
            },
            { onSuccess: () => form.reset() },
          );
        }}
      >
        {add.isSuccess ? <Notice tone="success">{t('servers.added', { name: add.data.name })}</Notice> : null}
        <FormError error={add.error && !fields.some((f) => fieldError(add.error, f)) ? add.error : null} />
        <div className="form-row">
          <Field label={t('servers.name')} name="name" required autoComplete="off" error={fieldError(add.error, 'name')} />
          <Field label={t('servers.address')} name="address" required autoComplete="off" error={fieldError(add.error, 'address')} />
          <Field label={t('servers.port')} name="port" type="number" defaultValue={22} min={1} max={65535} error={fieldError(add.error, 'port')} />
          <SelectField
            label={t('servers.transport')}
            name="transport"
            options={[
              { value: 'ssh', label: 'SSH' },
              { value: 'docker', label: 'Docker' },
              { value: 'local', label: t('servers.transportLocal') },
            ]}
          />
        </div>
        <fieldset className="choice">
          <legend>{t('servers.services')}</legend>
          {SERVICES.map((service) => (
            <label key={service}>
              <input type="checkbox" name="services" value={service} /> {serviceLabel(t, service)}
            </label>
          ))}
          {fieldError(add.error, 'services') ? <p className="field-error">{fieldError(add.error, 'services')}</p> : null}
        </fieldset>
        <div className="form-row">
          <Field label={t('servers.publicIpv4')} name="publicIpv4" autoComplete="off" error={fieldError(add.error, 'publicIpv4')} />
          <Field label={t('servers.publicIpv6')} name="publicIpv6" autoComplete="off" error={fieldError(add.error, 'publicIpv6')} />
          <Field label={t('servers.publicHostname')} name="publicHostname" autoComplete="off" error={fieldError(add.error, 'publicHostname')} />
        </div>
        <div className="form-row">
          <Field label={t('servers.fingerprint')} name="hostKeyFingerprint" placeholder="SHA256:…" autoComplete="off" hint={t('servers.fingerprintHint')} error={fieldError(add.error, 'hostKeyFingerprint')} />
          <Field label={t('servers.sshUser')} name="sshUser" placeholder="root" autoComplete="off" error={fieldError(add.error, 'sshUser')} />
        </div>
        <button type="submit" className="primary" disabled={add.isPending}>
          {t('servers.submit')}
        </button>
      </form>
    </Section>
  );
}

export function ServersPage() {
  const t = useT();
  const client = useQueryClient();
  const servers = useServers();
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/servers/{id}', { params: { path: { id } } })),
    onSettled: () => client.invalidateQueries({ queryKey: ['servers'] }),
  });
  return (
    <Page title={t('servers.title')}>
      <Section title={t('servers.list')}>
        <FormError error={remove.error} />
        {servers.data ? (
          servers.data.length === 0 ? (
            <Empty>{t('servers.empty')}</Empty>
          ) : (
            <ul className="cards">
              {servers.data.map((server) => (
                <li key={server.id} className="resource-card" data-resource={server.name}>
                  <div className="resource-head">
                    <h3>{server.name}</h3>
                    <span className={`badge badge-server-${server.status}`}>{t(SERVER_STATUS[server.status] ?? 'server.status.active')}</span>
                  </div>
                  <dl className="details">
                    <dt>{t('servers.address')}</dt>
                    <dd className="mono">
                      {server.transport === 'local' ? t('servers.transportLocal') : `${server.sshUser}@${server.address}:${server.port}`}
                    </dd>
                    <dt>{t('servers.services')}</dt>
                    <dd>{server.services.map((service) => serviceLabel(t, service)).join(', ')}</dd>
                    <dt>{t('servers.public')}</dt>
                    <dd className="mono wrap">{[server.publicHostname, server.publicIpv4, server.publicIpv6].filter(Boolean).join(' · ') || '—'}</dd>
                    <dt>{t('servers.resources')}</dt>
                    <dd>
                      <Link to={`/admin/resources?serverId=${server.id}`}>{t('servers.resourceCount', { count: server.resourceCount ?? 0 })}</Link>
                    </dd>
                    {server.hostKeyFingerprint ? (
                      <>
                        <dt>{t('servers.fingerprint')}</dt>
                        <dd className="mono wrap">{server.hostKeyFingerprint}</dd>
                      </>
                    ) : null}
                  </dl>
                  <ServerControls server={server} />
                  {(server.resourceCount ?? 0) === 0 ? <ConfirmButton label={t('servers.retire')} confirmLabel={t('servers.confirmRetire', { name: server.name })} onConfirm={() => remove.mutate(server.id)} /> : null}
                </li>
              ))}
            </ul>
          )
        ) : (
          <QueryState error={servers.error} isPending={servers.isPending} />
        )}
      </Section>
      <AddServerForm />
    </Page>
  );
}

const RESOURCE_TYPES = ['domain', 'site', 'mailbox', 'mail_alias', 'database', 'database_user'] as const;
const PHASES = ['pending', 'applying', 'ready', 'failed', 'deleting'] as const;

/** Resources of every organisation: by name, type, phase or server. */
export function ResourcesPage() {
  const t = useT();
  const [params, setParams] = useSearchParams();
  const servers = useServers();
  const serverNames = new Map((servers.data ?? []).map((server) => [server.id, server.name]));
  const filters = {
    q: params.get('q') ?? '',
    type: params.get('type') ?? '',
    phase: params.get('phase') ?? '',
    serverId: params.get('serverId') ?? '',
  };
  const query = Object.fromEntries(Object.entries(filters).filter(([, value]) => value)) as { q?: string; type?: (typeof RESOURCE_TYPES)[number]; phase?: (typeof PHASES)[number]; serverId?: string };
  const results = usePagedList<ResourceRow>(['admin-resources', query], (cursor) => unwrap(api.GET('/api/v1/resources', { params: { query: { ...query, limit: 50, ...(cursor ? { cursor } : {}) } } })), {
    live: pollWhileBusy,
  });
  return (
    <Page title={t('resources.title')}>
      <Section title={t('resources.search')}>
        <form
          className="inline-form"
          role="search"
          onSubmit={(event) => {
            event.preventDefault();
            const values = formValues(event.currentTarget);
            setParams(Object.fromEntries(Object.entries(values).filter(([, value]) => value)));
          }}
        >
          <Field label={t('resources.query')} name="q" type="search" defaultValue={filters.q} hint={t('resources.queryHint')} />
          <SelectField label={t('resources.type')} name="type" defaultValue={filters.type} options={[{ value: '', label: t('common.all') }, ...RESOURCE_TYPES.map((type) => ({ value: type, label: t(RESOURCE_TYPE_LABELS[type]!) }))]} />
          <SelectField label={t('common.status')} name="phase" defaultValue={filters.phase} options={[{ value: '', label: t('common.all') }, ...PHASES.map((phase) => ({ value: phase, label: t(`phase.${phase}` as MessageId) }))]} />
          <SelectField label={t('resources.server')} name="serverId" defaultValue={filters.serverId} options={[{ value: '', label: t('common.all') }, ...(servers.data ?? []).map((server) => ({ value: server.id, label: server.name }))]} />
          <button type="submit" className="primary">
            {t('resources.submit')}
          </button>
        </form>
      </Section>
      <Section title={t('resources.results')}>
        {results.isPending || results.error ? (
          <QueryState error={results.error} isPending={results.isPending} />
        ) : results.items.length === 0 ? (
          <Empty>{t('resources.none')}</Empty>
        ) : (
          <ResourceTable resources={results.items} servers={serverNames} />
        )}
        <MoreButton hasMore={results.hasNextPage} loading={results.isFetchingNextPage} onClick={() => results.fetchNextPage()} />
      </Section>
    </Page>
  );
}

/** A change's before and after, as a list of fields (never raw JSON); names and values are the data's own, shown as code. */
function Changes({ before, after }: { before: Record<string, unknown> | null; after: Record<string, unknown> | null }) {
  const t = useT();
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  if (keys.length === 0) return null;
  const show = (value: unknown): string => {
    if (value === undefined) return '—';
    if (value === null) return t('audit.none');
    if (Array.isArray(value)) return value.map(show).join(', ');
    if (typeof value === 'object') return Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}: ${show(v)}`).join(' · ');
    if (typeof value === 'boolean') return value ? t('common.yes') : t('common.no');
    return String(value);
  };
  return (
    <dl className="changes">
      {keys.map((key) => (
        <div key={key}>
          <dt>
            <code>{key}</code>
          </dt>
          <dd>
            {before && key in before ? (
              <del>
                <code>{show(before[key])}</code>
              </del>
            ) : null}
            {before && key in before && after && key in after ? ' → ' : null}
            {after && key in after ? (
              <ins>
                <code>{show(after[key])}</code>
              </ins>
            ) : null}
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function AuditPage() {
  const t = useT();
  const format = useFormat();
  const [params, setParams] = useSearchParams();
  const filters = {
    action: params.get('action') ?? '',
    targetType: params.get('targetType') ?? '',
    organizationId: params.get('organizationId') ?? '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
  };
  const query = {
    ...(filters.action ? { action: filters.action } : {}),
    ...(filters.targetType ? { targetType: filters.targetType } : {}),
    ...(filters.organizationId ? { organizationId: filters.organizationId } : {}),
    ...(filters.from ? { from: new Date(`${filters.from}T00:00:00`).toISOString() } : {}),
    ...(filters.to ? { to: new Date(`${filters.to}T23:59:59`).toISOString() } : {}),
  };
  const events = usePagedList(['audit', query], (cursor) => unwrap(api.GET('/api/v1/audit-events', { params: { query: { ...query, limit: 50, ...(cursor ? { cursor } : {}) } } })));
  const organizations = useQuery({
    queryKey: ['organizations', 'all'],
    queryFn: async () => (await unwrap(api.GET('/api/v1/organizations', { params: { query: { limit: 200 } } }))).data,
    staleTime: 60_000,
  });
  const orgNames = new Map((organizations.data ?? []).map((o) => [o.id, o.name]));
  return (
    <Page title={t('audit.title')}>
      <Section title={t('audit.filters')}>
        <form
          className="inline-form"
          role="search"
          onSubmit={(event) => {
            event.preventDefault();
            const values = formValues(event.currentTarget);
            setParams(Object.fromEntries(Object.entries(values).filter(([, value]) => value)));
          }}
        >
          <Field label={t('audit.action')} name="action" defaultValue={filters.action} placeholder="site.create" hint={t('audit.actionHint')} />
          <Field label={t('audit.targetType')} name="targetType" defaultValue={filters.targetType} placeholder="site" />
          <SelectField label={t('resources.organization')} name="organizationId" defaultValue={filters.organizationId} options={[{ value: '', label: t('common.all') }, ...(organizations.data ?? []).map((o) => ({ value: o.id, label: o.name }))]} />
          <Field label={t('audit.from')} name="from" type="date" defaultValue={filters.from} />
          <Field label={t('audit.to')} name="to" type="date" defaultValue={filters.to} />
          <button type="submit" className="primary">
            {t('audit.apply')}
          </button>
        </form>
      </Section>
      <Section title={t('audit.events')}>
        {events.isPending || events.error ? (
          <QueryState error={events.error} isPending={events.isPending} />
        ) : events.items.length === 0 ? (
          <Empty>{t('audit.empty')}</Empty>
        ) : (
          <TableWrap>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('audit.when')}</th>
                  <th scope="col">{t('audit.who')}</th>
                  <th scope="col">{t('audit.action')}</th>
                  <th scope="col">{t('resources.organization')}</th>
                  <th scope="col">{t('audit.changes')}</th>
                </tr>
              </thead>
              <tbody>
                {events.items.map((event) => (
                  <tr key={event.id}>
                    <td>
                      <time dateTime={event.at}>{format.dateTime(event.at)}</time>
                    </td>
                    <td>
                      {event.actorType === 'system' ? t('audit.system') : (event.actorLabel ?? '—')}
                      {event.ip ? <span className="hint block mono">{event.ip}</span> : null}
                    </td>
                    <th scope="row">
                      <code>{event.action}</code>
                      <span className="hint block">
                        {TARGET_TYPES[event.targetType] ? t(TARGET_TYPES[event.targetType]!) : <code>{event.targetType}</code>}
                        {event.targetId ? <code>{` · ${event.targetId.slice(0, 8)}`}</code> : null}
                      </span>
                    </th>
                    <td>{event.organizationId ? (orgNames.get(event.organizationId) ?? event.organizationId.slice(0, 8)) : '—'}</td>
                    <td>
                      <Changes before={event.before} after={event.after} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
        <MoreButton hasMore={events.hasNextPage} loading={events.isFetchingNextPage} onClick={() => events.fetchNextPage()} />
      </Section>
    </Page>
  );
}
