/** The console's frame: navigation, the admin sign-in state, and the page for the address. */
import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { forgetToken, useAdminToken } from './auth/token';
import { consolePath } from './components/links';
import { DeadLettersPage } from './pages/dead-letters/page';
import { FaultsPage } from './pages/faults/page';
import { NotFoundPage } from './pages/not-found';
import { OrdersPage } from './pages/orders/page';
import { OverviewPage } from './pages/overview/page';
import { SagaPage } from './pages/saga/page';
import { StuckPage } from './pages/stuck/page';

const sections = [
  { path: '/overview', label: 'Overview' },
  { path: '/orders', label: 'Orders' },
  { path: '/stuck', label: 'Stuck' },
  { path: '/dead-letters', label: 'Dead letters' },
  { path: '/faults', label: 'Faults' },
];

export function App() {
  return (
    <LocationProvider scope="/console">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <Header />
      <main id="main" tabIndex={-1}>
        <Router>
          <Route path="/console" component={OrdersPage} />
          <Route path="/console/orders" component={OrdersPage} />
          <Route path="/console/orders/:orderId" component={SagaRoute} />
          <Route path="/console/stuck" component={StuckPage} />
          <Route path="/console/dead-letters" component={DeadLettersPage} />
          <Route path="/console/faults" component={FaultsPage} />
          <Route path="/console/overview" component={OverviewPage} />
          <Route default component={NotFoundPage} />
        </Router>
      </main>
    </LocationProvider>
  );
}

function SagaRoute({ orderId }: { orderId: string }) {
  // A new order id is a new page: its state starts afresh.
  return <SagaPage key={orderId} orderId={orderId} />;
}

function Header() {
  const { path } = useLocation();
  const token = useAdminToken();
  const current = (section: string) =>
    path === consolePath(section) ||
    path.startsWith(`${consolePath(section)}/`) ||
    (section === '/orders' && path === '/console');
  return (
    <header class="top">
      <a class="brand" href={consolePath('/orders')}>
        <img src="/console/favicon.svg" alt="" width="22" height="22" />
        Order saga console
      </a>
      <nav aria-label="Sections">
        <ul>
          {sections.map((section) => (
            <li key={section.path}>
              <a
                href={consolePath(section.path)}
                aria-current={current(section.path) ? 'page' : undefined}
              >
                {section.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div class="session">
        {token ? (
          <>
            <span class="signed-in">Admin signed in</span>
            <button type="button" class="link-button" onClick={() => forgetToken()}>
              Sign out
            </button>
          </>
        ) : (
          <span class="hint">Read-only · admin pages ask for the token</span>
        )}
      </div>
    </header>
  );
}
