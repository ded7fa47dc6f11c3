import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, ApiError, unwrap } from '../../api/client';
import { Checkbox, Field, fieldError, FormError, formValues, Loading, Notice } from '../../components/ui';
import { useFormat, useT } from '../../i18n/i18n';
import { startSession, useMe, useSignOut } from '../../session';

/** Only a path of this site may follow sign-in (never another origin). */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

function usePageTitle(title: string) {
  useEffect(() => {
    document.title = `${title} · Ruche`;
  }, [title]);
}

/** A token from a mailed link (`/invitation#<token>`), taken out of the address bar and history at once. */
function useHashToken(): string {
  const [token] = useState(() => {
    const value = window.location.hash.replace(/^#/, '');
    if (value) window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
    return value;
  });
  return token;
}

export function SignInPage() {
  const t = useT();
  usePageTitle(t('signIn.title'));
  const navigate = useNavigate();
  const client = useQueryClient();
  const [params] = useSearchParams();
  const [needsCode, setNeedsCode] = useState(false);
  const [useRecovery, setUseRecovery] = useState(false);
  const signIn = useMutation({
    mutationFn: async (values: Record<string, string>) => {
      const body = {
        email: values.email ?? '',
        password: values.password ?? '',
        ...(values.otp ? { otp: values.otp } : {}),
        ...(values.recoveryCode ? { recoveryCode: values.recoveryCode } : {}),
      };
      return unwrap(api.POST('/api/v1/auth/login', { body }));
    },
    onSuccess: async (session) => {
      await startSession(client, session.csrfToken);
      navigate(safeNext(params.get('next')), { replace: true });
    },
    onError: (error) => {
      if (error instanceof ApiError && error.code === 'two_factor_required') setNeedsCode(true);
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    signIn.mutate(formValues(event.currentTarget));
  };
  const showError = signIn.error && !(signIn.error instanceof ApiError && signIn.error.code === 'two_factor_required');
  return (
    <div className="card narrow">
      <h1>{t('signIn.title')}</h1>
      <form onSubmit={submit}>
        {showError ? <FormError error={signIn.error} /> : null}
        <Field label={t('field.email')} name="email" type="email" autoComplete="username" required autoFocus />
        <Field label={t('field.password')} name="password" type="password" autoComplete="current-password" required />
        {needsCode ? (
          <>
            <Notice>{t('signIn.codeNeeded')}</Notice>
            {useRecovery ? (
              <Field label={t('field.recoveryCode')} name="recoveryCode" autoComplete="off" required />
            ) : (
              <Field label={t('field.otp')} name="otp" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} required />
            )}
            <button type="button" className="link-button" onClick={() => setUseRecovery((value) => !value)}>
              {useRecovery ? t('signIn.useCode') : t('signIn.useRecovery')}
            </button>
          </>
        ) : null}
        <button type="submit" className="primary" disabled={signIn.isPending}>
          {t('signIn.submit')}
        </button>
      </form>
      <p>
        <Link to="/forgot-password">{t('signIn.forgot')}</Link>
      </p>
    </div>
  );
}

export function ForgotPasswordPage() {
  const t = useT();
  usePageTitle(t('forgot.title'));
  const request = useMutation({
    mutationFn: (email: string) => unwrap(api.POST('/api/v1/auth/password-reset', { body: { email } })),
  });
  return (
    <div className="card narrow">
      <h1>{t('forgot.title')}</h1>
      {request.isSuccess ? (
        <Notice tone="success">{t('forgot.sent')}</Notice>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            request.mutate(formValues(event.currentTarget).email ?? '');
          }}
        >
          <p>{t('forgot.intro')}</p>
          <FormError error={request.error && !fieldError(request.error, 'email') ? request.error : null} />
          <Field label={t('field.email')} name="email" type="email" autoComplete="email" required autoFocus error={fieldError(request.error, 'email')} />
          <button type="submit" className="primary" disabled={request.isPending}>
            {t('forgot.submit')}
          </button>
        </form>
      )}
      <p>
        <Link to="/sign-in">{t('common.backToSignIn')}</Link>
      </p>
    </div>
  );
}

