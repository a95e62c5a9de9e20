import { CompiledQuery, sql, type ExpressionBuilder, type Kysely } from 'kysely';
import { dialectOf } from '../database.js';
import type { HubDatabase, HubObjectsTable } from './hub-tables.js';

type Db = Kysely<HubDatabase>;

export type HubObjectRow = Omit<HubObjectsTable, 'seq'> & { seq: number };
/** What a read returns of each row: enough to page, list, serve and check the publisher. */
export type HubObjectPageRow = Pick<
  HubObjectRow,
  'seq' | 'object_id' | 'version' | 'date_added' | 'publisher' | 'body'
>;
/** The columns a read may ask for besides seq (each route reads only what it serves). */
export type HubPageColumn = Exclude<keyof HubObjectPageRow, 'seq'>;
const PAGE_COLUMNS: readonly HubPageColumn[] = ['object_id', 'version', 'date_added', 'publisher', 'body'];
export type NewHubObject = Omit<HubObjectsTable, 'seq' | 'date_added' | 'date_added_ms'>;

export interface ObjectQuery {
  collectionId: string;
  /** Groups the reader belongs to: restricted-TLP objects are visible only inside them. */
  readerGroups: string[];
  restrictedTlps: string[];
  afterSeq?: number;
  addedAfterMs?: number;
  ids?: string[];
  types?: string[];
  specVersions?: string[];
  /** 'last' | 'first' | 'all' | explicit versions | several of these (their union, TAXII 2.1 §3.4.1). */
  versions:
    | { mode: 'last' | 'first' | 'all' }
    | { mode: 'exact'; values: string[] }
    | { mode: 'union'; first: boolean; last: boolean; values: string[] };
  objectId?: string;
  limit: number;
}

/**
 * Stores a batch in one transaction with non-decreasing date_added; already-stored versions are
 * skipped (TAXII: re-posting the same version is a no-op). Returns the rows actually added.
 */
export async function insertHubObjects(
  db: Db,
  rows: NewHubObject[],
  now = Date.now(),
): Promise<HubObjectRow[]> {
  return (await insertOwnedHubObjects(db, rows, { claimOwnership: false }, now)).added;
}

export interface OwnedInsert {
  added: HubObjectRow[];
  /** Ids another member published first: nothing of them was stored. */
  notOwned: string[];
  /** Versions already stored with another body: skipped, the caller decides whether that is a conflict. */
  differing: { object_id: string; version: string; body: string }[];
}

/**
 * Like insertHubObjects, but each id belongs to the member that first published it: in the same
 * transaction an unowned id is claimed for the row's publisher, and rows whose id another member
 * owns are skipped and listed. `common` ids (reference objects checked by the caller) are owned
 * by no one. Ids are claimed in sorted order so concurrent claims cannot deadlock.
 */
export async function insertOwnedHubObjects(
  db: Db,
  rows: NewHubObject[],
  opts: { claimOwnership: boolean; common?: ReadonlySet<string> },
  now = Date.now(),
): Promise<OwnedInsert> {
  const result = await db.transaction().execute(async (trx) => {
    const notOwned = new Set<string>();
    if (opts.claimOwnership) {
      const claims = new Map<string, NewHubObject>();
      for (const r of rows)
        if (!opts.common?.has(r.object_id) && !claims.has(r.object_id)) claims.set(r.object_id, r);
      for (const id of [...claims.keys()].sort()) {
        const r = claims.get(id)!;
        await trx
          .insertInto('hub_object_owners')
          .values({ object_id: id, owner: r.publisher, collection_id: r.collection_id, created_at: now })
          .onConflict((oc) => oc.column('object_id').doNothing())
          .execute();
        const owner = await trx
          .selectFrom('hub_object_owners')
          .select('owner')
          .where('object_id', '=', id)
          .executeTakeFirstOrThrow();
        if (owner.owner !== r.publisher) notOwned.add(id);
      }
    }
    const last = await trx
      .selectFrom('hub_objects')
      .select('date_added_ms')
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    const ms = Math.max(now, Number(last?.date_added_ms ?? 0));
    const date_added = new Date(ms).toISOString();
    const added: HubObjectRow[] = [];
    const differing: OwnedInsert['differing'] = [];
    for (const r of rows) {
      if (notOwned.has(r.object_id)) continue;
      const exists = await trx
        .selectFrom('hub_objects')
        .select(['seq', 'body'])
        .where('collection_id', '=', r.collection_id)
        .where('object_id', '=', r.object_id)
        .where('version', '=', r.version)
        .executeTakeFirst();
      if (exists) {
        if (exists.body !== r.body)
          differing.push({ object_id: r.object_id, version: r.version, body: exists.body });
        continue;
      }
      const res = await trx
        .insertInto('hub_objects')
        .values({ ...r, date_added, date_added_ms: ms })
        .returning('seq')
        .executeTakeFirstOrThrow();
      added.push({ ...r, date_added, date_added_ms: ms, seq: Number(res.seq) });
    }
    return { added, notOwned: [...notOwned], differing };
  });
  if (result.added.length) await keepPlanStatistics(db, result.added.length);
  return result;
}

