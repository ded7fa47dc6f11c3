import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Item } from '../../api/client';
import { useIdempotencyKey } from '../../api/idempotency';
import { Empty, Field, fieldError, FormError, formValues, Notice, Page, QueryState, Section, SelectField, TableWrap } from '../../components/ui';
import { useT, type MessageId } from '../../i18n/i18n';

type Account = Item<'/api/v1/accounting/accounts'>;
type AccountType = Account['type'];

const TYPES: AccountType[] = ['asset', 'liability', 'equity', 'revenue', 'expense'];
const TYPE_LABELS: Record<AccountType, MessageId> = {
  asset: 'reports.assets',
  liability: 'reports.liabilities',
  equity: 'reports.equity',
  revenue: 'reports.revenueColumn',
  expense: 'reports.expenses',
};
const FIELDS = ['code', 'nameFr', 'nameEn', 'type'] as const;

/** The chart of accounts, by type and code; an accountant adds an account (its code and type are for good). */
export function AccountsPage() {
  const t = useT();
  const client = useQueryClient();
  const idempotency = useIdempotencyKey();
  const accounts = useQuery({ queryKey: ['accounts'], queryFn: async () => (await unwrap(api.GET('/api/v1/accounting/accounts'))).data });
  const create = useMutation({
    mutationFn: (body: { code: string; nameFr: string; nameEn: string; type: AccountType }) => unwrap(api.POST('/api/v1/accounting/accounts', { body, headers: idempotency.headers })),
    onSuccess: () => {
      idempotency.renew();
      return client.invalidateQueries({ queryKey: ['accounts'] });
    },
  });
  const byType = TYPES.map((type) => [type, (accounts.data ?? []).filter((account) => account.type === type).sort((a, b) => a.code.localeCompare(b.code))] as const);
  return (
    <Page title={t('accounts.title')} intro={<p>{t('accounts.intro')}</p>}>
      <Section title={t('accounts.list')}>
        {accounts.data ? (
          accounts.data.length === 0 ? (
            <Empty>{t('accounts.empty')}</Empty>
          ) : (
            <TableWrap>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('accounts.code')}</th>
                    <th scope="col">{t('accounts.name')}</th>
                    <th scope="col">{t('common.status')}</th>
                  </tr>
                </thead>
                {byType.map(([type, ofType]) =>
                  ofType.length === 0 ? null : (
                    <tbody key={type}>
                      <tr>
                        <th scope="rowgroup" colSpan={3}>
                          {t(TYPE_LABELS[type])}
                        </th>
                      </tr>
                      {ofType.map((account) => (
                        <tr key={account.id} data-account={account.code}>
                          <th scope="row">{account.code}</th>
                          <td>{account.name}</td>
                          <td>{account.active ? <span className="badge badge-yes">{t('accounts.active')}</span> : <span className="badge badge-no">{t('accounts.retired')}</span>}</td>
                        </tr>
                      ))}
                    </tbody>
                  ),
                )}
              </table>
            </TableWrap>
          )
        ) : (
          <QueryState error={accounts.error} isPending={accounts.isPending} />
        )}
      </Section>
      <Section title={t('accounts.add')}>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const form = event.currentTarget;
            const values = formValues(form);
            create.mutate({ code: values.code ?? '', nameFr: values.nameFr ?? '', nameEn: values.nameEn ?? '', type: (values.type ?? 'expense') as AccountType }, { onSuccess: () => form.reset() });
          }}
        >
          <FormError error={create.error && !FIELDS.some((field) => fieldError(create.error, field)) ? create.error : null} />
          <div className="form-row">
            <Field label={t('accounts.code')} name="code" inputMode="numeric" autoComplete="off" required hint={t('accounts.codeHint')} error={fieldError(create.error, 'code')} />
            <SelectField label={t('accounts.type')} name="type" defaultValue="expense" options={TYPES.map((value) => ({ value, label: t(TYPE_LABELS[value]) }))} error={fieldError(create.error, 'type')} />
          </div>
          <div className="form-row">
            <Field label={t('accounts.nameFr')} name="nameFr" lang="fr-CA" autoComplete="off" required error={fieldError(create.error, 'nameFr')} />
            <Field label={t('accounts.nameEn')} name="nameEn" lang="en-CA" autoComplete="off" required error={fieldError(create.error, 'nameEn')} />
          </div>
          <button type="submit" className="primary" disabled={create.isPending}>
            {t('accounts.submit')}
          </button>
        </form>
        {create.data ? <Notice tone="success">{t('accounts.added', { code: create.data.code, name: create.data.name })}</Notice> : null}
      </Section>
    </Page>
  );
}