/** The new password twice; the two must agree before anything is sent. */
function NewPasswordFields({ error, mismatch }: { error?: string | undefined; mismatch: boolean }) {
  const t = useT();
  return (
    <>
      <Field label={t('field.newPassword')} name="password" type="password" autoComplete="new-password" minLength={12} required hint={t('field.passwordHint')} error={error} />
      <Field label={t('field.confirmPassword')} name="confirm" type="password" autoComplete="new-password" required error={mismatch ? t('field.passwordMismatch') : undefined} />
    </>
  );
}

export function ResetPasswordPage() {
  const t = useT();
  usePageTitle(t('reset.title'));
  const token = useHashToken();
  const [mismatch, setMismatch] = useState(false);
  const reset = useMutation({
    mutationFn: (values: { password: string; revoke: boolean }) =>
      unwrap(api.POST('/api/v1/auth/password-reset/confirm', { body: { token, newPassword: values.password, revokeApiTokens: values.revoke } })),
  });
  if (!token) {
    return (
      <div className="card narrow">
        <h1>{t('reset.title')}</h1>
        <Notice tone="warning">{t('reset.noToken')}</Notice>
        <Link to="/forgot-password">{t('forgot.title')}</Link>
      </div>
    );
  }
  return (
    <div className="card narrow">
      <h1>{t('reset.title')}</h1>
      {reset.isSuccess ? (
        <>
          <Notice tone="success">{t('reset.done', { sessions: reset.data.sessionsEnded, tokens: reset.data.revokedTokens })}</Notice>
          <Link to="/sign-in" className="button primary">
            {t('signIn.submit')}
          </Link>
        </>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const values = formValues(event.currentTarget);
            const data = new FormData(event.currentTarget);
            const different = values.password !== values.confirm;
            setMismatch(different);
            if (!different) reset.mutate({ password: String(data.get('password') ?? ''), revoke: data.get('revoke') === 'on' });
          }}
        >
          <FormError error={reset.error && !fieldError(reset.error, 'newPassword') ? reset.error : null} />
          <NewPasswordFields error={fieldError(reset.error, 'newPassword')} mismatch={mismatch} />
          <Checkbox name="revoke" label={t('reset.revokeTokens')} defaultChecked hint={t('reset.revokeHint')} />
          <button type="submit" className="primary" disabled={reset.isPending}>
            {t('reset.submit')}
          </button>
        </form>
      )}
    </div>
  );
}

