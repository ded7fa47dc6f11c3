import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Item } from '../../api/client';
import { pollWhileBusy, usePagedList } from '../../api/lists';
import { ConfirmButton, Empty, Field, fieldError, FormError, formValues, MoreButton, Page, PhaseBadge, QueryState, Section, SelectField, UsageMeter, TableWrap } from '../../components/ui';
import { useFormat, useT } from '../../i18n/i18n';
import { useDomains, useOrganization } from './common';

type MailboxRow = Item<'/api/v1/mailboxes'>;
type AliasRow = Item<'/api/v1/aliases'>;

/** The local part and a pick of the organisation's mail domains: an address that can only be one of theirs. */
function AddressFields({ error, allowCatchAll }: { error?: string | undefined; allowCatchAll?: boolean }) {
  const organization = useOrganization();
  const t = useT();
  const domains = useDomains(organization.id);
  const mailDomains = (domains.data ?? []).filter((domain) => domain.mailEnabled && domain.phase !== 'deleting');
  if (domains.data && mailDomains.length === 0) return <p className="alert alert-warning">{t('mail.noDomain')}</p>;
  return (
    <div className="form-row">
      <Field label={t('mail.localPart')} name="localPart" required autoComplete="off" hint={allowCatchAll ? t('mail.catchAllHint') : undefined} error={error} />
      <SelectField label={t('mail.domain')} name="domain" options={mailDomains.map((domain) => ({ value: domain.name, label: `@${domain.unicodeName}` }))} />
    </div>
  );
}

function MailboxRowView({ mailbox }: { mailbox: MailboxRow }) {
  const t = useT();
  const format = useFormat();
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const refresh = () => client.invalidateQueries({ queryKey: ['mailboxes', mailbox.organizationId] });
  const update = useMutation({
    mutationFn: (values: Record<string, string>) =>
      unwrap(
        api.PATCH('/api/v1/mailboxes/{id}', {
          params: { path: { id: mailbox.id } },
          body: { ...(values.password ? { password: values.password } : {}), ...(values.quotaMb ? { quotaMb: Number(values.quotaMb) } : {}) },
        }),
      ),
    onSuccess: () => {
      setEditing(false);
      void refresh();
    },
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/mailboxes/{id}', { params: { path: { id: mailbox.id } } })),
    onSettled: refresh,
  });
  return (
    <li className="resource-card" data-resource={mailbox.address}>
      <div className="resource-head">
        <h3>{mailbox.address}</h3>
        <PhaseBadge resource={mailbox} />
      </div>
      <UsageMeter label={t('mail.quota')} used={mailbox.usedBytes / 1024 / 1024} limit={mailbox.quotaMb} format={format.megabytes} />
      {editing ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            update.mutate(formValues(event.currentTarget));
          }}
        >
          <FormError error={update.error && !fieldError(update.error, 'password') && !fieldError(update.error, 'quotaMb') ? update.error : null} />
          <div className="form-row">
            <Field label={t('mail.newPassword')} name="password" type="password" autoComplete="new-password" minLength={12} hint={t('mail.keepPassword')} error={fieldError(update.error, 'password')} />
            <Field label={t('mail.quotaMb')} name="quotaMb" type="number" min={1} defaultValue={mailbox.quotaMb} error={fieldError(update.error, 'quotaMb')} />
          </div>
          <div className="actions">
            <button type="submit" className="primary" disabled={update.isPending}>
              {t('common.save')}
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      ) : (
        <div className="actions">
          <button type="button" onClick={() => setEditing(true)} disabled={mailbox.phase === 'deleting'}>
            {t('mail.change')}
          </button>
          <ConfirmButton label={t('common.delete')} confirmLabel={t('mail.confirmDeleteMailbox', { address: mailbox.address })} onConfirm={() => remove.mutate()} disabled={mailbox.phase === 'deleting'} />
        </div>
      )}
      <FormError error={remove.error} />
    </li>
  );
}

export function MailboxesPage() {
  const organization = useOrganization();
  const t = useT();
  const client = useQueryClient();
  const key = ['mailboxes', organization.id];
  const mailboxes = usePagedList<MailboxRow>(key, (cursor) => unwrap(api.GET('/api/v1/mailboxes', { params: { query: { organizationId: organization.id, limit: 100, ...(cursor ? { cursor } : {}) } } })), {
    live: pollWhileBusy,
  });
  const [mismatch, setMismatch] = useState(false);
  const add = useMutation({
    mutationFn: (values: { address: string; password: string; quotaMb: number }) => unwrap(api.POST('/api/v1/mailboxes', { body: { organizationId: organization.id, ...values } })),
    onSuccess: () => client.invalidateQueries({ queryKey: key }),
  });
  return (
    <Page title={t('mail.mailboxesTitle')}>
      <Section title={t('mail.addMailbox')}>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const form = event.currentTarget;
            const values = formValues(form);
            const data = new FormData(form);
            const password = String(data.get('password') ?? '');
            const different = password !== String(data.get('confirm') ?? '');
            setMismatch(different);
            if (different) return;
            add.mutate({ address: `${values.localPart}@${values.domain}`, password, quotaMb: Number(values.quotaMb) }, { onSuccess: () => form.reset() });
          }}
        >
          <FormError error={add.error && !['address', 'password', 'quotaMb'].some((f) => fieldError(add.error, f)) ? add.error : null} />
          <AddressFields error={fieldError(add.error, 'address')} />
          <div className="form-row">
            <Field label={t('field.password')} name="password" type="password" autoComplete="new-password" minLength={12} required hint={t('field.passwordHint')} error={fieldError(add.error, 'password')} />
            <Field label={t('field.confirmPassword')} name="confirm" type="password" autoComplete="new-password" required error={mismatch ? t('field.passwordMismatch') : undefined} />
            <Field label={t('mail.quotaMb')} name="quotaMb" type="number" min={1} max={1048576} defaultValue={1024} required error={fieldError(add.error, 'quotaMb')} />
          </div>
          <button type="submit" className="primary" disabled={add.isPending}>
            {t('mail.createMailbox')}
          </button>
        </form>
      </Section>
      <Section title={t('mail.mailboxesList')}>
        {mailboxes.isPending || mailboxes.error ? (
          <QueryState error={mailboxes.error} isPending={mailboxes.isPending} />
        ) : mailboxes.items.length === 0 ? (
          <Empty>{t('mail.noMailboxes')}</Empty>
        ) : (
          <ul className="cards">
            {mailboxes.items.map((mailbox) => (
              <MailboxRowView key={mailbox.id} mailbox={mailbox} />
            ))}
          </ul>
        )}
        <MoreButton hasMore={mailboxes.hasNextPage} loading={mailboxes.isFetchingNextPage} onClick={() => mailboxes.fetchNextPage()} />
      </Section>
    </Page>
  );
}

