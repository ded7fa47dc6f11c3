import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { ConfirmButton, Empty, Field, fieldError, FormError, formValues, Notice, Page, QueryState, Section, TableWrap } from '../../components/ui';
import { previousMonth } from '../../components/dates';
import { useFormat, useT, type MessageId } from '../../i18n/i18n';
import type { BillingRun } from './common';

const RUN_STATUS: Record<BillingRun['status'], MessageId> = {
  queued: 'run.status.queued',
  running: 'run.status.running',
  completed: 'run.status.completed',
  failed: 'run.status.failed',
};
const POSTING_STATUS: Record<string, MessageId> = {
  idle: 'run.posting.idle',
  queued: 'run.posting.queued',
  running: 'run.posting.running',
  completed: 'run.posting.completed',
  failed: 'run.posting.failed',
};

const busy = (run: BillingRun) => run.status === 'queued' || run.status === 'running' || run.posting.status === 'queued' || run.posting.status === 'running';

/** Billing runs: bill a period (one draft per organisation, in the background), follow it, post its drafts. */
export function BillingRunsPage() {
  const t = useT();
  const format = useFormat();
  const client = useQueryClient();
  const runs = useQuery({
    queryKey: ['billing-runs'],
    queryFn: async () => (await unwrap(api.GET('/api/v1/billing-runs'))).data,
    // Live while a run works or posts: its progress moves batch by batch.
    refetchInterval: (query) => ((query.state.data ?? []).some(busy) ? 1000 : false),
  });
  const refresh = () => client.invalidateQueries({ queryKey: ['billing-runs'] });
  const start = useMutation({
    mutationFn: (period: string) => unwrap(api.POST('/api/v1/billing-runs', { body: { period } })),
    onSuccess: refresh,
  });
  const post = useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/api/v1/billing-runs/{id}/post', { params: { path: { id } }, body: { whenClosed: 'refuse' } })),
    onSettled: () => Promise.all([refresh(), client.invalidateQueries({ queryKey: ['invoices'] })]),
  });
  return (
    <Page title={t('runs.title')} intro={<p>{t('runs.intro')}</p>}>
      <Section title={t('runs.start')}>
        <form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            start.mutate(formValues(event.currentTarget).period ?? '');
          }}
        >
          <FormError error={start.error && !fieldError(start.error, 'period') ? start.error : null} />
          <Field label={t('runs.period')} name="period" type="month" required defaultValue={previousMonth()} hint={t('runs.periodHint')} error={fieldError(start.error, 'period')} />
          <button type="submit" className="primary" disabled={start.isPending}>
            {t('runs.submit')}
          </button>
        </form>
        {start.data ? <Notice tone={start.data.repeated ? 'info' : 'success'}>{start.data.repeated ? t('runs.repeated', { period: format.month(start.data.period) }) : t('runs.started', { period: format.month(start.data.period) })}</Notice> : null}
      </Section>
      <Section title={t('runs.list')}>
        <FormError error={post.error} />
        {runs.data ? (
          runs.data.length === 0 ? (
            <Empty>{t('runs.empty')}</Empty>
          ) : (
            <TableWrap>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('runs.period')}</th>
                    <th scope="col">{t('common.status')}</th>
                    <th scope="col">{t('runs.progress')}</th>
                    <th scope="col">{t('runs.posting')}</th>
                    <th scope="col">
                      <span className="visually-hidden">{t('common.actions')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {runs.data.map((run) => (
                    <tr key={run.id} data-period={run.period}>
                      <th scope="row">{format.month(run.period)}</th>
                      <td>
                        <span className={`badge badge-run-${run.status}`} data-status={run.status}>
                          {t(RUN_STATUS[run.status])}
                        </span>
                        {run.lastError ? <p className="hint">{t('runs.failedHint')}</p> : null}
                      </td>
                      <td>
                        <progress max={Math.max(run.progress.organizationsTotal, 1)} value={run.progress.organizationsDone} aria-label={t('runs.progressLabel', { period: format.month(run.period) })} />
                        <p className="hint">
                          {t('runs.progressText', {
                            done: run.progress.organizationsDone,
                            total: run.progress.organizationsTotal,
                            created: run.progress.invoicesCreated,
                            already: run.progress.alreadyInvoiced,
                          })}
                        </p>
                      </td>
                      <td data-posting={run.posting.status}>
                        {t(POSTING_STATUS[run.posting.status] ?? 'run.posting.idle')}
                        {run.posting.invoicesPosted > 0 ? <p className="hint">{t('runs.posted', { count: run.posting.invoicesPosted })}</p> : null}
                      </td>
                      <td className="actions-cell">
                        <Link to={`/accounting/invoices?billingRunId=${run.id}`}>
                          {t('runs.invoices')}
                          <span className="visually-hidden"> {format.month(run.period)}</span>
                        </Link>
                        {run.status === 'completed' && run.posting.status !== 'running' && run.posting.status !== 'queued' && run.progress.invoicesCreated + run.progress.alreadyInvoiced > 0 ? (
                          <ConfirmButton label={t('runs.postAll')} confirmLabel={t('runs.confirmPostAll', { period: format.month(run.period) })} onConfirm={() => post.mutate(run.id)} disabled={post.isPending} />
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )
        ) : (
          <QueryState error={runs.error} isPending={runs.isPending} />
        )}
      </Section>
    </Page>
  );
}
