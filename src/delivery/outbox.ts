import type { Kysely } from "kysely";
import { readMessageSimulation, withoutRepeat } from "../simulation/index.js";
import {
  type Database,
  type MessageTable,
  numbered,
  padToPowerOfTwo,
  query,
  type Store,
  statement,
} from "../store/index.js";

/**
 * Outbox statements: claim due messages by lease, renew and requeue them (attempt records: attempts.ts). A
 * message whose sender died mid-POST keeps state `pending` with a lease that runs out; the next claim sends it
 * again with the same id.
 */

/** What the sender needs of a claimed message. */
export type MessageRow = Pick<
  MessageTable,
  | "id"
  | "task_id"
  | "owner_id"
  | "url"
  | "body"
  | "sign_task_id"
  | "round_attempts"
  | "total_attempts"
  | "simulate"
>;

// A literal 'pending', so that the planners use the partial index on pending messages. SQLite finds the rows by
// rowid rather than through the index on the text id (measured: 5.0 → 3.3 µs per claimed row with the narrow
// RETURNING); PostgreSQL skips the rows other senders have locked.
const CLAIM_DUE = `select %KEY% from messages where state = 'pending' and next_at <= ?
  and (lease_until is null or lease_until < ?) order by next_at limit ?`;
const CLAIM_TAIL =
  "returning id, task_id, owner_id, url, body, sign_task_id, round_attempts, total_attempts, simulate";
const CLAIM = statement<MessageRow>(
  `update messages set lease_owner = ?, lease_until = ?
    where rowid in (${CLAIM_DUE.replace("%KEY%", "rowid")}) ${CLAIM_TAIL}`,
  numbered(`update messages set lease_owner = ?, lease_until = ?
    where id in (${CLAIM_DUE.replace("%KEY%", "id")} for update skip locked) ${CLAIM_TAIL}`),
);

/**
 * Claims up to `limit` due messages for `owner` until `now + leaseMs`. Runs in the caller's transaction (the
 * sender's cycle, with the attempt records of the same moment), or on its own.
 */
export async function claimMessages(
  db: Kysely<Database>,
  owner: string,
  limit: number,
  now: number,
  leaseMs: number,
): Promise<MessageRow[]> {
  return query(db, CLAIM, [owner, now + leaseMs, now, now, limit]);
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

/** Gives back leases of claimed messages that were not sent (a stopping sender): they are due again at once. */
export async function releaseMessages(db: Kysely<Database>, owner: string, ids: string[]) {
  if (ids.length === 0) return;
  await db
    .updateTable("messages")
    .set({ lease_owner: null, lease_until: null })
    .where("id", "in", padToPowerOfTwo(ids))
    .where("lease_owner", "=", owner)
    .execute();
}

const SIGNING_KEY = statement<SigningRow>(
  "select id, webhook_key, previous_webhook_key, previous_key_until, hmac_enabled from api_keys where id = ?",
);

/** The signing material of the keys that own the given messages (one lookup per distinct owner). */
export async function loadSigningKeys(db: Kysely<Database>, ownerIds: readonly string[]) {
  const out = new Map<string, SigningRow>();
  for (const id of new Set(ownerIds)) {
    const [row] = await query(db, SIGNING_KEY, [id]);
    if (row) out.set(id, row);
  }
  return out;
}

export interface SigningRow {
  id: string;
  webhook_key: string;
  previous_webhook_key: string | null;
  previous_key_until: number | null;
  hmac_enabled: number;
}

/** What a manual redelivery did: the message it queued again, or that one of its attempts is due or running. */
export type Requeued = { readonly messageId: string; readonly busy: boolean };

/**
 * Queues the newest message of a task for another round of attempts (manual redelivery): same message id, a
 * fresh retry schedule. A message waiting for a scheduled retry is sent now; one whose attempt is due or in flight
 * (`busy`) is left alone, so that asking again and again sends no more than one POST at a time. Returns null when
 * the task never had a callback.
 */
export async function requeueLatest(store: Store, taskId: string, now: number): Promise<Requeued | null> {
  return store.transact(async (trx) => {
    const latest = await trx
      .selectFrom("messages")
      .select(["id", "simulate"])
      .where("task_id", "=", taskId)
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
    if (!latest) return null;
    const sim = readMessageSimulation(latest.simulate);
    const res = await trx
      .updateTable("messages")
      .set({
        state: "pending",
        round_attempts: 0,
        next_at: now,
        lease_owner: null,
        lease_until: null,
        // A manual round is no simulated repetition (its first attempt is logged `manual`).
        ...(sim?.repeat ? { simulate: withoutRepeat(sim) } : {}),
      })
      .where("id", "=", latest.id)
      .where((eb) =>
        eb.or([
          eb("state", "in", ["delivered", "failed"]),
          eb.and([eb("state", "=", "pending"), eb("next_at", ">", now)]),
        ]),
      )
      .executeTakeFirst();
    return { messageId: latest.id, busy: Number(res.numUpdatedRows) === 0 };
  });
}
