import { useQuery } from '@tanstack/react-query';
import { Suspense, useEffect, useState } from 'react';
import { Link, Navigate, NavLink, Outlet, useLocation, useMatch, useNavigate, useRouteError } from 'react-router';
import { api, apiHas, unwrap } from './api/client';
import { Loading, NotFoundState, Page } from './components/ui';
import { useLocale, useT, type MessageId } from './i18n/i18n';
import { staffRoles, useMe, useSignOut, useSwitchLocale, type Me } from './session';

/** Switches to the other language; says so in that language (a French speaker looks for "Français"). */
export function LanguageSwitch() {
  const { locale } = useLocale();
  const t = useT();
  const switchLocale = useSwitchLocale();
  const other = locale === 'fr' ? 'en' : 'fr';
  return (
    <button type="button" className="language" lang={other === 'en' ? 'en-CA' : 'fr-CA'} onClick={() => switchLocale.mutate(other)} aria-label={t('language.switch')}>
      {other === 'en' ? 'English' : 'Français'}
    </button>
  );
}

function SkipLink() {
  const t = useT();
  return (
    <a className="skip-link" href="#main">
      {t('nav.skip')}
    </a>
  );
}

function Brand() {
  return (
    <Link to="/" className="brand">
      <img src="/favicon.svg" alt="" width="28" height="28" />
      <span>Ruche</span>
    </Link>
  );
}

