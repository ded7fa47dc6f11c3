import { Notice, Page } from '../../components/ui';
import { useT } from '../../i18n/i18n';

/**
 * The worker area (timesheet with a timer, hours, eligibility, the co-op's reports): its own
 * chunk, reached from the navigation once the timekeeping API exists. Its pages land with it.
 */
export function WorkerPage() {
  const t = useT();
  return (
    <Page title={t('nav.workerSection')}>
      <Notice>{t('area.comingSoon')}</Notice>
    </Page>
  );
}
