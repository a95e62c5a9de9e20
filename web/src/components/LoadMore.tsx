export function LoadMore({
  shown,
  next,
  loading,
  onMore,
}: {
  shown: number;
  next: string | null;
  loading: boolean;
  onMore: () => void;
}) {
  return (
    <div className="load-more">
      <span className="muted">{shown} shown</span>
      {next && (
        <button className="btn" onClick={onMore} disabled={loading}>
          {loading ? 'Loading…' : 'Load more'}
        </button>
      )}
    </div>
  );
}