function splitAddresses(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((address) => address.trim())
    .filter(Boolean);
}

function AliasRowView({ alias }: { alias: AliasRow }) {
  const t = useT();
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const refresh = () => client.invalidateQueries({ queryKey: ['aliases', alias.organizationId] });
  const update = useMutation({
    mutationFn: (destinations: string[]) => unwrap(api.PATCH('/api/v1/aliases/{id}', { params: { path: { id: alias.id } }, body: { destinations } })),
    onSuccess: () => {
      setEditing(false);
      void refresh();
    },
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/aliases/{id}', { params: { path: { id: alias.id } } })),
    onSettled: refresh,
  });
  return (
    <tr data-resource={alias.address}>
      <th scope="row">
        {alias.address}
        {alias.catchAll ? <span className="hint block">{t('mail.catchAll')}</span> : null}
      </th>
      <td>
        {editing ? (
          <form
            className="inline-edit"
            onSubmit={(event) => {
              event.preventDefault();
              update.mutate(splitAddresses(formValues(event.currentTarget).destinations ?? ''));
            }}
          >
            <FormError error={update.error && !fieldError(update.error, 'destinations') ? update.error : null} />
            <Field label={t('mail.destinations')} name="destinations" defaultValue={alias.destinations.join(', ')} error={fieldError(update.error, 'destinations')} required />
            <button type="submit" className="primary" disabled={update.isPending}>
              {t('common.save')}
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              {t('common.cancel')}
            </button>
          </form>
        ) : (
          <ul className="plain-list compact">
            {alias.destinations.map((destination) => (
              <li key={destination}>{destination}</li>
            ))}
          </ul>
        )}
      </td>
      <td>
        <PhaseBadge resource={alias} />
      </td>
      <td className="actions-cell">
        {editing ? null : (
          <button type="button" onClick={() => setEditing(true)} disabled={alias.phase === 'deleting'}>
            {t('common.edit')}
          </button>
        )}
        <ConfirmButton label={t('common.delete')} confirmLabel={t('mail.confirmDeleteAlias', { address: alias.address })} onConfirm={() => remove.mutate()} disabled={alias.phase === 'deleting'} />
        <FormError error={remove.error} />
      </td>
    </tr>
  );
}

export function AliasesPage() {
  const organization = useOrganization();
  const t = useT();
  const client = useQueryClient();
  const key = ['aliases', organization.id];
  const aliases = usePagedList<AliasRow>(key, (cursor) => unwrap(api.GET('/api/v1/aliases', { params: { query: { organizationId: organization.id, limit: 100, ...(cursor ? { cursor } : {}) } } })), {
    live: pollWhileBusy,
  });
  const add = useMutation({
    mutationFn: (values: { address: string; destinations: string[] }) => unwrap(api.POST('/api/v1/aliases', { body: { organizationId: organization.id, ...values } })),
    onSuccess: () => client.invalidateQueries({ queryKey: key }),
  });
  return (
    <Page title={t('mail.aliasesTitle')} intro={<p>{t('mail.aliasesIntro')}</p>}>
      <Section title={t('mail.addAlias')}>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const form = event.currentTarget;
            const values = formValues(form);
            add.mutate({ address: `${values.localPart}@${values.domain}`, destinations: splitAddresses(values.destinations ?? '') }, { onSuccess: () => form.reset() });
          }}
        >
          <FormError error={add.error && !['address', 'destinations'].some((f) => fieldError(add.error, f)) ? add.error : null} />
          <AddressFields error={fieldError(add.error, 'address')} allowCatchAll />
          <Field label={t('mail.destinations')} name="destinations" required hint={t('mail.destinationsHint')} error={fieldError(add.error, 'destinations')} autoComplete="off" />
          <button type="submit" className="primary" disabled={add.isPending}>
            {t('mail.createAlias')}
          </button>
        </form>
      </Section>
      <Section title={t('mail.aliasesList')}>
        {aliases.isPending || aliases.error ? (
          <QueryState error={aliases.error} isPending={aliases.isPending} />
        ) : aliases.items.length === 0 ? (
          <Empty>{t('mail.noAliases')}</Empty>
        ) : (
          <TableWrap>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('mail.address')}</th>
                  <th scope="col">{t('mail.destinations')}</th>
                  <th scope="col">{t('common.status')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {aliases.items.map((alias) => (
                  <AliasRowView key={alias.id} alias={alias} />
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
        <MoreButton hasMore={aliases.hasNextPage} loading={aliases.isFetchingNextPage} onClick={() => aliases.fetchNextPage()} />
      </Section>
    </Page>
  );
}
