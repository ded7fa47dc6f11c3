import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { pollWhileBusy } from '../../api/lists';
import { Empty, METER_LABELS, Page, PhaseBadge, QueryState, Section, UsageMeter } from '../../components/ui';
import { useFormat, useLocale, useT, type MessageId } from '../../i18n/i18n';
import { RESOURCE_TYPE_LABELS, resourcePage, useHostingProfile, useOrganization } from './common';

const PHASE_WORDS: Record<string, MessageId> = {
  pending: 'phase.pending',
  applying: 'phase.applying',
  ready: 'phase.ready',
  failed: 'phase.failed',
  deleting: 'phase.deleting',
};

export function DashboardPage() {
  const organization = useOrganization();
  const t = useT();
  const format = useFormat();
  const { locale } = useLocale();
  const id = organization.id;
  const profile = useHostingProfile(id);
  const usage = useQuery({
    queryKey: ['usage', id],
    queryFn: () => unwrap(api.GET('/api/v1/organizations/{id}/usage', { params: { path: { id } } })),
  });
  const resources = useQuery({
    queryKey: ['resources', id],
    queryFn: async () => (await unwrap(api.GET('/api/v1/resources', { params: { query: { organizationId: id, limit: 200 } } }))).data,
    refetchInterval: (query) => pollWhileBusy(query.state.data ?? []),
  });
  const events = useQuery({
    queryKey: ['resource-events', id],
    queryFn: async () => (await unwrap(api.GET('/api/v1/resource-events', { params: { query: { organizationId: id, limit: 15 } } }))).data,
    refetchInterval: () => pollWhileBusy(resources.data ?? []) || 15_000,
  });
  const names = new Map((resources.data ?? []).map((resource) => [resource.id, resource.name]));
  const failures = (resources.data ?? []).filter((resource) => resource.phase === 'failed');
  const plan = profile.data?.plan;
  return (
    <Page title={organization.name} intro={plan ? <p>{t('dashboard.plan', { plan: locale === 'en' ? plan.nameEn : plan.nameFr })}</p> : null}>
      <div className="grid">
        <Section title={t('dashboard.usage')}>
          {usage.data ? (
            <div className="meters">
              {usage.data.meters.map((meter) => (
                <UsageMeter
                  key={meter.meter}
                  label={t(METER_LABELS[meter.meter] ?? 'meter.domains')}
                  used={meter.used}
                  limit={meter.limit}
                  format={meter.meter.endsWith('_mb') ? format.megabytes : format.number}
                />
              ))}
            </div>
          ) : (
            <QueryState error={usage.error} isPending={usage.isPending} />
          )}
        </Section>
        <Section title={t('dashboard.failures')}>
          {resources.data ? (
            failures.length === 0 ? (
              <Empty>{t('dashboard.noFailures')}</Empty>
            ) : (
              <ul className="plain-list">
                {failures.map((resource) => (
                  <li key={resource.id}>
                    <Link to={resourcePage(id, resource.type, resource.id)}>
                      {t(RESOURCE_TYPE_LABELS[resource.type] ?? 'resourceType.domain')} · {resource.name}
                    </Link>
                    <PhaseBadge resource={resource} />
                  </li>
                ))}
              </ul>
            )
          ) : (
            <QueryState error={resources.error} isPending={resources.isPending} />
          )}
        </Section>
      </div>
      <Section title={t('dashboard.recent')}>
        {events.data ? (
          events.data.length === 0 ? (
            <Empty>{t('dashboard.noEvents')}</Empty>
          ) : (
            <ol className="timeline">
              {events.data.map((event) => (
                <li key={event.id}>
                  <time dateTime={event.at}>{format.dateTime(event.at)}</time>
                  <span>
                    {t(RESOURCE_TYPE_LABELS[event.resourceType] ?? 'resourceType.domain')} <strong>{names.get(event.resourceId) ?? ''}</strong>{' '}
                    {event.kind === 'drift'
                      ? t('event.drift')
                      : event.kind === 'deleted'
                        ? t('event.deleted')
                        : t('event.phase', { phase: t(PHASE_WORDS[event.toPhase ?? 'pending'] ?? 'phase.pending') })}
                  </span>
                </li>
              ))}
            </ol>
          )
        ) : (
          <QueryState error={events.error} isPending={events.isPending} />
        )}
      </Section>
    </Page>
  );
}
