import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { QRCodeSVG } from 'qrcode.react';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { usePagedList } from '../../api/lists';
import { Checkbox, ConfirmButton, Empty, Field, fieldError, FormError, formValues, MoreButton, Notice, Page, QueryState, SecretOnce, Section, SelectField, TableWrap } from '../../components/ui';
import { useFormat, useLocale, useT, type MessageId } from '../../i18n/i18n';
import { ME_KEY, useMe, useSwitchLocale, type Me } from '../../session';

function ProfileForm({ me }: { me: Me }) {
  const t = useT();
  const client = useQueryClient();
  const { locale } = useLocale();
  const switchLocale = useSwitchLocale();
  const save = useMutation({
    mutationFn: (displayName: string) => unwrap(api.PATCH('/api/v1/auth/me', { body: { displayName } })),
    onSuccess: (user) => client.setQueryData<Me | null>(ME_KEY, (current) => (current ? { ...current, user } : current)),
  });
  return (
    <Section title={t('profile.identity')}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate(formValues(event.currentTarget).displayName ?? '');
        }}
      >
        {save.isSuccess ? <Notice tone="success">{t('common.saved')}</Notice> : null}
        <FormError error={save.error && !fieldError(save.error, 'displayName') ? save.error : null} />
        <dl className="details">
          <dt>{t('field.email')}</dt>
          <dd>{me.user.email}</dd>
        </dl>
        <Field label={t('profile.displayName')} name="displayName" defaultValue={me.user.displayName} required autoComplete="name" error={fieldError(save.error, 'displayName')} />
        <button type="submit" className="primary" disabled={save.isPending}>
          {t('common.save')}
        </button>
      </form>
      <SelectField
        label={t('profile.language')}
        name="language"
        value={locale}
        hint={t('profile.languageHint')}
        onChange={(event) => switchLocale.mutate(event.target.value as 'fr' | 'en')}
        options={[
          { value: 'fr', label: 'Français' },
          { value: 'en', label: 'English' },
        ]}
      />
      <FormError error={switchLocale.error} />
    </Section>
  );
}

function PasswordForm() {
  const t = useT();
  const [mismatch, setMismatch] = useState(false);
  const change = useMutation({
    mutationFn: (values: { currentPassword: string; newPassword: string; revokeApiTokens: boolean }) => unwrap(api.POST('/api/v1/auth/password', { body: values })),
  });
  return (
    <Section title={t('profile.password')}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const form = event.currentTarget;
          const data = new FormData(form);
          const newPassword = String(data.get('password') ?? '');
          const different = newPassword !== String(data.get('confirm') ?? '');
          setMismatch(different);
          if (!different)
            change.mutate({ currentPassword: String(data.get('current') ?? ''), newPassword, revokeApiTokens: data.get('revoke') === 'on' }, { onSuccess: () => form.reset() });
        }}
      >
        {change.data ? <Notice tone="success">{t('profile.passwordChanged', { sessions: change.data.sessionsEnded, tokens: change.data.revokedTokens })}</Notice> : null}
        <FormError error={change.error && !fieldError(change.error, 'newPassword') ? change.error : null} />
        <Field label={t('profile.currentPassword')} name="current" type="password" autoComplete="current-password" required />
        <Field label={t('field.newPassword')} name="password" type="password" autoComplete="new-password" minLength={12} required hint={t('field.passwordHint')} error={fieldError(change.error, 'newPassword')} />
        <Field label={t('field.confirmPassword')} name="confirm" type="password" autoComplete="new-password" required error={mismatch ? t('field.passwordMismatch') : undefined} />
        <Checkbox name="revoke" label={t('reset.revokeTokens')} defaultChecked hint={t('reset.revokeHint')} />
        <button type="submit" className="primary" disabled={change.isPending}>
          {t('profile.changePassword')}
        </button>
      </form>
    </Section>
  );
}

