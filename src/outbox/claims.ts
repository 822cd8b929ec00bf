import type { Kysely, Selectable } from "kysely";
import type { SigningRow } from "../keys/index.js";
import { type Database, type MessageTable, padToPowerOfTwo, query, statement } from "../store/index.js";

/**
 * The sender's leases: claim due messages, renew and give back their leases (attempt records: attempts.ts). A
 * message whose sender died mid-POST keeps state `pending` with a lease that runs out; the next claim sends it
 * again with the same id.
 */

/** The columns of a message the sender needs to send it (a test send and the callback stream read the same). */
export const MESSAGE_COLUMNS = [
  "id",
  "task_id",
  "owner_id",
  "url",
  "body",
  "sign_task_id",
  "round_attempts",
  "total_attempts",
  "simulate",
  "round_trigger",
] as const;

/** What the sender needs of a claimed message. */
export type MessageRow = Pick<Selectable<MessageTable>, (typeof MESSAGE_COLUMNS)[number]>;

// A literal 'pending', so that the planners use the partial index on pending messages. SQLite finds the rows by
// rowid rather than through the index on the text id (measured: 5.0 → 3.3 µs per claimed row with the narrow
// RETURNING); PostgreSQL skips the rows other senders have locked.
//
// Per-host cap: `due` takes the oldest due messages of the hosts not yet full in this process (those are named
// in the first JSON list, so a full host's backlog, however old, does not hide the others'); the window numbers
// each host's rows oldest first, and a host gets only as many as it has room for (its count in use, second JSON
// list, plus its rank within the claim, up to the limit). Rows `due` picked but the window left out stay pending
// (on PostgreSQL locked until the cycle commits: another process's claim skips them meanwhile).
// The signing material is read with the claim (a round trip fewer per cycle on PostgreSQL); a message whose key
// is gone comes back without it, as before.
const CLAIM = statement<ClaimedRow>(
  (d) => `update messages set lease_owner = ?, lease_until = ?
    where ${d.rowKey} in (
      select ranked.k from (
        select due.k, due.next_at, coalesce(busy.used, 0) as used,
          row_number() over (partition by due.target_host order by due.next_at, due.k) as rn
        from (select ${d.rowKey} as k, next_at, target_host from messages
          where state = 'pending' and next_at <= ? and (lease_until is null or lease_until < ?)
            and target_host not in (select host from ${d.jsonRows([["host", "text"]])} as f)
          order by next_at limit ?${d.skipLocked}) as due
        left join ${d.jsonRows([
          ["host", "text"],
          ["used", "bigint"],
        ])} as busy on busy.host = due.target_host
      ) as ranked
      where ranked.rn + ranked.used <= ?
      order by ranked.next_at limit ?)
    returning id, task_id, owner_id, url, body, sign_task_id, round_attempts, total_attempts, simulate,
      round_trigger, target_host,
      (select k.webhook_key from api_keys as k where k.id = messages.owner_id) as key_webhook_key,
      (select k.previous_webhook_key from api_keys as k where k.id = messages.owner_id) as key_previous_webhook_key,
      (select k.previous_key_until from api_keys as k where k.id = messages.owner_id) as key_previous_key_until,
      (select k.hmac_enabled from api_keys as k where k.id = messages.owner_id) as key_hmac_enabled`,
);

/** What the claim returns: the message and its key's signing columns (null when the key is gone). */
interface ClaimedRow extends MessageRow {
  readonly target_host: string;
  readonly key_webhook_key: string | null;
  readonly key_previous_webhook_key: string | null;
  readonly key_previous_key_until: number | null;
  readonly key_hmac_enabled: number | null;
}

/** A claimed message, the host its callback goes to, and the signing material of its key. */
export interface ClaimedMessage {
  readonly message: MessageRow;
  readonly host: string;
  readonly signing: SigningRow | undefined;
}

/** How many messages of each host this process holds, and how many it may hold: the claim adds no more. */
export interface HostRoom {
  /** Messages claimed and not finished, by host (`messages.target_host`). */
  readonly inUse: ReadonlyMap<string, number>;
  readonly perHost: number;
}

/** No cap: the claim's arithmetic stays in range. */
const UNCAPPED: HostRoom = { inUse: new Map(), perHost: 2 ** 31 - 1 };

/**
 * Claims up to `limit` due messages for `owner` until `now + leaseMs`, oldest first, and no more per host than
 * `hosts` leaves room for. Runs in the caller's transaction (the sender's cycle, with the attempt records of the
 * same moment), or on its own.
 */
export async function claimMessages(
  db: Kysely<Database>,
  owner: string,
  limit: number,
  now: number,
  leaseMs: number,
  hosts: HostRoom = UNCAPPED,
): Promise<ClaimedMessage[]> {
  const busy = [...hosts.inUse].filter(([, used]) => used > 0);
  const full = busy.filter(([, used]) => used >= hosts.perHost).map(([host]) => [host]);
  const rows = await query(db, CLAIM, [
    ...[owner, now + leaseMs, now, now, JSON.stringify(full), limit],
    ...[JSON.stringify(busy), hosts.perHost, limit],
  ]);
  return rows.map((row) => {
    const {
      target_host,
      key_webhook_key,
      key_previous_webhook_key,
      key_previous_key_until,
      key_hmac_enabled,
      ...message
    } = row;
    const signing =
      key_webhook_key === null
        ? undefined
        : {
            id: row.owner_id,
            webhook_key: key_webhook_key,
            previous_webhook_key: key_previous_webhook_key,
            previous_key_until: key_previous_key_until,
            hmac_enabled: key_hmac_enabled ?? 0,
          };
    return { message, host: target_host, signing };
  });
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
