import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Item } from '../../api/client';
import { pollWhileBusy, usePagedList } from '../../api/lists';
import { ConfirmButton, Empty, Field, fieldError, FormError, formValues, MoreButton, Page, PhaseBadge, QueryState, SecretOnce, Section, SelectField } from '../../components/ui';
import { useFormat, useT } from '../../i18n/i18n';
import { generatePassword, useHostingProfile, useOrganization } from './common';

type DatabaseRow = Item<'/api/v1/databases'>;
type UserRow = Item<'/api/v1/database-users'>;

const ENGINE_LABELS = { mariadb: 'MariaDB', postgresql: 'PostgreSQL' } as const;

function ConnectionDetails({ database }: { database: DatabaseRow }) {
  const t = useT();
  const connection = useQuery({
    queryKey: ['connection', database.id],
    queryFn: () => unwrap(api.GET('/api/v1/databases/{id}/connection', { params: { path: { id: database.id } } })),
  });
  if (!connection.data) return <QueryState error={connection.error} isPending={connection.isPending} />;
  const c = connection.data;
  return (
    <dl className="details">
      <dt>{t('db.host')}</dt>
      <dd className="mono">{c.host}</dd>
      <dt>{t('db.port')}</dt>
      <dd className="mono">{c.port}</dd>
      <dt>{t('db.database')}</dt>
      <dd className="mono">{c.database}</dd>
      <dt>{t('db.example')}</dt>
      <dd className="mono wrap">{c.engine === 'mariadb' ? `mysql -h ${c.host} -P ${c.port} -u <${t('db.user')}> -p ${c.database}` : `psql "host=${c.host} port=${c.port} dbname=${c.database} user=<${t('db.user')}>"`}</dd>
    </dl>
  );
}

function DatabaseRowView({ database }: { database: DatabaseRow }) {
  const t = useT();
  const format = useFormat();
  const client = useQueryClient();
  const [showConnection, setShowConnection] = useState(false);
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/databases/{id}', { params: { path: { id: database.id } } })),
    onSettled: () => client.invalidateQueries({ queryKey: ['databases', database.organizationId] }),
  });
  return (
    <li className="resource-card" data-resource={database.name}>
      <div className="resource-head">
        <h3 className="mono">{database.name}</h3>
        <PhaseBadge resource={database} />
      </div>
      <p>
        {ENGINE_LABELS[database.engine]} · {format.bytes(database.storageBytes)}
      </p>
      <div className="actions">
        <button type="button" aria-expanded={showConnection} onClick={() => setShowConnection((value) => !value)}>
          {t('db.connection')}
        </button>
        <ConfirmButton label={t('common.delete')} confirmLabel={t('db.confirmDelete', { name: database.name })} onConfirm={() => remove.mutate()} disabled={database.phase === 'deleting'} />
      </div>
      {showConnection ? <ConnectionDetails database={database} /> : null}
      <FormError error={remove.error} />
    </li>
  );
}

function UserRowView({ user, databases }: { user: UserRow; databases: DatabaseRow[] }) {
  const t = useT();
  const client = useQueryClient();
  const [password, setPassword] = useState<string | null>(null);
  const refresh = () => client.invalidateQueries({ queryKey: ['database-users', user.organizationId] });
  const reset = useMutation({
    mutationFn: async () => {
      const fresh = generatePassword();
      await unwrap(api.PATCH('/api/v1/database-users/{id}', { params: { path: { id: user.id } }, body: { password: fresh } }));
      return fresh;
    },
    onSuccess: (fresh) => {
      setPassword(fresh);
      void refresh();
    },
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/database-users/{id}', { params: { path: { id: user.id } } })),
    onSettled: refresh,
  });
  const names = new Map(databases.map((database) => [database.id, database.name]));
  return (
    <li className="resource-card" data-resource={user.name}>
      <div className="resource-head">
        <h3 className="mono">{user.name}</h3>
        <PhaseBadge resource={user} />
      </div>
      <p>
        {ENGINE_LABELS[user.engine]} · {user.databases.length === 0 ? t('db.noGrants') : t('db.grants', { databases: user.databases.map((id) => names.get(id) ?? id).join(', ') })}
      </p>
      {password ? <SecretOnce label={t('db.newPassword', { user: user.name })} value={password} onDone={() => setPassword(null)} /> : null}
      <div className="actions">
        <ConfirmButton label={t('db.resetPassword')} confirmLabel={t('db.confirmReset')} onConfirm={() => reset.mutate()} disabled={user.phase === 'deleting'} />
        <ConfirmButton label={t('common.delete')} confirmLabel={t('db.confirmDeleteUser', { name: user.name })} onConfirm={() => remove.mutate()} disabled={user.phase === 'deleting'} />
      </div>
      <FormError error={reset.error ?? remove.error} />
    </li>
  );
}

