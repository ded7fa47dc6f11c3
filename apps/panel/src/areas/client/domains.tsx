import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, ApiError, unwrap, type Item } from '../../api/client';
import { pollWhileBusy, usePagedList } from '../../api/lists';
import { Checkbox, ConfirmButton, Empty, Field, fieldError, FormError, formValues, MoreButton, Notice, Page, PhaseBadge, QueryState, Section, SelectField, TableWrap } from '../../components/ui';
import { useT } from '../../i18n/i18n';
import { checkRecord, RECORD_TYPES, type RecordDraft, type RecordProblems, type RecordType } from './dns-checks';
import { useHostingProfile, useOrganization } from './common';

type DomainRow = Item<'/api/v1/domains'>;

export function DomainsPage() {
  const organization = useOrganization();
  const t = useT();
  const client = useQueryClient();
  const profile = useHostingProfile(organization.id);
  const domains = usePagedList<DomainRow>(
    ['domains', organization.id],
    (cursor) => unwrap(api.GET('/api/v1/domains', { params: { query: { organizationId: organization.id, limit: 100, ...(cursor ? { cursor } : {}) } } })),
    { live: pollWhileBusy },
  );
  const add = useMutation({
    mutationFn: (values: { name: string; mailEnabled: boolean }) => unwrap(api.POST('/api/v1/domains', { body: { organizationId: organization.id, ...values } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['domains', organization.id] }),
  });
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/domains/{id}', { params: { path: { id } } })),
    onSettled: () => client.invalidateQueries({ queryKey: ['domains', organization.id] }),
  });
  const nameservers = profile.data?.nameservers ?? [];
  return (
    <Page title={t('domains.title')}>
      <Section title={t('domains.add')}>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const form = event.currentTarget;
            const values = formValues(form);
            add.mutate({ name: values.name ?? '', mailEnabled: new FormData(form).get('mailEnabled') === 'on' }, { onSuccess: () => form.reset() });
          }}
        >
          <FormError error={add.error && !fieldError(add.error, 'name') ? add.error : null} />
          <Field label={t('domains.name')} name="name" required placeholder={t('domains.namePlaceholder')} hint={t('domains.nameHint')} error={fieldError(add.error, 'name')} autoComplete="off" />
          <Checkbox label={t('domains.mailEnabled')} name="mailEnabled" defaultChecked />
          <button type="submit" className="primary" disabled={add.isPending}>
            {t('domains.submit')}
          </button>
        </form>
        {nameservers.length > 0 ? (
          <div className="nameservers">
            <p>{t('domains.nameservers')}</p>
            <ul>
              {nameservers.map((ns) => (
                <li key={ns}>
                  <code>{ns}</code>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </Section>
      <SeveralDomainsForm organizationId={organization.id} />
      <Section title={t('domains.list')}>
        <FormError error={remove.error} />
        {domains.isPending || domains.error ? (
          <QueryState error={domains.error} isPending={domains.isPending} />
        ) : domains.items.length === 0 ? (
          <Empty>{t('domains.empty')}</Empty>
        ) : (
          <TableWrap>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('domains.name')}</th>
                  <th scope="col">{t('domains.mail')}</th>
                  <th scope="col">{t('common.status')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {domains.items.map((domain) => (
                  <tr key={domain.id} data-resource={domain.unicodeName}>
                    <th scope="row">
                      <Link to={`/o/${organization.id}/domains/${domain.id}`}>{domain.unicodeName}</Link>
                      {domain.unicodeName !== domain.name ? <span className="hint block">{domain.name}</span> : null}
                    </th>
                    <td>{domain.mailEnabled ? t('common.on') : t('common.off')}</td>
                    <td>
                      <PhaseBadge resource={domain} />
                    </td>
                    <td className="actions-cell">
                      <Link to={`/o/${organization.id}/domains/${domain.id}`}>{t('domains.records')}</Link>
                      <ConfirmButton label={t('common.delete')} confirmLabel={t('domains.confirmDelete', { name: domain.unicodeName })} onConfirm={() => remove.mutate(domain.id)} disabled={domain.phase === 'deleting'} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
        <MoreButton hasMore={domains.hasNextPage} loading={domains.isFetchingNextPage} onClick={() => domains.fetchNextPage()} />
      </Section>
    </Page>
  );
}

/** A domain name as the API compares it (lower case, IDNA): the browser's own URL parser does it. */
function asciiName(name: string): string | null {
  try {
    return new URL(`http://${name}`).hostname;
  } catch {
    return null;
  }
}

/** The names of a list, one per line, each with its line as typed; blank lines are left out, nothing else is changed (the API checks each name). */
function namesOf(text: string): Array<{ name: string; line: number }> {
  return text
    .split('\n')
    .map((line, index) => ({ name: line.trim(), line: index + 1 }))
    .filter((entry) => entry.name.length > 0);
}

/**
 * Several domains at once (a client moving in): one request, all added or none. A name the API
 * refuses is shown with its line; a name held elsewhere is named by the API's message.
 */
function SeveralDomainsForm({ organizationId }: { organizationId: string }) {
  const t = useT();
  const client = useQueryClient();
  const add = useMutation({
    mutationFn: (values: { names: Array<{ name: string; line: number }>; mailEnabled: boolean }) =>
      unwrap(api.POST('/api/v1/domains/batch', { body: { organizationId, domains: values.names.map(({ name }) => ({ name, mailEnabled: values.mailEnabled })) } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['domains', organizationId] }),
  });
  const error = add.error instanceof ApiError ? add.error : null;
  // A name held elsewhere (409) is named by the API in its ASCII form: find the line that typed it.
  const taken = error?.code === 'domain_taken' && typeof error.facts.name === 'string' ? error.facts.name : null;
  // The lines sent are the mutation's own variables (`domains.3` also answers for `domains.3.name`).
  const lineProblems = (add.variables?.names ?? []).flatMap(({ name, line }, index) => {
    const message = fieldError(error, `domains.${index}`) ?? (taken !== null && asciiName(name) === taken ? error!.message : undefined);
    return message ? [{ line, name, message }] : [];
  });
  const listProblem = error?.exactFieldMessage('domains');
  return (
    <Section title={t('domains.addSeveral')}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const form = event.currentTarget;
          const data = new FormData(form);
          add.mutate({ names: namesOf(String(data.get('names') ?? '')), mailEnabled: data.get('mailEnabled') === 'on' }, { onSuccess: () => form.reset() });
        }}
      >
        <FormError error={add.error && lineProblems.length === 0 && !listProblem ? add.error : null} />
        {lineProblems.length > 0 ? (
          <div className="alert alert-error" role="alert">
            <p>{t('domains.severalRefused')}</p>
            <ul>
              {lineProblems.map((problem) => (
                <li key={problem.line}>{t('domains.severalLine', { line: problem.line, name: problem.name, message: problem.message })}</li>
              ))}
            </ul>
          </div>
        ) : null}
        <div className="field">
          <label htmlFor="several-domains">{t('domains.severalNames')}</label>
          <textarea
            id="several-domains"
            name="names"
            rows={5}
            required
            className="mono"
            autoComplete="off"
            spellCheck={false}
            aria-invalid={lineProblems.length > 0 || listProblem ? true : undefined}
            aria-describedby={listProblem ? 'several-domains-hint several-domains-error' : 'several-domains-hint'}
          />
          <p className="hint" id="several-domains-hint">
            {t('domains.severalHint')}
          </p>
          {listProblem ? (
            <p className="field-error" id="several-domains-error">
              {listProblem}
            </p>
          ) : null}
        </div>
        <Checkbox label={t('domains.severalMailEnabled')} name="mailEnabled" defaultChecked />
        <button type="submit" disabled={add.isPending}>
          {t('domains.severalSubmit')}
        </button>
        {add.data ? <Notice tone="success">{t('domains.severalAdded', { count: add.data.data.length })}</Notice> : null}
      </form>
    </Section>
  );
}

type RecordRow = Item<'/api/v1/domains/{id}/records'>;

const EMPTY_DRAFT: RecordDraft = { type: 'A', name: '', value: '', ttl: '', priority: '' };

function RecordForm({ domainId, organizationId }: { domainId: string; organizationId: string }) {
  const t = useT();
  const client = useQueryClient();
  const [draft, setDraft] = useState<RecordDraft>(EMPTY_DRAFT);
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [submitted, setSubmitted] = useState(false);
  const problems: RecordProblems = checkRecord(draft);
  const add = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/domains/{id}/records', {
          params: { path: { id: domainId } },
          body: {
            type: draft.type,
            name: draft.name.trim() || '@',
            value: draft.value.trim(),
            ...(draft.ttl.trim() ? { ttl: Number(draft.ttl) } : {}),
            ...(draft.type === 'MX' || draft.type === 'SRV' ? { priority: Number(draft.priority) } : {}),
          },
        }),
      ),
    onSuccess: () => {
      setDraft({ ...EMPTY_DRAFT, type: draft.type });
      setTouched({});
      setSubmitted(false);
      void client.invalidateQueries({ queryKey: ['records', domainId] });
      void client.invalidateQueries({ queryKey: ['domain', domainId] });
      void client.invalidateQueries({ queryKey: ['domains', organizationId] });
    },
  });
  const shown = (field: keyof RecordProblems) => {
    const local = (touched[field] || submitted) && problems[field] ? t(problems[field]!) : undefined;
    return local ?? fieldError(add.error, field);
  };
  const set = (field: keyof RecordDraft) => (event: { target: { value: string } }) => setDraft((current) => ({ ...current, [field]: event.target.value }));
  const blur = (field: string) => () => setTouched((current) => ({ ...current, [field]: true }));
  const needsPriority = draft.type === 'MX' || draft.type === 'SRV';
  return (
    <form
      className="record-form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        setSubmitted(true);
        if (Object.keys(problems).length === 0) add.mutate();
      }}
    >
      <FormError error={add.error && !['name', 'value', 'ttl', 'priority'].some((f) => fieldError(add.error, f)) ? add.error : null} />
      <div className="form-row">
        <SelectField label={t('dns.type')} name="type" value={draft.type} onChange={(event) => setDraft((current) => ({ ...current, type: event.target.value as RecordType }))} options={RECORD_TYPES.map((type) => ({ value: type, label: type }))} />
        <Field label={t('dns.name')} name="name" value={draft.name} onChange={set('name')} onBlur={blur('name')} placeholder="@" hint={t('dns.nameHint')} error={shown('name')} autoComplete="off" />
        <Field label={t('dns.value')} name="value" value={draft.value} onChange={set('value')} onBlur={blur('value')} required error={shown('value')} hint={t(`dns.valueHint.${draft.type}` as 'dns.valueHint.A')} autoComplete="off" />
        {needsPriority ? (
          <Field label={t('dns.priority')} name="priority" type="number" inputMode="numeric" min={0} max={65535} value={draft.priority} onChange={set('priority')} onBlur={blur('priority')} error={shown('priority')} />
        ) : null}
        <Field label={t('dns.ttl')} name="ttl" type="number" inputMode="numeric" min={60} max={604800} value={draft.ttl} onChange={set('ttl')} onBlur={blur('ttl')} placeholder="3600" error={shown('ttl')} />
      </div>
      <button type="submit" className="primary" disabled={add.isPending}>
        {t('dns.add')}
      </button>
    </form>
  );
}

