import { formatCount } from '../app/format.js';

export function LoadMore({
  shown,
  total,
  next,
  loading,
  onMore,
}: {
  shown: number;
  /** Length of the whole list, when the server says. */
  total?: number;
  next: string | null;
  loading: boolean;
  onMore: () => void;
}) {
  return (
    <div className="load-more">
      <span className="muted" data-testid="list-count">
        {total !== undefined
          ? `${formatCount(shown)} of ${formatCount(total)} shown`
          : `${formatCount(shown)} shown${next ? '' : ' (all)'}`}
      </span>
      {next && (
        <button className="btn" onClick={onMore} disabled={loading}>
          {loading ? 'Loading…' : 'Load more'}
        </button>
      )}
    </div>
  );
}
