import { useEffect } from 'react';

/** Reloads live views (detection keeps running on the server) while the tab is visible. */
export function useAutoReload(reload: () => void, everyMs: number): void {
  useEffect(() => {
    const id = window.setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, everyMs);
    return () => window.clearInterval(id);
  }, [reload, everyMs]);
}
