import type { ReactNode } from 'react';
import type { ApiError } from '../api/client.js';

export function Loading({ what }: { what: string }) {
  return (
    <div className="state" role="status">
      <span className="spinner" /> Loading {what}…
    </div>
  );
}

export function ErrorBox({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <strong>{error.code}</strong> {error.message}
      {onRetry && (
        <button className="btn btn-small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state state-empty">{children}</div>;
}
