import { sql, type Kysely } from 'kysely';

/**
 * Inserts `rows` into `table` in statements of at most `perStatement` rows (both stores bound
 * the parameters of one statement), a row whose `key` is already there replacing its `columns`:
 * the newest row for a key wins. Run it inside the caller's transaction.
 */
export async function upsertRows<Row extends object>(
  // Kysely cannot check a table chosen by a parameter; `Row` ties the key and columns to the rows.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  table: string,
  key: keyof Row & string,
  columns: readonly (keyof Row & string)[],
  rows: readonly Row[],
  perStatement: number,
): Promise<void> {
  const replace = Object.fromEntries(columns.map((c) => [c, sql.ref(`excluded.${c}`)]));
  for (let at = 0; at < rows.length; at += perStatement)
    await db
      .insertInto(table)
      .values(rows.slice(at, at + perStatement))
      .onConflict((oc) => oc.column(key).doUpdateSet(replace))
      .execute();
}
