import type { ReactNode } from 'react';
import type { Level } from '../../../src/contracts/index.js';
import { LevelBadge } from './LevelBadge.js';

export function PageHeader({
  title,
  crumbs,
  children,
}: {
  title: ReactNode;
  crumbs?: { label: string; href: string }[];
  children?: ReactNode;
}) {
  return (
    <header className="page-header">
      <div>
        {crumbs && (
          <nav className="crumbs">
            {crumbs.map((c) => (
              <a key={c.href} href={c.href}>
                {c.label}
              </a>
            ))}
          </nav>
        )}
        <h1>{title}</h1>
      </div>
      {children && <div className="page-actions">{children}</div>}
    </header>
  );
}

/** The header of one account's or cluster's page: its id and level, under a crumb back to the list. */
export function SubjectHeader({
  id,
  level,
  crumb,
  children,
}: {
  id: string;
  level: Level;
  crumb: { label: string; href: string };
  children?: ReactNode;
}) {
  return (
    <PageHeader
      title={
        <>
          <span className="mono">{id}</span> <LevelBadge level={level} />
        </>
      }
      crumbs={[crumb]}
    >
      {children}
    </PageHeader>
  );
}