export function DatabasesPage() {
  const organization = useOrganization();
  const t = useT();
  const client = useQueryClient();
  const profile = useHostingProfile(organization.id);
  const prefix = profile.data ? `${profile.data.prefix}_` : '';
  const databases = usePagedList<DatabaseRow>(['databases', organization.id], (cursor) => unwrap(api.GET('/api/v1/databases', { params: { query: { organizationId: organization.id, limit: 200, ...(cursor ? { cursor } : {}) } } })), {
    live: pollWhileBusy,
  });
  const users = usePagedList<UserRow>(['database-users', organization.id], (cursor) => unwrap(api.GET('/api/v1/database-users', { params: { query: { organizationId: organization.id, limit: 200, ...(cursor ? { cursor } : {}) } } })), {
    live: pollWhileBusy,
  });
  const [engine, setEngine] = useState<'mariadb' | 'postgresql'>('mariadb');
  const [created, setCreated] = useState<{ name: string; password: string } | null>(null);
  const addDatabase = useMutation({
    mutationFn: (values: { engine: 'mariadb' | 'postgresql'; name: string }) => unwrap(api.POST('/api/v1/databases', { body: { organizationId: organization.id, ...values } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['databases', organization.id] }),
  });
  const addUser = useMutation({
    mutationFn: (values: { engine: 'mariadb' | 'postgresql'; name: string; databases: string[] }) => unwrap(api.POST('/api/v1/database-users', { body: { organizationId: organization.id, ...values } })),
    onSuccess: (user) => {
      if (user.password) setCreated({ name: user.name, password: user.password });
      void client.invalidateQueries({ queryKey: ['database-users', organization.id] });
    },
  });
  const engineOptions = [
    { value: 'mariadb', label: 'MariaDB' },
    { value: 'postgresql', label: 'PostgreSQL' },
  ];
  const sameEngine = databases.items.filter((database) => database.engine === engine && database.phase !== 'deleting');
  return (
    <Page title={t('db.title')}>
      <div className="grid">
        <Section title={t('db.addDatabase')}>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              const form = event.currentTarget;
              const values = formValues(form);
              addDatabase.mutate({ engine: values.engine as 'mariadb', name: values.name ?? '' }, { onSuccess: () => form.reset() });
            }}
          >
            <FormError error={addDatabase.error && !fieldError(addDatabase.error, 'name') ? addDatabase.error : null} />
            <SelectField label={t('db.engine')} name="engine" options={engineOptions} />
            <Field label={t('db.name')} name="name" required hint={t('db.nameHint', { prefix })} error={fieldError(addDatabase.error, 'name')} autoComplete="off" />
            <button type="submit" className="primary" disabled={addDatabase.isPending}>
              {t('db.createDatabase')}
            </button>
          </form>
        </Section>
        <Section title={t('db.addUser')}>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              const form = event.currentTarget;
              const data = new FormData(form);
              addUser.mutate(
                { engine, name: String(data.get('name') ?? '').trim(), databases: data.getAll('databases').map(String) },
                { onSuccess: () => form.reset() },
              );
            }}
          >
            <FormError error={addUser.error && !fieldError(addUser.error, 'name') ? addUser.error : null} />
            <SelectField label={t('db.engine')} name="engine" value={engine} onChange={(event) => setEngine(event.target.value as 'mariadb')} options={engineOptions} />
            <Field label={t('db.userName')} name="name" required hint={t('db.nameHint', { prefix })} error={fieldError(addUser.error, 'name')} autoComplete="off" />
            {sameEngine.length > 0 ? (
              <fieldset className="choice">
                <legend>{t('db.userDatabases')}</legend>
                {sameEngine.map((database) => (
                  <label key={database.id}>
                    <input type="checkbox" name="databases" value={database.id} /> <span className="mono">{database.name}</span>
                  </label>
                ))}
              </fieldset>
            ) : null}
            <p className="hint">{t('db.passwordGenerated')}</p>
            <button type="submit" className="primary" disabled={addUser.isPending}>
              {t('db.createUser')}
            </button>
          </form>
          {created ? <SecretOnce label={t('db.newPassword', { user: created.name })} value={created.password} onDone={() => setCreated(null)} /> : null}
        </Section>
      </div>
      <Section title={t('db.databases')}>
        {databases.isPending || databases.error ? (
          <QueryState error={databases.error} isPending={databases.isPending} />
        ) : databases.items.length === 0 ? (
          <Empty>{t('db.noDatabases')}</Empty>
        ) : (
          <ul className="cards">
            {databases.items.map((database) => (
              <DatabaseRowView key={database.id} database={database} />
            ))}
          </ul>
        )}
        <MoreButton hasMore={databases.hasNextPage} loading={databases.isFetchingNextPage} onClick={() => databases.fetchNextPage()} />
      </Section>
      <Section title={t('db.users')}>
        {users.isPending || users.error ? (
          <QueryState error={users.error} isPending={users.isPending} />
        ) : users.items.length === 0 ? (
          <Empty>{t('db.noUsers')}</Empty>
        ) : (
          <ul className="cards">
            {users.items.map((user) => (
              <UserRowView key={user.id} user={user} databases={databases.items} />
            ))}
          </ul>
        )}
        <MoreButton hasMore={users.hasNextPage} loading={users.isFetchingNextPage} onClick={() => users.fetchNextPage()} />
      </Section>
    </Page>
  );
}
