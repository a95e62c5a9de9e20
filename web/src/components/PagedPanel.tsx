import type { ReactNode } from 'react';
import type { Paged } from '../api/use-paged.js';
import { LoadMore } from './LoadMore.js';
import { Empty, ErrorBox, Loading } from './States.js';

/** A paged list in a flush panel: error, first load and empty states, then the rows and "Load more". */
export function PagedPanel<T>({
  list,
  what,
  empty,
  children,
}: {
  list: Paged<T>;
  /** What is loading, for the loading line. */
  what: string;
  /** What the empty state says. */
  empty: ReactNode;
  children: (items: T[]) => ReactNode;
}) {
  return (
    <>
      <section className="panel flush">
        {list.error ? (
          <ErrorBox error={list.error} onRetry={list.reload} />
        ) : list.loading && list.items.length === 0 ? (
          <Loading what={what} />
        ) : list.items.length === 0 ? (
          <Empty>{empty}</Empty>
        ) : (
          children(list.items)
        )}
      </section>
      <LoadMore
        shown={list.items.length}
        total={list.total}
        next={list.next}
        loading={list.loading}
        onMore={list.more}
      />
    </>
  );
}
