import { type Kysely, sql } from "kysely";
import { type Database, type MessageTable, padToPowerOfTwo, type Store } from "../store/index.js";

/**
 * Outbox statements: claim due messages by lease, and write an attempt's result. A message whose sender died
 * mid-POST keeps state `pending` with a lease that runs out; the next claim sends it again with the same id.
 */

export type MessageRow = MessageTable;

/** Claims up to `limit` due messages for `owner` until `now + leaseMs`. */
export async function claimMessages(
  store: Store,
  owner: string,
  limit: number,
  now: number,
  leaseMs: number,
): Promise<MessageRow[]> {
  const { db, dialect } = store;
  return db
    .updateTable("messages")
    .set({ lease_owner: owner, lease_until: now + leaseMs })
    .where("id", "in", (qb) =>
      qb
        .selectFrom("messages")
        .select("id")
        // A literal, so that the planners can use the partial index on pending messages.
        .where("state", "=", sql.lit("pending"))
        .where("next_at", "<=", now)
        .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", now)]))
        .orderBy("next_at")
        .limit(limit)
        .$if(dialect === "postgres", (q) => q.forUpdate().skipLocked()),
    )
    .returningAll()
    .execute();
}

/** Extends the leases this owner holds on messages whose POST is still running. */
export async function renewMessageLeases(db: Kysely<Database>, owner: string, ids: string[], until: number) {
  if (ids.length === 0) return;
  await db
    .updateTable("messages")
    .set({ lease_until: until })
    .where("id", "in", padToPowerOfTwo(ids))
    .where("lease_owner", "=", owner)
    .execute();
}

/** The signing material of the keys that own the given messages. */
export async function loadSigningKeys(db: Kysely<Database>, ownerIds: string[]) {
  if (ownerIds.length === 0) return new Map<string, SigningRow>();
  const rows = await db
    .selectFrom("api_keys")
    .select(["id", "webhook_key", "previous_webhook_key", "previous_key_until", "hmac_enabled"])
    .where("id", "in", padToPowerOfTwo([...new Set(ownerIds)]))
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}

export interface SigningRow {
  id: string;
  webhook_key: string;
  previous_webhook_key: string | null;
  previous_key_until: number | null;
  hmac_enabled: number;
}

export interface AttemptRecord {
  readonly message: MessageRow;
  readonly trigger: "auto" | "manual";
  readonly startedAt: number;
  readonly endedAt: number;
  readonly latencyMs: number;
  readonly status: number | null;
  readonly errorClass: string | null;
  readonly errorMessage: string | null;
  readonly excerpt: string;
  readonly outcome: "delivered" | "retry" | "failed";
  readonly nextAt: number | null;
}

/** Writes one attempt and moves its message on; false when the lease was lost (the attempt is still kept). */
export async function writeAttempt(trx: Kysely<Database>, owner: string, a: AttemptRecord): Promise<boolean> {
  const m = a.message;
  await trx
    .insertInto("attempts")
    .values({
      message_id: m.id,
      task_id: m.task_id,
      number: m.total_attempts + 1,
      trigger: a.trigger,
      started_at: a.startedAt,
      latency_ms: Math.max(0, Math.round(a.latencyMs)),
      status_code: a.status,
      error_class: a.errorClass,
      error_message: a.errorMessage,
      response_excerpt: a.excerpt,
      outcome: a.outcome,
      next_at: a.nextAt,
    })
    .execute();
  const res = await trx
    .updateTable("messages")
    .set((eb) => ({
      state: a.outcome === "retry" ? "pending" : a.outcome,
      round_attempts: eb("round_attempts", "+", 1),
      total_attempts: eb("total_attempts", "+", 1),
      next_at: a.nextAt ?? a.endedAt,
      lease_owner: null,
      lease_until: null,
      ...(a.outcome === "delivered" ? { delivered_at: a.endedAt } : {}),
    }))
    .where("id", "=", m.id)
    .where("lease_owner", "=", owner)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/**
 * Queues the newest message of a task for another round of attempts (manual redelivery): same message id, a
 * fresh retry schedule. Returns the message id, or null when the task never had a callback.
 */
export async function requeueLatest(store: Store, taskId: string, now: number): Promise<string | null> {
  return store.transact(async (trx) => {
    const latest = await trx
      .selectFrom("messages")
      .select("id")
      .where("task_id", "=", taskId)
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
    if (!latest) return null;
    await trx
      .updateTable("messages")
      .set({ state: "pending", round_attempts: 0, next_at: now, lease_owner: null, lease_until: null })
      .where("id", "=", latest.id)
      .execute();
    return latest.id;
  });
}
