import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Item } from '../../api/client';
import { pollWhileBusy, usePagedList } from '../../api/lists';
import { Checkbox, ConfirmButton, Empty, Field, fieldError, FormError, formValues, MoreButton, Page, PhaseBadge, QueryState, Section, TableWrap } from '../../components/ui';
import { useFormat, useT } from '../../i18n/i18n';
import { useOrganization } from './common';

type SiteRow = Item<'/api/v1/sites'>;

/** Host names typed one per line, or separated by commas or spaces. */
function splitNames(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((name) => name.trim())
    .filter(Boolean);
}

export function SitesPage() {
  const organization = useOrganization();
  const t = useT();
  const format = useFormat();
  const client = useQueryClient();
  const [mode, setMode] = useState<'files' | 'redirect'>('files');
  const key = ['sites', organization.id];
  const sites = usePagedList<SiteRow>(key, (cursor) => unwrap(api.GET('/api/v1/sites', { params: { query: { organizationId: organization.id, limit: 100, ...(cursor ? { cursor } : {}) } } })), {
    live: pollWhileBusy,
  });
  const refresh = () => client.invalidateQueries({ queryKey: key });
  const add = useMutation({
    mutationFn: (values: { hostnames: string[]; documentRoot?: string; redirectTo?: string; https: boolean }) =>
      unwrap(api.POST('/api/v1/sites', { body: { organizationId: organization.id, ...values } })),
    onSuccess: refresh,
  });
  const toggleHttps = useMutation({
    mutationFn: (site: SiteRow) => unwrap(api.PATCH('/api/v1/sites/{id}', { params: { path: { id: site.id } }, body: { https: !site.https } })),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/sites/{id}', { params: { path: { id } } })),
    onSettled: refresh,
  });
  const addError = add.error && !['hostnames', 'documentRoot', 'redirectTo'].some((f) => fieldError(add.error, f)) ? add.error : null;
  return (
    <Page title={t('sites.title')}>
      <Section title={t('sites.add')}>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const form = event.currentTarget;
            const values = formValues(form);
            const https = new FormData(form).get('https') === 'on';
            add.mutate(
              {
                hostnames: splitNames(values.hostnames ?? ''),
                https,
                ...(mode === 'files' && values.documentRoot ? { documentRoot: values.documentRoot } : {}),
                ...(mode === 'redirect' ? { redirectTo: values.redirectTo ?? '' } : {}),
              },
              { onSuccess: () => form.reset() },
            );
          }}
        >
          <FormError error={addError} />
          <Field label={t('sites.hostnames')} name="hostnames" required hint={t('sites.hostnamesHint')} error={fieldError(add.error, 'hostnames')} autoComplete="off" />
          <fieldset className="choice">
            <legend>{t('sites.mode')}</legend>
            <label>
              <input type="radio" name="mode" checked={mode === 'files'} onChange={() => setMode('files')} /> {t('sites.modeFiles')}
            </label>
            <label>
              <input type="radio" name="mode" checked={mode === 'redirect'} onChange={() => setMode('redirect')} /> {t('sites.modeRedirect')}
            </label>
          </fieldset>
          {mode === 'files' ? (
            <Field label={t('sites.documentRoot')} name="documentRoot" hint={t('sites.documentRootHint')} error={fieldError(add.error, 'documentRoot')} autoComplete="off" />
          ) : (
            <Field label={t('sites.redirectTo')} name="redirectTo" type="url" required placeholder="https://" error={fieldError(add.error, 'redirectTo')} />
          )}
          <Checkbox label={t('sites.https')} name="https" hint={t('sites.httpsHint')} />
          <button type="submit" className="primary" disabled={add.isPending}>
            {t('sites.submit')}
          </button>
        </form>
      </Section>
      <Section title={t('sites.list')}>
        <FormError error={remove.error ?? toggleHttps.error} />
        {sites.isPending || sites.error ? (
          <QueryState error={sites.error} isPending={sites.isPending} />
        ) : sites.items.length === 0 ? (
          <Empty>{t('sites.empty')}</Empty>
        ) : (
          <TableWrap>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('sites.hostnames')}</th>
                  <th scope="col">{t('sites.serves')}</th>
                  <th scope="col">HTTPS</th>
                  <th scope="col">{t('sites.storage')}</th>
                  <th scope="col">{t('common.status')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {sites.items.map((site) => (
                  <tr key={site.id} data-resource={site.hostnames[0]}>
                    <th scope="row">
                      <ul className="plain-list compact">
                        {site.hostnames.map((name) => (
                          <li key={name}>{name}</li>
                        ))}
                      </ul>
                    </th>
                    <td className="mono wrap">{site.redirectTo ? t('sites.redirectsTo', { url: site.redirectTo }) : site.documentRoot}</td>
                    <td>
                      <button type="button" aria-pressed={site.https} onClick={() => toggleHttps.mutate(site)} disabled={site.phase === 'deleting'}>
                        {site.https ? t('common.on') : t('common.off')}
                        <span className="visually-hidden"> {t('sites.toggleHttps', { site: site.hostnames[0] ?? '' })}</span>
                      </button>
                    </td>
                    <td>{format.bytes(site.storageBytes)}</td>
                    <td>
                      <PhaseBadge resource={site} />
                    </td>
                    <td className="actions-cell">
                      <ConfirmButton label={t('common.delete')} confirmLabel={t('sites.confirmDelete', { name: site.hostnames[0] ?? '' })} onConfirm={() => remove.mutate(site.id)} disabled={site.phase === 'deleting'} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
        <MoreButton hasMore={sites.hasNextPage} loading={sites.isFetchingNextPage} onClick={() => sites.fetchNextPage()} />
      </Section>
    </Page>
  );
}
