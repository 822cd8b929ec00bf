import type { Kysely } from "kysely";
import { type Database, query, queryRows, rowsStatement, statement, type Tx } from "../store/index.js";
import type { MessageRow } from "./claims.js";

/**
 * What started a round of attempts (`messages.round_trigger`), logged with the round's first attempt. The log also
 * holds attempts of trigger `stream` (see {@link recordStreamAttempt}): copies forwarded through the callback
 * stream, which belong to no round and move no message.
 */
export type RoundTrigger = "auto" | "manual" | "duplicate";

/** What one attempt gave, as the sender records it with its retry decision. */
export interface AttemptRecord {
  readonly message: MessageRow;
  /** `manual`: the first attempt of a redelivery; `duplicate`: of a simulated repetition. */
  readonly trigger: RoundTrigger;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly latencyMs: number;
  readonly status: number | null;
  readonly errorClass: string | null;
  readonly errorMessage: string | null;
  readonly excerpt: string;
  readonly outcome: "delivered" | "retry" | "failed";
  readonly nextAt: number | null;
  /** The headers sent (signatures included; no secret is among them). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The columns of one attempt as both statements below read them. */
const COLUMNS = [
  ["message_id", "text"],
  ["task_id", "text"],
  ["number", "bigint"],
  ["trigger", "text"],
  ["started_at", "bigint"],
  ["latency_ms", "bigint"],
  ["status_code", "bigint"],
  ["error_class", "text"],
  ["error_message", "text"],
  ["response_excerpt", "text"],
  ["outcome", "text"],
  ["next_at", "bigint"],
  ["state", "text"],
  ["move_to", "bigint"],
  ["delivered_at", "bigint"],
  ["request_headers", "text"],
] as const;

// Two statements for a cycle's attempts (on PostgreSQL whatever their number: each statement there is a round
// trip inside the writing transaction).
const INSERT = rowsStatement(
  COLUMNS,
  (rows) => `insert into attempts (message_id, task_id, number, trigger, started_at, latency_ms, status_code,
    error_class, error_message, response_excerpt, outcome, next_at, request_headers)
  select message_id, task_id, number, trigger, started_at, latency_ms, status_code, error_class, error_message,
    response_excerpt, outcome, next_at, request_headers from ${rows} as v`,
);
// Returns what the families' delivery hooks are given of each moved message's task (read, not written: the
// hooks change a task only through src/tasks), which saves the cycle a read of its own.
const MOVE_ON = rowsStatement<{ id: string; task_id: string; family: string | null; status: string | null }>(
  COLUMNS,
  (rows) => `update messages set state = v.state, round_attempts = round_attempts + 1,
    total_attempts = total_attempts + 1, next_at = v.move_to, lease_owner = null, lease_until = null,
    delivered_at = coalesce(v.delivered_at, messages.delivered_at)
  from ${rows} as v where messages.id = v.message_id and messages.lease_owner = ?
  returning messages.id, messages.task_id,
    (select t.family from tasks as t where t.id = messages.task_id) as family,
    (select t.status from tasks as t where t.id = messages.task_id) as status`,
);

/** Text PostgreSQL can store: it refuses NUL in text (and in JSON), which a receiver's answer may hold. */
const storable = (text: string | null) => (text === null ? null : text.replaceAll("\0", "\uFFFD"));

/** The task of a message an attempt moved, as the delivery hooks are given it; null if the task is gone. */
export interface MovedTask {
  readonly id: string;
  readonly family: string;
  readonly status: string;
}

/**
 * Writes attempts and moves their messages on (delivered, failed, or pending again at `nextAt`), in the caller's
 * transaction. Every attempt is kept; a message moves only while `owner` still holds its lease. Returns the
 * messages that moved, by id, with their tasks.
 */
export async function writeAttempts(
  trx: Tx,
  owner: string,
  records: readonly AttemptRecord[],
): Promise<Map<string, MovedTask | null>> {
  const moved = new Map<string, MovedTask | null>();
  if (records.length === 0) return moved;
  // A message is in one flight at a time, so a batch holds it once (were it there twice, both attempts would be
  // logged and one of them would move it).
  const rows = records.map((a) => {
    const m = a.message;
    return [
      m.id,
      m.task_id,
      m.total_attempts + 1,
      a.trigger,
      a.startedAt,
      Math.max(0, Math.round(a.latencyMs)),
      a.status,
      a.errorClass,
      storable(a.errorMessage),
      storable(a.excerpt),
      a.outcome,
      a.nextAt,
      a.outcome === "retry" ? "pending" : a.outcome,
      a.nextAt ?? a.endedAt,
      a.outcome === "delivered" ? a.endedAt : null,
      a.headers === undefined ? null : JSON.stringify(a.headers),
    ];
  });
  await queryRows(trx, INSERT, rows, []);
  for (const row of await queryRows(trx, MOVE_ON, rows, [owner])) {
    const { family, status } = row;
    moved.set(row.id, family === null || status === null ? null : { id: row.task_id, family, status });
  }
  return moved;
}

/** A callback forwarded through the stream, as the forwarding client reported it. */
export interface StreamAttempt {
  readonly messageId: string;
  /** The key reporting: a message of another key is not found. */
  readonly ownerId: string;
  readonly startedAt: number;
  readonly latencyMs: number;
  readonly status: number | null;
  readonly error: string | null;
  readonly excerpt: string;
  readonly headers: Readonly<Record<string, string>> | null;
  /** Where it was forwarded (the developer's own URL). */
  readonly target: string | null;
}

// One statement: the message must be the key's, and hold fewer than `cap` stream attempts. The casts give
// PostgreSQL the parameters' types, which an INSERT … SELECT does not infer.
const INSERT_STREAM = statement<{
  number: number;
}>(`insert into attempts (message_id, task_id, number, trigger,
    started_at, latency_ms, status_code, error_class, error_message, response_excerpt, outcome, next_at,
    request_headers, target)
  select m.id, m.task_id, s.n + 1, 'stream', cast(? as bigint), cast(? as bigint), cast(? as bigint),
    cast(? as text), cast(? as text), cast(? as text), cast(? as text), null, cast(? as text), cast(? as text)
  from messages as m, (select count(*) as n from attempts where message_id = ? and trigger = 'stream') as s
  where m.id = ? and m.owner_id = ? and s.n < ?
  returning number`);

/**
 * Logs a stream attempt (trigger `stream`) without moving its message: the stream is a tee, and the message's own
 * delivery goes on. Answers the attempt's number among the message's stream attempts, `not_found` for a message
 * that is not the key's, or `full` once the message holds `cap` stream attempts.
 */
export async function recordStreamAttempt(
  db: Kysely<Database>,
  a: StreamAttempt,
  cap: number,
): Promise<number | "not_found" | "full"> {
  const delivered = a.status !== null && a.status >= 200 && a.status < 300;
  const errorClass = a.status === null ? "forward_failed" : delivered ? null : "http_status";
  const rows = await query(db, INSERT_STREAM, [
    ...[a.startedAt, Math.max(0, Math.round(a.latencyMs)), a.status, errorClass, storable(a.error)],
    ...[storable(a.excerpt), delivered ? "delivered" : "failed"],
    ...[a.headers === null ? null : JSON.stringify(a.headers), a.target],
    ...[a.messageId, a.messageId, a.ownerId, cap],
  ]);
  const row = rows[0];
  if (row) return Number(row.number);
  const mine = await db
    .selectFrom("messages")
    .select("id")
    .where("id", "=", a.messageId)
    .where("owner_id", "=", a.ownerId)
    .executeTakeFirst();
  return mine ? "full" : "not_found";
}