/** Per database instance: rows added since the hub last refreshed hub_objects' statistics. */
const planStats = new WeakMap<object, { analyzedRows: number; added: number; busy: boolean }>();

/**
 * PostgreSQL plans the page query from hub_objects' statistics. Without them (a table never
 * analysed: autovacuum off, or not yet run after a large publish) it estimates a collection at a
 * few rows and sorts all of it, with the latest-version subquery per row, for every page: a page
 * then costs the database O(collection) instead of O(page) (15 ms instead of 0.6 ms at 5,000
 * objects). So the hub refreshes them itself after publishes that grew the table by autovacuum's
 * default share (50 rows + 10 %) since the last refresh. Best effort: a refusal (e.g. a role that
 * does not own the table) only leaves planning to autovacuum.
 */
async function keepPlanStatistics(db: Db, added: number): Promise<void> {
  if (dialectOf(db) !== 'postgres') return;
  let s = planStats.get(db);
  if (!s) {
    // reltuples is -1 until the table is first analysed.
    const r = await sql<{
      reltuples: number;
    }>`select reltuples::float8 as reltuples from pg_class where oid = 'hub_objects'::regclass`
      .execute(db)
      .catch(() => undefined);
    s = { analyzedRows: r?.rows[0]?.reltuples ?? -1, added: 0, busy: false };
    planStats.set(db, s);
  }
  s.added += added;
  if (s.busy || (s.analyzedRows >= 0 && s.added < 50 + 0.1 * s.analyzedRows)) return;
  s.busy = true;
  try {
    await sql`analyze hub_objects`.execute(db);
    const r = await sql<{
      reltuples: number;
    }>`select reltuples::float8 as reltuples from pg_class where oid = 'hub_objects'::regclass`.execute(db);
    s.analyzedRows = Math.max(0, r.rows[0]?.reltuples ?? 0);
    s.added = 0;
  } catch {
    s.analyzedRows = Number.POSITIVE_INFINITY;
  } finally {
    s.busy = false;
  }
}

/** Restricted-TLP rows are visible only inside the group they were published through. */
export function visibleTo(
  eb: ExpressionBuilder<HubDatabase & { o: HubObjectsTable }, 'o'>,
  q: Pick<ObjectQuery, 'readerGroups' | 'restrictedTlps'>,
) {
  return eb.or([
    eb('o.tlp', 'is', null),
    eb('o.tlp', 'not in', q.restrictedTlps.length ? q.restrictedTlps : ['-']),
    eb('o.group_name', 'in', q.readerGroups.length ? q.readerGroups : ['-']),
  ]);
}

/**
 * The SQL of a keyset page over (seq), for a dialect. Written out rather than built with Kysely:
 * this runs on every TAXII read, and building and compiling the query through Kysely cost about
 * as much CPU as SQLite executing it (~0.3 ms of a ~2 ms page). The text is what Kysely built
 * (same conditions, same order); values are always parameters.
 */
export function hubObjectPageSql(
  q: ObjectQuery,
  dialect: 'sqlite' | 'postgres',
  columns: readonly HubPageColumn[] = PAGE_COLUMNS,
): { sql: string; parameters: unknown[] } {
  const parameters: unknown[] = [];
  const p = (v: unknown): string => {
    parameters.push(v);
    return dialect === 'postgres' ? `$${parameters.length}` : '?';
  };
  const list = (vs: readonly unknown[]): string => vs.map(p).join(', ');
  const restricted = q.restrictedTlps.length ? q.restrictedTlps : ['-'];
  const groups = q.readerGroups.length ? q.readerGroups : ['-'];
  let text =
    `select o.seq${columns
      .filter((c) => PAGE_COLUMNS.includes(c))
      .map((c) => `, o.${c}`)
      .join('')} from hub_objects as o` +
    ` where o.collection_id = ${p(q.collectionId)}` +
    // Restricted-TLP rows are visible only inside the group they were published through.
    ` and (o.tlp is null or o.tlp not in (${list(restricted)}) or o.group_name in (${list(groups)}))`;
  if (q.afterSeq !== undefined) text += ` and o.seq > ${p(q.afterSeq)}`;
  if (q.addedAfterMs !== undefined) text += ` and o.date_added_ms > ${p(q.addedAfterMs)}`;
  if (q.objectId) text += ` and o.object_id = ${p(q.objectId)}`;
  if (q.ids?.length) text += ` and o.object_id in (${list(q.ids)})`;
  if (q.types?.length) text += ` and o.object_type in (${list(q.types)})`;
  if (q.specVersions?.length) text += ` and o.spec_version in (${list(q.specVersions)})`;
  const extreme = (which: 'first' | 'last') =>
    `o.version = (select ${which === 'last' ? 'max' : 'min'}(o2.version) from hub_objects as o2` +
    ' where o2.collection_id = o.collection_id and o2.object_id = o.object_id)';
  const v = q.versions;
  if (v.mode === 'exact') text += ` and o.version in (${list(v.values)})`;
  else if (v.mode === 'union') {
    const any = [
      ...(v.first ? [extreme('first')] : []),
      ...(v.last ? [extreme('last')] : []),
      ...(v.values.length ? [`o.version in (${list(v.values)})`] : []),
    ];
    text += ` and (${any.join(' or ')})`;
  } else if (v.mode !== 'all') text += ` and ${extreme(v.mode)}`;
  text += ` order by o.seq limit ${p(q.limit + 1)}`;
  return { sql: text, parameters };
}