/** Sign-in, invitation and password pages: no navigation, just the form. */
export function PublicLayout() {
  return (
    <div className="public-shell">
      <SkipLink />
      <header className="topbar">
        <Brand />
        <LanguageSwitch />
      </header>
      <main id="main" className="public-main">
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}

const LAST_ORG = 'ruche.organization';

/** The organisation last opened on this browser (storage may be off: then none). */
function lastOrganization(): string | null {
  try {
    return window.localStorage.getItem(LAST_ORG);
  } catch {
    return null;
  }
}

function rememberOrganization(id: string): void {
  try {
    window.localStorage.setItem(LAST_ORG, id);
  } catch {
    // Not remembered: the first organisation opens next time.
  }
}

function useOrganizations(me: Me | null | undefined) {
  return useQuery({
    queryKey: ['organizations', 'mine', me?.memberships.map((m) => m.organizationId).join(',')],
    enabled: Boolean(me && me.memberships.length > 0),
    queryFn: async () => {
      const ids = new Set(me!.memberships.map((m) => m.organizationId));
      const page = await unwrap(api.GET('/api/v1/organizations', { params: { query: { limit: 200 } } }));
      return page.data.filter((organization) => ids.has(organization.id));
    },
    staleTime: 60_000,
  });
}

/** Where a signed-in person lands: their organisation, else their staff work. */
export function HomeRedirect() {
  const me = useMe().data;
  if (!me) return null;
  const last = lastOrganization();
  const orgs = me.memberships.map((m) => m.organizationId);
  if (orgs.length > 0) return <Navigate to={`/o/${last && orgs.includes(last) ? last : orgs[0]}`} replace />;
  const roles = staffRoles(me);
  if (roles.has('sysadmin')) return <Navigate to="/admin/queue" replace />;
  if (roles.has('accountant')) return <Navigate to="/accounting/runs" replace />;
  if (roles.has('worker') || roles.has('coordinator')) return <Navigate to="/worker/timesheet" replace />;
  return <Navigate to="/account/profile" replace />;
}

interface NavItem {
  to: string;
  label: MessageId;
  end?: boolean;
}

function NavSection({ title, items, onNavigate }: { title: string; items: NavItem[]; onNavigate: () => void }) {
  const t = useT();
  if (items.length === 0) return null;
  return (
    <div className="nav-section">
      <h2>{title}</h2>
      <ul>
        {items.map((item) => (
          <li key={item.to}>
            <NavLink to={item.to} end={item.end} onClick={onNavigate}>
              {t(item.label)}
            </NavLink>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Every signed-in page: top bar, navigation by area (what the person's roles open), the page. */
export function AppLayout() {
  const t = useT();
  const me = useMe();
  const location = useLocation();
  const navigate = useNavigate();
  const signOut = useSignOut();
  const [menuOpen, setMenuOpen] = useState(false);
  const orgMatch = useMatch('/o/:orgId/*');
  const organizations = useOrganizations(me.data);
  const routeOrg = orgMatch?.params.orgId;
  useEffect(() => {
    if (routeOrg && me.data?.memberships.some((m) => m.organizationId === routeOrg)) rememberOrganization(routeOrg);
  }, [routeOrg, me.data]);
  useEffect(() => setMenuOpen(false), [location.pathname]);

  if (me.isPending) return <Loading />;
  if (!me.data) return <Navigate to={`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  if (me.data.twoFactorEnrollmentRequired && location.pathname !== '/account/profile') return <Navigate to="/account/profile" replace />;

  const roles = staffRoles(me.data);
  const memberOrgs = me.data.memberships.map((m) => m.organizationId);
  const currentOrg = routeOrg ?? memberOrgs[0];
  const org = currentOrg ? `/o/${currentOrg}` : null;
  const clientItems: NavItem[] = org
    ? [
        { to: org, label: 'nav.dashboard', end: true },
        { to: `${org}/domains`, label: 'nav.domains' },
        { to: `${org}/sites`, label: 'nav.sites' },
        { to: `${org}/mailboxes`, label: 'nav.mailboxes' },
        { to: `${org}/aliases`, label: 'nav.aliases' },
        { to: `${org}/databases`, label: 'nav.databases' },
        { to: `${org}/members`, label: 'nav.members' },
        ...(apiHas('get /api/v1/organizations/{id}/statement') ? [{ to: `${org}/invoices`, label: 'nav.invoices' } as NavItem] : []),
      ]
    : [];
  const sysadminItems: NavItem[] = [
    ...(roles.has('sysadmin')
      ? ([
          { to: '/admin/queue', label: 'nav.queue' },
          { to: '/admin/servers', label: 'nav.servers' },
          { to: '/admin/resources', label: 'nav.resources' },
        ] satisfies NavItem[])
      : []),
    ...(roles.has('sysadmin') || roles.has('accountant') ? [{ to: '/admin/audit', label: 'nav.audit' } as NavItem] : []),
  ];
  // Shown once their API exists (the typed client knows which operations the API has).
  const accountingItems: NavItem[] =
    roles.has('accountant') && apiHas('get /api/v1/billing-runs')
      ? [
          { to: '/accounting/runs', label: 'nav.billingRuns' },
          { to: '/accounting/invoices', label: 'nav.invoicesStaff' },
          { to: '/accounting/payments', label: 'nav.payments' },
          { to: '/accounting/reports', label: 'nav.reports' },
          { to: '/accounting/periods', label: 'nav.periods' },
          ...(apiHas('get /api/v1/tax-rates') ? ([{ to: '/accounting/tax-rates', label: 'nav.taxRates' }] satisfies NavItem[]) : []),
          ...(apiHas('get /api/v1/billing-items') ? ([{ to: '/accounting/items', label: 'nav.billingItems' }] satisfies NavItem[]) : []),
          ...(apiHas('get /api/v1/accounting/accounts') ? ([{ to: '/accounting/accounts', label: 'nav.accounts' }] satisfies NavItem[]) : []),
        ]
      : [];
  // Workers keep their time; every worker (and the accountant) reads eligibility and the co-op's books.
  const recordsTime = roles.has('worker') || roles.has('coordinator');
  const workerItems: NavItem[] = apiHas('get /api/v1/time-entries')
    ? [
        ...(recordsTime
          ? ([
              { to: '/worker/timesheet', label: 'nav.timesheet' },
              { to: '/worker/hours', label: 'nav.myHours' },
            ] satisfies NavItem[])
          : []),
        // Approving is the coordinators' (timekeeping:admin, which only their role holds).
        ...(roles.has('coordinator') && apiHas('post /api/v1/time-entries/approve') ? ([{ to: '/worker/approval', label: 'nav.approval' }] satisfies NavItem[]) : []),
        ...(recordsTime || roles.has('accountant')
          ? ([
              { to: '/worker/eligibility', label: 'nav.eligibility' },
              { to: '/worker/finances', label: 'nav.finances' },
            ] satisfies NavItem[])
          : []),
      ]
    : [];
  const close = () => setMenuOpen(false);
  const orgList = organizations.data ?? [];

  return (
    <div className="shell">
      <SkipLink />
      <header className="topbar">
        <Brand />
        <button type="button" className="menu-toggle" aria-expanded={menuOpen} aria-controls="main-nav" onClick={() => setMenuOpen((open) => !open)}>
          {t('nav.menu')}
        </button>
        <div className="topbar-end">
          {orgList.length > 1 ? (
            <div className="org-switch">
              <label htmlFor="org-switch">{t('nav.organization')}</label>
              <select id="org-switch" value={routeOrg ?? ''} onChange={(event) => navigate(`/o/${event.target.value}`)}>
                {!routeOrg ? <option value="">—</option> : null}
                {orgList.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <span className="whoami">{me.data.user.displayName || me.data.user.email}</span>
          <LanguageSwitch />
          <button
            type="button"
            onClick={() =>
              signOut.mutate(undefined, {
                onSettled: () => navigate('/sign-in', { replace: true }),
              })
            }
          >
            {t('nav.signOut')}
          </button>
        </div>
      </header>
      <div className="layout">
        <nav id="main-nav" className={`sidebar ${menuOpen ? 'open' : ''}`} aria-label={t('nav.label')}>
          <NavSection title={orgList.find((o) => o.id === currentOrg)?.name ?? t('nav.organizationSection')} items={clientItems} onNavigate={close} />
          <NavSection title={t('nav.sysadmin')} items={sysadminItems} onNavigate={close} />
          <NavSection title={t('nav.accountingSection')} items={accountingItems} onNavigate={close} />
          <NavSection title={t('nav.workerSection')} items={workerItems} onNavigate={close} />
          <NavSection
            title={t('nav.account')}
            items={[
              { to: '/account/profile', label: 'nav.profile' },
              { to: '/account/tokens', label: 'nav.tokens' },
            ]}
            onNavigate={close}
          />
        </nav>
        <main id="main" tabIndex={-1}>
          <Suspense fallback={<Loading />}>
            <Outlet />
          </Suspense>
        </main>
      </div>
    </div>
  );
}

export function NotFoundPage() {
  const t = useT();
  return (
    <Page title={t('notFound.title')}>
      <NotFoundState />
    </Page>
  );
}

/** A page that could not load (a chunk missing after a deployment, an unexpected error). */
export function RouteError() {
  const error = useRouteError();
  const t = useT();
  console.error(error);
  return (
    <main id="main" className="public-main">
      <div className="card" role="alert">
        <h1>{t('error.pageTitle')}</h1>
        <p>{t('error.pageBody')}</p>
        <p>
          <a href="/">{t('notFound.home')}</a>
        </p>
      </div>
    </main>
  );
}
