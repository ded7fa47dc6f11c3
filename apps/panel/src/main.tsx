import { initialLocale, intlLocale, loadMessages } from './i18n/locale';
import { isPublicPath } from './public-paths';
import './styles.css';

// The first script holds no library: it starts, side by side, everything the first page waits
// for (the app and its libraries, the public pages' chunk on a public address, the language's
// catalogue) instead of one after the other. The fetches go first: reading the stored language
// can take tens of milliseconds in a new profile.
const app = import('./app');
if (isPublicPath(window.location.pathname)) void import('./areas/public');
const locale = initialLocale();
const messages = loadMessages(locale);

// The browser's first Intl call loads its locale data (tens of milliseconds): let it happen
// while the chunks are on their way, rather than when react-intl starts.
(window.requestIdleCallback ?? setTimeout)(() => {
  Intl.NumberFormat.supportedLocalesOf(intlLocale(locale));
  Intl.DateTimeFormat.supportedLocalesOf(intlLocale(locale));
});

void Promise.all([app, messages]).then(([{ startApp }, loaded]) => startApp(document.getElementById('root')!, locale, loaded));
