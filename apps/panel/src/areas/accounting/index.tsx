import { Notice, Page } from '../../components/ui';
import { useT } from '../../i18n/i18n';

/**
 * The accounting area (billing runs, invoices, payments, reports): its own chunk, reached from
 * the navigation once the billing API exists (see AppLayout). Its pages land with that API.
 */
export function AccountingPage() {
  const t = useT();
  return (
    <Page title={t('nav.accountingSection')}>
      <Notice>{t('area.comingSoon')}</Notice>
    </Page>
  );
}