export function InvitationPage() {
  const t = useT();
  const format = useFormat();
  usePageTitle(t('invitation.title'));
  const token = useHashToken();
  const navigate = useNavigate();
  const client = useQueryClient();
  const me = useMe();
  const signOut = useSignOut();
  const [mismatch, setMismatch] = useState(false);
  const [declined, setDeclined] = useState(false);
  const preview = useQuery({
    queryKey: ['invitation', token],
    enabled: Boolean(token),
    retry: false,
    queryFn: () => unwrap(api.POST('/api/v1/invitations/preview', { body: { token } })),
  });
  const goTo = (organizationId: string | null | undefined) => navigate(organizationId ? `/o/${organizationId}` : '/', { replace: true });
  const acceptNew = useMutation({
    mutationFn: (password: string) => unwrap(api.POST('/api/v1/invitations/accept-new', { body: { token, password } })),
    onSuccess: async (session) => {
      await startSession(client, session.csrfToken);
      goTo(preview.data?.organization?.id);
    },
  });
  const accept = useMutation({
    mutationFn: async (values: Record<string, string> | null) => {
      if (values) {
        const session = await unwrap(api.POST('/api/v1/auth/login', { body: { email: preview.data!.email, password: values.password ?? '', ...(values.otp ? { otp: values.otp } : {}) } }));
        await startSession(client, session.csrfToken);
      }
      return unwrap(api.POST('/api/v1/invitations/accept', { body: { token } }));
    },
    onSuccess: async (accepted) => {
      await client.invalidateQueries({ queryKey: ['me'] });
      goTo(accepted.organizationId);
    },
  });
  const decline = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/invitations/decline', { body: { token } })),
    onSuccess: () => setDeclined(true),
  });

  if (!token) {
    return (
      <div className="card narrow">
        <h1>{t('invitation.title')}</h1>
        <Notice tone="warning">{t('invitation.noToken')}</Notice>
      </div>
    );
  }
  if (preview.isPending || me.isPending) return <Loading />;
  if (preview.error) {
    return (
      <div className="card narrow">
        <h1>{t('invitation.title')}</h1>
        <FormError error={preview.error} />
        <Link to="/sign-in">{t('common.backToSignIn')}</Link>
      </div>
    );
  }
  if (declined) {
    return (
      <div className="card narrow">
        <h1>{t('invitation.title')}</h1>
        <Notice tone="success">{t('invitation.declined')}</Notice>
      </div>
    );
  }
  const invitation = preview.data;
  const signedInAs = me.data?.user.email;
  const role = invitation.role === 'owner' ? t('role.owner') : t('role.member');
  return (
    <div className="card narrow">
      <h1>{t('invitation.title')}</h1>
      <p className="lead">
        {invitation.organization
          ? t('invitation.toOrganization', { organization: invitation.organization.name, role, email: invitation.email })
          : t('invitation.account', { email: invitation.email })}
      </p>
      <p className="hint">{t('invitation.expires', { date: format.dateTime(invitation.expiresAt) })}</p>
      {invitation.accountExists ? (
        signedInAs && signedInAs !== invitation.email ? (
          <>
            <Notice tone="warning">{t('invitation.otherAccount', { current: signedInAs, invited: invitation.email })}</Notice>
            <button type="button" onClick={() => signOut.mutate()}>
              {t('nav.signOut')}
            </button>
          </>
        ) : (
          <form
            onSubmit={(event) => {
              event.preventDefault();
              accept.mutate(signedInAs ? null : formValues(event.currentTarget));
            }}
          >
            <FormError error={accept.error} />
            {signedInAs ? null : (
              <>
                <p>{t('invitation.signInFirst')}</p>
                <Field label={t('field.password')} name="password" type="password" autoComplete="current-password" required />
                {accept.error instanceof ApiError && accept.error.code === 'two_factor_required' ? (
                  <Field label={t('field.otp')} name="otp" inputMode="numeric" autoComplete="one-time-code" maxLength={6} required />
                ) : null}
              </>
            )}
            <div className="actions">
              <button type="submit" className="primary" disabled={accept.isPending}>
                {t('invitation.accept')}
              </button>
              <button type="button" onClick={() => decline.mutate()} disabled={decline.isPending}>
                {t('invitation.decline')}
              </button>
            </div>
          </form>
        )
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const values = new FormData(event.currentTarget);
            const password = String(values.get('password') ?? '');
            const different = password !== String(values.get('confirm') ?? '');
            setMismatch(different);
            if (!different) acceptNew.mutate(password);
          }}
        >
          <p>{t('invitation.choosePassword')}</p>
          <FormError error={acceptNew.error && !fieldError(acceptNew.error, 'password') ? acceptNew.error : null} />
          <NewPasswordFields error={fieldError(acceptNew.error, 'password')} mismatch={mismatch} />
          <div className="actions">
            <button type="submit" className="primary" disabled={acceptNew.isPending}>
              {t('invitation.accept')}
            </button>
            <button type="button" onClick={() => decline.mutate()} disabled={decline.isPending}>
              {t('invitation.decline')}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
