import type { Route } from './route.js';
import { href } from './route.js';

const ICONS: Record<string, string> = {
  overview: 'M3 13h8V3H3v10zm0 8h8v-6H3v6zm10 0h8V11h-8v10zm0-18v6h8V3h-8z',
  clusters:
    'M12 2a3 3 0 1 1 0 6 3 3 0 0 1 0-6zM5 14a3 3 0 1 1 0 6 3 3 0 0 1 0-6zm14 0a3 3 0 1 1 0 6 3 3 0 0 1 0-6zM11 8h2v3l5 3-1 1.7-5-3-5 3L6 14l5-3V8z',
  accounts: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm0 2c-3.3 0-8 1.7-8 5v1h16v-1c0-3.3-4.7-5-8-5z',
  cases: 'M4 4h16v4H4V4zm0 6h7v10H4V10zm9 0h7v6h-7v-6z',
  signals: 'M3 12h4l3-8 4 16 3-8h4v2h-2.6L14 22 10 6.5 8.4 14H3v-2z',
  decisions:
    'M12 2 4 5v6c0 5 3.4 9.7 8 11 4.6-1.3 8-6 8-11V5l-8-3zm-1 14-4-4 1.4-1.4 2.6 2.6 5.6-5.6L18 9l-7 7z',
  policy: 'M6 2h9l5 5v15H6V2zm8 1.5V8h4.5M9 12h8v1.5H9V12zm0 4h8v1.5H9V16z',
  audit: 'M13 3a9 9 0 1 0 8.9 10h-2A7 7 0 1 1 13 5V3zm-1 5v5.4l4.2 2.5.8-1.3-3.5-2.1V8H12z',
};

const ITEMS: { key: string; label: string; path: string; pages: Route['page'][] }[] = [
  { key: 'overview', label: 'Overview', path: '/overview', pages: ['overview'] },
  { key: 'clusters', label: 'Clusters', path: '/clusters', pages: ['clusters', 'cluster'] },
  { key: 'accounts', label: 'Accounts', path: '/accounts', pages: ['accounts', 'account'] },
  { key: 'signals', label: 'Signals', path: '/signals', pages: ['signals'] },
  { key: 'cases', label: 'Cases', path: '/cases', pages: ['cases', 'case'] },
  { key: 'decisions', label: 'Decisions', path: '/decisions', pages: ['decisions'] },
  { key: 'policy', label: 'Policy', path: '/policy', pages: ['policy'] },
  { key: 'audit', label: 'Audit log', path: '/audit', pages: ['audit'] },
];

export function Sidebar({ route, onSignOut }: { route: Route; onSignOut: (() => void) | null }) {
  return (
    <aside className="sidebar" data-testid="sidebar">
      <a className="brand" href={href('/overview')}>
        <span className="logo" aria-hidden />
        <span className="brand-text">
          DistillGuard
          <small>distillation defence</small>
        </span>
      </a>
      <nav>
        {ITEMS.map((item) => (
          <a
            key={item.key}
            href={href(item.path)}
            className={`nav-item ${item.pages.includes(route.page) ? 'active' : ''}`}
            data-testid={`nav-${item.key}`}
            title={item.label}
            aria-label={item.label}
          >
            <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden>
              <path d={ICONS[item.key]} fill="currentColor" />
            </svg>
            <span className="nav-label">{item.label}</span>
          </a>
        ))}
      </nav>
      <div className="sidebar-foot">
        {onSignOut && (
          <button className="btn btn-ghost btn-small" onClick={onSignOut}>
            Sign out
          </button>
        )}
        <span className="muted small">findings.v1 · API v1</span>
      </div>
    </aside>
  );
}
