import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Item } from '../../api/client';
import { useIdempotencyKey } from '../../api/idempotency';
import { ConfirmButton, Empty, Field, fieldError, FormError, formValues, Notice, Page, QueryState, Section, SelectField, TableWrap } from '../../components/ui';
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
/** The API's longest name: the field stops there rather than the API refusing it in zod's words. */
const NAME_LENGTH = 120;
type AccountChange = { nameFr: string; nameEn: string } | { active: boolean };

/** One account of the chart: its names change in place; retired, it takes no more postings, and it can be brought back. */
function AccountRow({ account, editing, onEdit, onChange, error, busy }: { account: Account; editing: boolean; onEdit: (editing: boolean) => void; onChange: (changes: AccountChange) => void; error: unknown; busy: boolean }) {
  const t = useT();
  return (
    <tr data-account={account.code}>
      <th scope="row">{account.code}</th>
      <td>
        {editing ? (
          <form
            className="inline-edit"
            onSubmit={(event) => {
              event.preventDefault();
              const values = formValues(event.currentTarget);
              onChange({ nameFr: values.nameFr ?? '', nameEn: values.nameEn ?? '' });
            }}
          >
            <FormError error={error && !fieldError(error, 'nameFr') && !fieldError(error, 'nameEn') ? error : null} />
            <Field label={t('accounts.nameFr')} name="nameFr" lang="fr-CA" autoComplete="off" required maxLength={NAME_LENGTH} defaultValue={account.nameFr} autoFocus error={fieldError(error, 'nameFr')} />
            <Field label={t('accounts.nameEn')} name="nameEn" lang="en-CA" autoComplete="off" required maxLength={NAME_LENGTH} defaultValue={account.nameEn} error={fieldError(error, 'nameEn')} />
            <div className="actions">
              <button type="submit" className="primary" disabled={busy}>
                {t('common.save')}
              </button>
              <button type="button" onClick={() => onEdit(false)}>
                {t('common.cancel')}
              </button>
            </div>
          </form>
        ) : (
          account.name
        )}
      </td>
      <td>{account.active ? <span className="badge badge-yes">{t('accounts.active')}</span> : <span className="badge badge-no">{t('accounts.retired')}</span>}</td>
      <td className="actions-cell">
        {editing ? null : (
          <button type="button" onClick={() => onEdit(true)} disabled={busy}>
            {t('accounts.rename')}
            <span className="visually-hidden"> {account.code}</span>
          </button>
        )}
        {account.active ? (
          <ConfirmButton
            label={
              <>
                {t('accounts.retire')}
                <span className="visually-hidden"> {account.code}</span>
              </>
            }
            confirmLabel={t('accounts.confirmRetire', { code: account.code })}
            onConfirm={() => onChange({ active: false })}
            disabled={busy}
          />
        ) : (
          <button type="button" onClick={() => onChange({ active: true })} disabled={busy}>
            {t('accounts.restore')}
            <span className="visually-hidden"> {account.code}</span>
          </button>
        )}
      </td>
    </tr>
  );
}

/** The chart of accounts, by type and code; an accountant adds an account (its code and type are for good), renames one, retires one or brings it back. */
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
  const [editing, setEditing] = useState<string | null>(null);
  const update = useMutation({
    mutationFn: ({ account, changes }: { account: Account; changes: AccountChange }) => unwrap(api.PATCH('/api/v1/accounting/accounts/{id}', { params: { path: { id: account.id } }, body: changes })),
    onSuccess: () => {
      setEditing(null);
      return client.invalidateQueries({ queryKey: ['accounts'] });
    },
  });
  const done = update.isSuccess ? { account: update.data, retiredOrBack: 'active' in update.variables.changes } : null;
  const refusedRetirement = update.isError && 'active' in update.variables.changes;
  const byType = TYPES.map((type) => [type, (accounts.data ?? []).filter((account) => account.type === type).sort((a, b) => a.code.localeCompare(b.code))] as const);
  return (
    <Page title={t('accounts.title')} intro={<p>{t('accounts.intro')}</p>}>
      <Section title={t('accounts.list')}>
        {done ? (
          <Notice tone="success">
            {done.retiredOrBack ? t(done.account.active ? 'accounts.restored' : 'accounts.retiredNow', { code: done.account.code }) : t('accounts.renamed', { code: done.account.code, name: done.account.name })}
          </Notice>
        ) : null}
        {/* A refused rename shows in its row, a refused retirement (or return) here. */}
        <FormError error={refusedRetirement ? update.error : null} />
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
                    <th scope="col">
                      <span className="visually-hidden">{t('common.actions')}</span>
                    </th>
                  </tr>
                </thead>
                {byType.map(([type, ofType]) =>
                  ofType.length === 0 ? null : (
                    <tbody key={type}>
                      <tr>
                        <th scope="rowgroup" colSpan={4}>
                          {t(TYPE_LABELS[type])}
                        </th>
                      </tr>
                      {ofType.map((account) => (
                        <AccountRow
                          key={account.id}
                          account={account}
                          editing={editing === account.id}
                          onEdit={(on) => {
                            update.reset();
                            setEditing(on ? account.id : null);
                          }}
                          onChange={(changes) => update.mutate({ account, changes })}
                          error={update.isError && !refusedRetirement && update.variables.account.id === account.id ? update.error : null}
                          busy={update.isPending}
                        />
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
            <Field label={t('accounts.nameFr')} name="nameFr" lang="fr-CA" autoComplete="off" required maxLength={NAME_LENGTH} error={fieldError(create.error, 'nameFr')} />
            <Field label={t('accounts.nameEn')} name="nameEn" lang="en-CA" autoComplete="off" required maxLength={NAME_LENGTH} error={fieldError(create.error, 'nameEn')} />
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