/** Two-factor enrolment: a QR code of the otpauth:// URI (and its secret, to type instead), a code to confirm, recovery codes once. */
function TwoFactor({ me }: { me: Me }) {
  const t = useT();
  const client = useQueryClient();
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const setup = useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/auth/2fa/setup')) });
  const enable = useMutation({
    mutationFn: (code: string) => unwrap(api.POST('/api/v1/auth/2fa/enable', { body: { code } })),
    onSuccess: (answer) => {
      setRecoveryCodes(answer.recoveryCodes);
      setup.reset();
      void client.invalidateQueries({ queryKey: ME_KEY });
    },
  });
  const disable = useMutation({
    mutationFn: (values: Record<string, string>) => unwrap(api.POST('/api/v1/auth/2fa/disable', { body: { password: values.password ?? '', code: values.code ?? '' } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ME_KEY }),
  });
  return (
    <Section title={t('profile.twoFactor')}>
      {me.twoFactorEnrollmentRequired ? <Notice tone="warning">{t('profile.twoFactorRequired')}</Notice> : null}
      {recoveryCodes ? (
        <div className="alert alert-warning" role="status">
          <p>{t('profile.recoveryCodes')}</p>
          <ul className="codes mono">
            {recoveryCodes.map((code) => (
              <li key={code}>{code}</li>
            ))}
          </ul>
          <button type="button" className="link-button" onClick={() => setRecoveryCodes(null)}>
            {t('secret.done')}
          </button>
        </div>
      ) : null}
      {me.user.twoFactorEnabled ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            disable.mutate(formValues(event.currentTarget));
          }}
        >
          <p>{t('profile.twoFactorOn')}</p>
          <FormError error={disable.error} />
          <div className="form-row">
            <Field label={t('field.password')} name="password" type="password" autoComplete="current-password" required />
            <Field label={t('field.otp')} name="code" inputMode="numeric" autoComplete="one-time-code" maxLength={6} required />
          </div>
          <button type="submit" className="danger-outline" disabled={disable.isPending}>
            {t('profile.disableTwoFactor')}
          </button>
        </form>
      ) : setup.data ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            enable.mutate(formValues(event.currentTarget).code ?? '');
          }}
        >
          <p>{t('profile.scan')}</p>
          <div className="qr">
            <QRCodeSVG value={setup.data.otpauthUri} size={192} marginSize={2} title={t('profile.qrTitle')} />
          </div>
          <p>
            {t('profile.secret')} <code className="mono">{setup.data.secret}</code>
          </p>
          <FormError error={enable.error && !fieldError(enable.error, 'code') ? enable.error : null} />
          <Field label={t('field.otp')} name="code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} required error={fieldError(enable.error, 'code')} />
          <button type="submit" className="primary" disabled={enable.isPending}>
            {t('profile.confirmTwoFactor')}
          </button>
        </form>
      ) : (
        <>
          <p>{t('profile.twoFactorOff')}</p>
          <FormError error={setup.error} />
          <button type="button" className="primary" onClick={() => setup.mutate()} disabled={setup.isPending}>
            {t('profile.enableTwoFactor')}
          </button>
        </>
      )}
    </Section>
  );
}

export function ProfilePage() {
  const t = useT();
  const me = useMe();
  if (!me.data) return <QueryState error={me.error} isPending={me.isPending} />;
  return (
    <Page title={t('profile.title')}>
      <div className="grid">
        <ProfileForm me={me.data} />
        <PasswordForm />
      </div>
      <TwoFactor me={me.data} />
    </Page>
  );
}

const SCOPES = [
  'hosting:read',
  'hosting:write',
  'billing:read',
  'organizations:admin',
  'provisioning:admin',
  'billing:write',
  'accounting:read',
  'accounting:write',
  'timekeeping:read',
  'timekeeping:write',
  'timekeeping:admin',
  'users:admin',
  'audit:read',
] as const;
type Scope = (typeof SCOPES)[number];
/** What a client can hold; staff see the rest too. */
const CLIENT_SCOPES = new Set<Scope>(['hosting:read', 'hosting:write', 'billing:read', 'organizations:admin']);

