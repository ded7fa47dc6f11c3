import { useQuery } from '@tanstack/react-query';
import { Outlet, useOutletContext, useParams } from 'react-router';
import { api, unwrap, type ApiAnswer } from '../../api/client';
import { pollWhileBusy } from '../../api/lists';
import { QueryState } from '../../components/ui';
import type { MessageId } from '../../i18n/i18n';

export type Organization = ApiAnswer<'/api/v1/organizations/{id}'>;

/**
 * Every page of an organisation starts by reading it: an organisation the person may not see
 * answers 404, and so does the page (nothing of it is fetched or shown).
 */
export function ClientLayout() {
  const { orgId = '' } = useParams();
  const organization = useQuery({
    queryKey: ['organization', orgId],
    queryFn: () => unwrap(api.GET('/api/v1/organizations/{id}', { params: { path: { id: orgId } } })),
  });
  if (!organization.data) return <QueryState error={organization.error} isPending={organization.isPending} />;
  return <Outlet context={organization.data} />;
}

export const useOrganization = () => useOutletContext<Organization>();

export function useHostingProfile(organizationId: string) {
  return useQuery({
    queryKey: ['hosting', organizationId],
    queryFn: () => unwrap(api.GET('/api/v1/organizations/{id}/hosting', { params: { path: { id: organizationId } } })),
    staleTime: 60_000,
  });
}

export type Domain = ApiAnswer<'/api/v1/domains/{id}'>;

/** The organisation's domains (for pickers), followed while any is settling. */
export function useDomains(organizationId: string) {
  return useQuery({
    queryKey: ['domains', organizationId, 'all'],
    queryFn: async () => (await unwrap(api.GET('/api/v1/domains', { params: { query: { organizationId, limit: 200 } } }))).data,
    refetchInterval: (query) => pollWhileBusy(query.state.data ?? []),
  });
}

export const RESOURCE_TYPE_LABELS: Record<string, MessageId> = {
  domain: 'resourceType.domain',
  site: 'resourceType.site',
  mailbox: 'resourceType.mailbox',
  mail_alias: 'resourceType.mail_alias',
  database: 'resourceType.database',
  database_user: 'resourceType.database_user',
};

/** The page of the panel where a resource of this type is managed. */
export function resourcePage(organizationId: string, type: string, id: string): string {
  const base = `/o/${organizationId}`;
  switch (type) {
    case 'domain':
      return `${base}/domains/${id}`;
    case 'site':
      return `${base}/sites`;
    case 'mailbox':
      return `${base}/mailboxes`;
    case 'mail_alias':
      return `${base}/aliases`;
    default:
      return `${base}/databases`;
  }
}

/** A strong random password made in the browser (for a database user or a mailbox), shown once. */
export function generatePassword(length = 24): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join('');
}
