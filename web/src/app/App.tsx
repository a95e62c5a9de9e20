import { useEffect, useState } from 'react';
import { UNAUTHORIZED_EVENT } from '../api/client.js';
import { currentKey, forgetKey, injectedKey } from '../api/session.js';
import { KeyPrompt } from '../components/KeyPrompt.js';
import { AccountPage } from '../pages/account/AccountPage.js';
import { AccountsPage } from '../pages/AccountsPage.js';
import { AuditPage } from '../pages/AuditPage.js';
import { CasePage } from '../pages/case/CasePage.js';
import { CasesPage } from '../pages/CasesPage.js';
import { ClusterPage } from '../pages/cluster/ClusterPage.js';
import { ClustersPage } from '../pages/ClustersPage.js';
import { DecisionsPage } from '../pages/DecisionsPage.js';
import { OverviewPage } from '../pages/overview/OverviewPage.js';
import { PolicyPage } from '../pages/PolicyPage.js';
import { SignalsPage } from '../pages/SignalsPage.js';
import type { Route } from './route.js';
import { Sidebar } from './Sidebar.js';
import { useRoute } from './use-route.js';

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'overview':
      return <OverviewPage />;
    case 'clusters':
      return <ClustersPage level={route.level} />;
    case 'cluster':
      return <ClusterPage id={route.id} />;
    case 'accounts':
      return <AccountsPage level={route.level} q={route.q} cluster={route.cluster} />;
    case 'account':
      return <AccountPage id={route.id} />;
    case 'signals':
      return <SignalsPage detector={route.detector} />;
    case 'cases':
      return <CasesPage />;
    case 'case':
      return <CasePage id={route.id} />;
    case 'decisions':
      return <DecisionsPage />;
    case 'policy':
      return <PolicyPage />;
    case 'audit':
      return <AuditPage />;
    case 'not-found':
      return <div className="state">No page at {route.path}.</div>;
  }
}

export function App() {
  const route = useRoute();
  const [needsKey, setNeedsKey] = useState<string | null>(null);
  const [session, setSession] = useState(0);
  useEffect(() => {
    const onUnauthorized = () =>
      setNeedsKey(currentKey() ? 'The server refused the saved API key.' : 'The server needs an API key.');
    window.addEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
    return () => window.removeEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
  }, []);
  if (needsKey) {
    return (
      <KeyPrompt
        reason={needsKey}
        onSaved={() => {
          setNeedsKey(null);
          setSession((s) => s + 1);
        }}
      />
    );
  }
  const signOut = injectedKey()
    ? null
    : () => {
        forgetKey();
        setNeedsKey('Signed out.');
      };
  return (
    <div className="shell">
      <Sidebar route={route} onSignOut={signOut} />
      <main className="main" key={`${session}`}>
        <Page route={route} />
      </main>
    </div>
  );
}
