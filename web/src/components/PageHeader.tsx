import type { ReactNode } from 'react';

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