function RecordRowView({ record, domainId }: { record: RecordRow; domainId: string }) {
  const t = useT();
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const refresh = () => client.invalidateQueries({ queryKey: ['records', domainId] });
  const update = useMutation({
    mutationFn: (values: Record<string, string>) =>
      unwrap(
        api.PATCH('/api/v1/domains/{id}/records/{recordId}', {
          params: { path: { id: domainId, recordId: record.id } },
          body: { value: values.value ?? '', ...(values.ttl ? { ttl: Number(values.ttl) } : {}) },
        }),
      ),
    onSuccess: () => {
      setEditing(false);
      void refresh();
    },
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/domains/{id}/records/{recordId}', { params: { path: { id: domainId, recordId: record.id } } })),
    onSuccess: refresh,
  });
  return (
    <tr>
      <td>{record.type}</td>
      <th scope="row" className="mono">
        {record.name}
      </th>
      <td className="mono wrap">
        {editing ? (
          <form
            className="inline-edit"
            onSubmit={(event) => {
              event.preventDefault();
              update.mutate(formValues(event.currentTarget));
            }}
          >
            <FormError error={update.error && !fieldError(update.error, 'value') ? update.error : null} />
            <Field label={t('dns.value')} name="value" defaultValue={record.value} error={fieldError(update.error, 'value')} required />
            <Field label={t('dns.ttl')} name="ttl" type="number" defaultValue={record.ttl} error={fieldError(update.error, 'ttl')} />
            <button type="submit" className="primary" disabled={update.isPending}>
              {t('common.save')}
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              {t('common.cancel')}
            </button>
          </form>
        ) : (
          <>
            {record.priority !== null ? `${record.priority} ` : ''}
            {record.value}
          </>
        )}
      </td>
      <td>{record.ttl}</td>
      <td className="actions-cell">
        {editing ? null : (
          <button type="button" onClick={() => setEditing(true)}>
            {t('common.edit')}
          </button>
        )}
        <ConfirmButton label={t('common.delete')} confirmLabel={t('dns.confirmDelete')} onConfirm={() => remove.mutate()} />
      </td>
    </tr>
  );
}

