// Hash routes (#/clusters/cl_7) so the server needs no fallback for deep links.
export type Route =
  | { page: 'overview' }
  | { page: 'clusters'; level?: string }
  | { page: 'cluster'; id: string }
  | { page: 'accounts'; level?: string; q?: string; cluster?: string }
  | { page: 'account'; id: string }
  | { page: 'signals'; detector?: string }
  | { page: 'cases' }
  | { page: 'case'; id: string }
  | { page: 'decisions' }
  | { page: 'policy' }
  | { page: 'audit' }
  | { page: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const [rawPath = '', rawQuery = ''] = hash.replace(/^#/, '').split('?');
  const parts = rawPath.split('/').filter(Boolean).map(decodeURIComponent);
  const query = new URLSearchParams(rawQuery);
  const opt = (k: string) => query.get(k) ?? undefined;
  const [head, id] = parts;
  switch (head) {
    case undefined:
    case 'overview':
      return { page: 'overview' };
    case 'clusters':
      return id ? { page: 'cluster', id } : { page: 'clusters', level: opt('level') };
    case 'accounts':
      return id
        ? { page: 'account', id }
        : { page: 'accounts', level: opt('level'), q: opt('q'), cluster: opt('cluster') };
    case 'signals':
      return { page: 'signals', detector: opt('detector') };
    case 'cases':
      return id ? { page: 'case', id } : { page: 'cases' };
    case 'decisions':
      return { page: 'decisions' };
    case 'policy':
      return { page: 'policy' };
    case 'audit':
      return { page: 'audit' };
    default:
      return { page: 'not-found', path: rawPath };
  }
}

export function href(path: string, query?: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v) params.set(k, v);
  const qs = params.toString();
  return `#${path}${qs ? `?${qs}` : ''}`;
}

export const clusterHref = (id: string) => href(`/clusters/${encodeURIComponent(id)}`);
export const accountHref = (id: string) => href(`/accounts/${encodeURIComponent(id)}`);
export const caseHref = (id: string) => href(`/cases/${encodeURIComponent(id)}`);

export function navigate(to: string): void {
  window.location.hash = to.replace(/^#/, '');
}