/**
 * Keyset page over (seq): seq order is date_added order, so equal timestamps never split or repeat.
 * Rows hold seq and the `columns` asked for (default all): each column not needed is a string per
 * row built and dropped (on SQLite, the four small ones cost about a third of a page's query).
 */
export async function queryHubObjects<C extends HubPageColumn = HubPageColumn>(
  db: Db,
  q: ObjectQuery,
  columns: readonly C[] = PAGE_COLUMNS as readonly C[],
): Promise<{ rows: (Pick<HubObjectPageRow, C> & { seq: number })[]; more: boolean }> {
  const { sql: text, parameters } = hubObjectPageSql(q, dialectOf(db), columns);
  const { rows } = await db.executeQuery<Pick<HubObjectPageRow, C> & { seq: number }>(
    CompiledQuery.raw(text, parameters),
  );
  const more = rows.length > q.limit;
  if (more) rows.length = q.limit;
  for (const r of rows) r.seq = Number(r.seq);
  return { rows, more };
}

export async function deleteHubObjects(
  db: Db,
  collectionId: string,
  objectId: string,
  versions?: string[],
): Promise<number> {
  let q = db
    .deleteFrom('hub_objects')
    .where('collection_id', '=', collectionId)
    .where('object_id', '=', objectId);
  if (versions?.length) q = q.where('version', 'in', versions);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Publishers of the versions of an object this reader may see in one collection. */
export const visiblePublishersOf = (
  db: Db,
  objectId: string,
  collectionId: string,
  reader: Pick<ObjectQuery, 'readerGroups' | 'restrictedTlps'>,
) =>
  db
    .selectFrom('hub_objects as o')
    .select('o.publisher')
    .where('o.object_id', '=', objectId)
    .where('o.collection_id', '=', collectionId)
    .where((eb) => visibleTo(eb, reader))
    .distinct()
    .execute();

export async function saveStatus(
  db: Db,
  id: string,
  member: string,
  body: unknown,
  now = Date.now(),
): Promise<void> {
  await db
    .insertInto('hub_status')
    .values({ id, member, body: JSON.stringify(body), created_at: now })
    .execute();
}

export const getStatus = (db: Db, id: string) =>
  db.selectFrom('hub_status').selectAll().where('id', '=', id).executeTakeFirst();

export async function insertSighting(
  db: Db,
  s: {
    collection_id: string;
    sighting_id: string;
    sighting_of_ref: string;
    sighter: string;
    anonymous: boolean;
    count: number;
  },
  now = Date.now(),
): Promise<void> {
  await db
    .insertInto('hub_sightings')
    .values({ ...s, anonymous: s.anonymous ? 1 : 0, created_at: now })
    .execute();
}

/** Sightings of the objects a publisher published, per object. */
export async function sightingsOfPublisher(db: Db, publisher: string) {
  return db
    .selectFrom('hub_sightings as s')
    .innerJoin(
      (eb) =>
        eb
          .selectFrom('hub_objects')
          .select('object_id')
          .where('publisher', '=', publisher)
          .distinct()
          .as('p'),
      (join) => join.onRef('p.object_id', '=', 's.sighting_of_ref'),
    )
    .select(['s.sighting_of_ref', 's.sighter', 's.anonymous', 's.count', 's.created_at'])
    .orderBy('s.seq')
    .execute();
}

/**
 * Distinct members that sighted each object of a collection (no names), only for objects whose
 * current version the reader may see there: a restricted-TLP object's id never leaves its group.
 */
export async function sighterCountsIn(
  db: Db,
  collectionId: string,
  reader: Pick<ObjectQuery, 'readerGroups' | 'restrictedTlps'>,
): Promise<{ sighting_of_ref: string; members: number }[]> {
  const rows = await db
    .selectFrom('hub_sightings as s')
    .select(['s.sighting_of_ref', (eb) => eb.fn.count<number>('s.sighter').distinct().as('members')])
    .where('s.collection_id', '=', collectionId)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('hub_objects as o')
          .select('o.seq')
          .where('o.collection_id', '=', collectionId)
          .whereRef('o.object_id', '=', 's.sighting_of_ref')
          .where((e) => visibleTo(e, reader))
          .where('o.version', '=', (e) =>
            e
              .selectFrom('hub_objects as o2')
              .select((f) => f.fn.max('o2.version').as('v'))
              .whereRef('o2.collection_id', '=', 'o.collection_id')
              .whereRef('o2.object_id', '=', 'o.object_id'),
          ),
      ),
    )
    .groupBy('s.sighting_of_ref')
    .orderBy('s.sighting_of_ref')
    .execute();
  return rows.map((r) => ({ sighting_of_ref: r.sighting_of_ref, members: Number(r.members) }));
}