export function DomainRecordsPage() {
  const organization = useOrganization();
  const { domainId = '' } = useParams();
  const t = useT();
  const domain = useQuery({
    queryKey: ['domain', domainId],
    queryFn: () => unwrap(api.GET('/api/v1/domains/{id}', { params: { path: { id: domainId } } })),
    refetchInterval: (query) => pollWhileBusy(query.state.data ? [query.state.data] : []),
  });
  const records = usePagedList<RecordRow>(['records', domainId], (cursor) =>
    unwrap(api.GET('/api/v1/domains/{id}/records', { params: { path: { id: domainId }, query: { limit: 200, ...(cursor ? { cursor } : {}) } } })),
  );
  // A domain of another organisation (or none) is not found, whatever the URL says.
  if (!domain.data || domain.data.organizationId !== organization.id) return <QueryState error={domain.error ?? (domain.data ? new ApiError(404, 'not_found', '') : null)} isPending={domain.isPending} />;
  return (
    <Page title={t('dns.title', { domain: domain.data.unicodeName })} intro={<PhaseBadge resource={domain.data} />}>
      <p>
        <Link to={`/o/${organization.id}/domains`}>{t('dns.back')}</Link>
      </p>
      <Section title={t('dns.addTitle')}>
        <RecordForm domainId={domainId} organizationId={organization.id} />
      </Section>
      <Section title={t('dns.list')}>
        {records.isPending || records.error ? (
          <QueryState error={records.error} isPending={records.isPending} />
        ) : records.items.length === 0 ? (
          <Empty>{t('dns.empty')}</Empty>
        ) : (
          <TableWrap>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('dns.type')}</th>
                  <th scope="col">{t('dns.name')}</th>
                  <th scope="col">{t('dns.value')}</th>
                  <th scope="col">{t('dns.ttl')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {records.items.map((record) => (
                  <RecordRowView key={record.id} record={record} domainId={domainId} />
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
        <MoreButton hasMore={records.hasNextPage} loading={records.isFetchingNextPage} onClick={() => records.fetchNextPage()} />
      </Section>
    </Page>
  );
}
