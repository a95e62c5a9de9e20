import { useEffect, useState, type FormEvent } from 'react';
import type { AccountFinding } from '../../../src/contracts/index.js';
import { usePaged } from '../api/use-paged.js';
import { href, navigate } from '../app/route.js';
import { LevelFilter } from '../components/LevelFilter.js';
import { PagedPanel } from '../components/PagedPanel.js';
import { PageHeader } from '../components/PageHeader.js';
import { AccountTable } from './AccountTable.js';

const SEARCH_DELAY_MS = 350;

export function AccountsPage({ level, q, cluster }: { level?: string; q?: string; cluster?: string }) {
  const list = usePaged<AccountFinding>('/v1/accounts', { level, q, cluster_id: cluster });
  const [search, setSearch] = useState(q ?? '');
  const go = (next: { level?: string; q?: string; cluster?: string }) =>
    navigate(href('/accounts', { level, q, cluster, ...next }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    go({ q: search.trim() || undefined });
  };
  // Typing searches once the analyst pauses; Enter and the button search at once.
  useEffect(() => {
    const wanted = search.trim() || undefined;
    if (wanted === (q || undefined)) return;
    const timer = setTimeout(() => go({ q: wanted }), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
    // Only the typed text starts a search (go is rebuilt from the route on every render).
  }, [search]);
  return (
    <>
      <PageHeader title={cluster ? `Accounts in ${cluster}` : 'Accounts'}>
        <form onSubmit={submit} className="search">
          <input
            className="input"
            placeholder="Search account id…"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            name="q"
            type="search"
            aria-label="Search account id"
          />
          <button className="btn" type="submit" data-testid="search-button">
            Search
          </button>
        </form>
        <LevelFilter value={level} onChange={(l) => go({ level: l })} />
      </PageHeader>
      {cluster && (
        <p className="lede">
          Filtered to cluster <b className="mono">{cluster}</b>.{' '}
          <a href={href('/accounts', { level, q })}>Show all accounts</a>
        </p>
      )}
      <PagedPanel list={list} what="accounts" empty="No accounts match.">
        {(items) => <AccountTable rows={items} testId="accounts-table" maxHeight={720} />}
      </PagedPanel>
    </>
  );
}
