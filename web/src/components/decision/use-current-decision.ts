import { api, ApiError } from '../../api/client.js';
import type { Decision } from '../../api/types.js';
import { useApi, type Loaded } from '../../api/use-api.js';

/** The decision in force for an account; null when none was ever set (the server answers 404). */
export function useCurrentDecision(accountId: string): Loaded<Decision | null> {
  return useApi(async () => {
    try {
      return await api.get<Decision>(`/v1/decisions/${encodeURIComponent(accountId)}`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  }, [accountId]);
}
