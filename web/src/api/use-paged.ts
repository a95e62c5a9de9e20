import { useCallback, useEffect, useState } from 'react';
import { api, ApiError } from './client.js';
import type { Page } from '../../../src/contracts/index.js';

type Query = Record<string, string | number | undefined>;

/** First page on mount or when the query changes; `more()` follows the opaque cursor. */
export function usePaged<T>(path: string, query: Query, limit = 100) {
  const key = JSON.stringify(query);
  const [items, setItems] = useState<T[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [total, setTotal] = useState<number | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let live = true;
    setLoading(true);
    setError(null);
    api.get<Page<T> | T[]>(path, { ...(JSON.parse(key) as Query), limit }).then(
      (page) => {
        if (!live) return;
        setItems(Array.isArray(page) ? page : page.items);
        setNext(Array.isArray(page) ? null : page.next);
        setTotal(Array.isArray(page) ? page.length : page.total);
        setLoading(false);
      },
      (err: unknown) => {
        if (!live) return;
        setError(err instanceof ApiError ? err : new ApiError(0, 'CLIENT', String(err)));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [path, key, limit, tick]);

  const more = useCallback(() => {
    if (!next) return;
    setLoading(true);
    api.get<Page<T>>(path, { ...(JSON.parse(key) as Query), limit, cursor: next }).then(
      (page) => {
        setItems((prev) => [...prev, ...page.items]);
        setNext(page.next);
        if (page.total !== undefined) setTotal(page.total);
        setLoading(false);
      },
      (err: unknown) => {
        setError(err instanceof ApiError ? err : new ApiError(0, 'CLIENT', String(err)));
        setLoading(false);
      },
    );
  }, [path, key, limit, next]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { items, next, total, loading, error, more, reload };
}

export type Paged<T> = ReturnType<typeof usePaged<T>>;
