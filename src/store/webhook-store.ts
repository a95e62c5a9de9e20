import type { Kysely, Selectable } from 'kysely';
import type { CoreDatabase, DeadLettersTable, WebhookDeliveriesTable, WebhooksTable } from './core-tables.js';

type Db = Kysely<CoreDatabase>;
export type WebhookRow = Selectable<WebhooksTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
export type DeadLetterRow = Selectable<DeadLettersTable>;

export async function insertWebhook(db: Db, row: WebhookRow): Promise<void> {
  await db.insertInto('webhooks').values(row).execute();
}

export async function listWebhooks(db: Db): Promise<WebhookRow[]> {
  return db.selectFrom('webhooks').selectAll().orderBy('created_at').orderBy('id').execute();
}

/** Removes a webhook and every delivery queued for it (dead letters stay for the record). */
export async function deleteWebhook(db: Db, id: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await trx.deleteFrom('webhook_deliveries').where('webhook_id', '=', id).execute();
    const r = await trx.deleteFrom('webhooks').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  });
}

export async function setWebhookActive(db: Db, id: string, active: boolean): Promise<boolean> {
  const r = await db
    .updateTable('webhooks')
    .set({ active: active ? 1 : 0 })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** The oldest pending delivery of one webhook: its queue is sent in order, one at a time. */
export async function nextPendingDelivery(
  db: Db,
  webhookId: string,
): Promise<WebhookDeliveryRow | undefined> {
  return db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('webhook_id', '=', webhookId)
    .where('status', '=', 'pending')
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
}

export async function countPendingDeliveries(db: Db, webhookId: string): Promise<number> {
  const r = await db
    .selectFrom('webhook_deliveries')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('webhook_id', '=', webhookId)
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function insertDeliveries(db: Db, rows: readonly WebhookDeliveryRow[]): Promise<void> {
  if (rows.length === 0) return;
  for (let i = 0; i < rows.length; i += 300)
    await db
      .insertInto('webhook_deliveries')
      .values(rows.slice(i, i + 300))
      .execute();
}

/** Pending deliveries whose next attempt is due, oldest first. */
export async function dueDeliveries(db: Db, now: number, limit: number): Promise<WebhookDeliveryRow[]> {
  return db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function markDelivery(
  db: Db,
  id: string,
  patch: Pick<WebhookDeliveryRow, 'status' | 'attempts' | 'next_attempt_at' | 'last_error' | 'updated_at'>,
): Promise<void> {
  await db.updateTable('webhook_deliveries').set(patch).where('id', '=', id).execute();
}

/** Gives a delivery up: marks it dead and keeps its payload in the dead-letter table, atomically. */
export async function deadLetter(
  db: Db,
  delivery: WebhookDeliveryRow,
  lastError: string,
  now: number,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('webhook_deliveries')
      .set({ status: 'dead', attempts: delivery.attempts, last_error: lastError, updated_at: now })
      .where('id', '=', delivery.id)
      .execute();
    await trx
      .insertInto('dead_letters')
      .values({
        id: delivery.id,
        delivery_id: delivery.id,
        webhook_id: delivery.webhook_id,
        event_type: delivery.event_type,
        payload: delivery.payload,
        attempts: delivery.attempts,
        last_error: lastError,
        created_at: now,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  });
}

/** Records deliveries that were never queued (e.g. their webhook's queue was full) as dead letters. */
export async function insertDeadDeliveries(
  db: Db,
  rows: readonly WebhookDeliveryRow[],
  lastError: string,
  now: number,
): Promise<void> {
  if (rows.length === 0) return;
  await db.transaction().execute(async (trx) => {
    for (const d of rows) {
      await trx
        .insertInto('webhook_deliveries')
        .values({ ...d, status: 'dead', last_error: lastError, updated_at: now })
        .execute();
      await trx
        .insertInto('dead_letters')
        .values({
          id: d.id,
          delivery_id: d.id,
          webhook_id: d.webhook_id,
          event_type: d.event_type,
          payload: d.payload,
          attempts: d.attempts,
          last_error: lastError,
          created_at: now,
        })
        .execute();
    }
  });
}

export async function listDeliveries(db: Db, webhookId?: string): Promise<WebhookDeliveryRow[]> {
  let q = db.selectFrom('webhook_deliveries').selectAll();
  if (webhookId) q = q.where('webhook_id', '=', webhookId);
  return q.orderBy('created_at').orderBy('id').execute();
}

export async function listDeadLetters(db: Db): Promise<DeadLetterRow[]> {
  return db.selectFrom('dead_letters').selectAll().orderBy('created_at').orderBy('id').execute();
}