export function TokensPage() {
  const t = useT();
  const format = useFormat();
  const me = useMe().data;
  const client = useQueryClient();
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const organizations = useQuery({
    queryKey: ['organizations', 'mine', me?.memberships.map((m) => m.organizationId).join(',')],
    enabled: Boolean(me && me.memberships.length > 0),
    queryFn: async () => {
      const ids = new Set(me!.memberships.map((m) => m.organizationId));
      return (await unwrap(api.GET('/api/v1/organizations', { params: { query: { limit: 200 } } }))).data.filter((o) => ids.has(o.id));
    },
  });
  const tokens = usePagedList(['tokens'], (cursor) => unwrap(api.GET('/api/v1/tokens', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } })));
  const create = useMutation({
    mutationFn: (body: { name: string; scopes: Scope[]; organizationId?: string; expiresAt?: string }) => unwrap(api.POST('/api/v1/tokens', { body })),
    onSuccess: (token) => {
      setCreated({ name: token.name, token: token.token });
      void client.invalidateQueries({ queryKey: ['tokens'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/tokens/{id}', { params: { path: { id } } })),
    onSettled: () => client.invalidateQueries({ queryKey: ['tokens'] }),
  });
  const isStaff = (me?.user.staffRoles.length ?? 0) > 0;
  const scopes = SCOPES.filter((scope) => isStaff || CLIENT_SCOPES.has(scope));
  return (
    <Page title={t('tokens.title')} intro={<p>{t('tokens.intro')}</p>}>
      <Section title={t('tokens.create')}>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const form = event.currentTarget;
            const data = new FormData(form);
            const organizationId = String(data.get('organizationId') ?? '');
            const expires = String(data.get('expiresAt') ?? '');
            create.mutate(
              {
                name: String(data.get('name') ?? '').trim(),
                scopes: data.getAll('scopes').map(String) as Scope[],
                ...(organizationId ? { organizationId } : {}),
                ...(expires ? { expiresAt: new Date(`${expires}T23:59:59`).toISOString() } : {}),
              },
              { onSuccess: () => form.reset() },
            );
          }}
        >
          <FormError error={create.error && !['name', 'scopes', 'expiresAt'].some((f) => fieldError(create.error, f)) ? create.error : null} />
          <Field label={t('tokens.name')} name="name" required autoComplete="off" error={fieldError(create.error, 'name')} />
          <fieldset className="choice">
            <legend>{t('tokens.scopes')}</legend>
            {scopes.map((scope) => (
              <label key={scope}>
                <input type="checkbox" name="scopes" value={scope} defaultChecked={scope === 'hosting:read'} /> {t(`scope.${scope}` as MessageId)} <code>{scope}</code>
              </label>
            ))}
            {fieldError(create.error, 'scopes') ? <p className="field-error">{fieldError(create.error, 'scopes')}</p> : null}
          </fieldset>
          {organizations.data && organizations.data.length > 0 ? (
            <SelectField
              label={t('tokens.organization')}
              name="organizationId"
              options={[{ value: '', label: t('tokens.allOrganizations') }, ...organizations.data.map((o) => ({ value: o.id, label: o.name }))]}
            />
          ) : null}
          <Field label={t('tokens.expires')} name="expiresAt" type="date" hint={t('tokens.expiresHint')} error={fieldError(create.error, 'expiresAt')} />
          <button type="submit" className="primary" disabled={create.isPending}>
            {t('tokens.submit')}
          </button>
        </form>
        {created ? <SecretOnce label={t('tokens.created', { name: created.name })} value={created.token} onDone={() => setCreated(null)} /> : null}
      </Section>
      <Section title={t('tokens.list')}>
        <FormError error={revoke.error} />
        {tokens.isPending || tokens.error ? (
          <QueryState error={tokens.error} isPending={tokens.isPending} />
        ) : tokens.items.length === 0 ? (
          <Empty>{t('tokens.empty')}</Empty>
        ) : (
          <TableWrap>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('tokens.name')}</th>
                  <th scope="col">{t('tokens.scopes')}</th>
                  <th scope="col">{t('tokens.lastUsed')}</th>
                  <th scope="col">{t('tokens.expires')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {tokens.items.map((token) => (
                  <tr key={token.id}>
                    <th scope="row">
                      {token.name}
                      <span className="hint block mono">{token.prefix}…</span>
                    </th>
                    <td>
                      <ul className="plain-list compact">
                        {token.scopes.map((scope) => (
                          <li key={scope}>
                            <code>{scope}</code>
                          </li>
                        ))}
                      </ul>
                    </td>
                    <td>{token.lastUsedAt ? format.dateTime(token.lastUsedAt) : t('tokens.never')}</td>
                    <td>{token.revokedAt ? t('tokens.revoked') : token.expiresAt ? format.date(token.expiresAt) : t('tokens.noExpiry')}</td>
                    <td className="actions-cell">{token.revokedAt ? null : <ConfirmButton label={t('tokens.revoke')} confirmLabel={t('tokens.confirmRevoke', { name: token.name })} onConfirm={() => revoke.mutate(token.id)} />}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
        <MoreButton hasMore={tokens.hasNextPage} loading={tokens.isFetchingNextPage} onClick={() => tokens.fetchNextPage()} />
      </Section>
    </Page>
  );
}
