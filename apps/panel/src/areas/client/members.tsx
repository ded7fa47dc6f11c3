import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { usePagedList } from '../../api/lists';
import { ConfirmButton, Empty, Field, fieldError, FormError, formValues, MoreButton, Notice, Page, QueryState, Section, SelectField, TableWrap } from '../../components/ui';
import { useFormat, useT, type MessageId } from '../../i18n/i18n';
import { useMe } from '../../session';
import { useOrganization } from './common';

const STATUS_LABELS: Record<string, MessageId> = {
  pending: 'members.status.pending',
  accepted: 'members.status.accepted',
  declined: 'members.status.declined',
  revoked: 'members.status.revoked',
  expired: 'members.status.expired',
};

export function MembersPage() {
  const organization = useOrganization();
  const t = useT();
  const format = useFormat();
  const me = useMe().data;
  const client = useQueryClient();
  const id = organization.id;
  const myRole = me?.memberships.find((m) => m.organizationId === id)?.role;
  const canManage = myRole === 'owner' || (me?.user.staffRoles ?? []).some((role) => role === 'sysadmin' || role === 'accountant');
  const members = useQuery({
    queryKey: ['members', id],
    queryFn: async () => (await unwrap(api.GET('/api/v1/organizations/{id}/members', { params: { path: { id } } }))).data,
  });
  const invitations = usePagedList(['invitations', id], (cursor) => unwrap(api.GET('/api/v1/organizations/{id}/invitations', { params: { path: { id }, query: { limit: 50, ...(cursor ? { cursor } : {}) } } })), {
    enabled: canManage,
  });
  const refresh = () => Promise.all([client.invalidateQueries({ queryKey: ['members', id] }), client.invalidateQueries({ queryKey: ['invitations', id] })]);
  const invite = useMutation({
    mutationFn: (values: Record<string, string>) =>
      unwrap(api.POST('/api/v1/organizations/{id}/members', { params: { path: { id } }, body: { email: values.email ?? '', role: values.role as 'member', locale: values.locale as 'fr' } })),
    onSuccess: refresh,
  });
  const changeRole = useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: 'owner' | 'member' }) => unwrap(api.PATCH('/api/v1/organizations/{id}/members/{userId}', { params: { path: { id, userId } }, body: { role } })),
    onSettled: refresh,
  });
  const removeMember = useMutation({
    mutationFn: (userId: string) => unwrap(api.DELETE('/api/v1/organizations/{id}/members/{userId}', { params: { path: { id, userId } } })),
    onSettled: refresh,
  });
  const revoke = useMutation({
    mutationFn: (invitationId: string) => unwrap(api.DELETE('/api/v1/organizations/{id}/invitations/{invitationId}', { params: { path: { id, invitationId } } })),
    onSettled: refresh,
  });
  const roleOptions = [
    { value: 'member', label: t('role.member') },
    { value: 'owner', label: t('role.owner') },
  ];
  return (
    <Page title={t('members.title')}>
      {canManage ? (
        <Section title={t('members.invite')}>
          {invite.isSuccess ? <Notice tone="success">{t('members.invited')}</Notice> : null}
          <form
            className="inline-form"
            onSubmit={(event) => {
              event.preventDefault();
              const form = event.currentTarget;
              invite.mutate(formValues(form), { onSuccess: () => form.reset() });
            }}
          >
            <FormError error={invite.error && !fieldError(invite.error, 'email') ? invite.error : null} />
            <Field label={t('field.email')} name="email" type="email" required autoComplete="off" error={fieldError(invite.error, 'email')} />
            <SelectField label={t('members.role')} name="role" options={roleOptions} />
            <SelectField
              label={t('members.language')}
              name="locale"
              defaultValue={organization.locale}
              options={[
                { value: 'fr', label: 'Français' },
                { value: 'en', label: 'English' },
              ]}
            />
            <button type="submit" className="primary" disabled={invite.isPending}>
              {t('members.send')}
            </button>
          </form>
          <p className="hint">{t('members.inviteHint')}</p>
        </Section>
      ) : null}
      <Section title={t('members.list')}>
        <FormError error={changeRole.error ?? removeMember.error} />
        {members.data ? (
          <TableWrap>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('members.person')}</th>
                  <th scope="col">{t('members.role')}</th>
                  <th scope="col">{t('members.since')}</th>
                  {canManage ? (
                    <th scope="col">
                      <span className="visually-hidden">{t('common.actions')}</span>
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {members.data.map((member) => (
                  <tr key={member.userId}>
                    <th scope="row">
                      {member.displayName || member.email}
                      <span className="hint block">{member.email}</span>
                    </th>
                    <td>{member.role === 'owner' ? t('role.owner') : t('role.member')}</td>
                    <td>{format.date(member.createdAt)}</td>
                    {canManage ? (
                      <td className="actions-cell">
                        <button type="button" onClick={() => changeRole.mutate({ userId: member.userId, role: member.role === 'owner' ? 'member' : 'owner' })}>
                          {member.role === 'owner' ? t('members.makeMember') : t('members.makeOwner')}
                        </button>
                        <ConfirmButton label={t('members.remove')} confirmLabel={t('members.confirmRemove', { person: member.email })} onConfirm={() => removeMember.mutate(member.userId)} />
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        ) : (
          <QueryState error={members.error} isPending={members.isPending} />
        )}
      </Section>
      {canManage ? (
        <Section title={t('members.invitations')}>
          <FormError error={revoke.error} />
          {invitations.isPending ? (
            <QueryState error={invitations.error} isPending />
          ) : invitations.items.length === 0 ? (
            <Empty>{t('members.noInvitations')}</Empty>
          ) : (
            <TableWrap>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('field.email')}</th>
                    <th scope="col">{t('members.role')}</th>
                    <th scope="col">{t('common.status')}</th>
                    <th scope="col">{t('members.expires')}</th>
                    <th scope="col">
                      <span className="visually-hidden">{t('common.actions')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {invitations.items.map((invitation) => (
                    <tr key={invitation.id}>
                      <th scope="row">{invitation.email}</th>
                      <td>{invitation.role === 'owner' ? t('role.owner') : t('role.member')}</td>
                      <td>{t(STATUS_LABELS[invitation.status] ?? 'members.status.pending')}</td>
                      <td>{format.dateTime(invitation.expiresAt)}</td>
                      <td className="actions-cell">
                        {invitation.status === 'pending' ? <ConfirmButton label={t('members.revoke')} confirmLabel={t('members.confirmRevoke')} onConfirm={() => revoke.mutate(invitation.id)} /> : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
          <MoreButton hasMore={invitations.hasNextPage} loading={invitations.isFetchingNextPage} onClick={() => invitations.fetchNextPage()} />
        </Section>
      ) : null}
    </Page>
  );
}
