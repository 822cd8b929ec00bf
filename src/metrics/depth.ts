import { type Kysely, sql } from "kysely";
import type { Database } from "../store/index.js";

/**
 * The queues as the shared database holds them, read at scrape time. Reads only (src/tasks and src/outbox own
 * these tables and write them): kept here, beside the metrics they feed, so that no engine folder grows a query
 * that only monitoring runs. Every process reads the same rows, so every process reports the same figures.
 */

/** Queued tasks by family and state: `due` (waiting for a runner), `scheduled` (held back until `run_at`),
 * `running` (under a live lease), `stalled` (its lease ran out and no runner took it over yet). */
export interface TaskDepth {
  readonly family: string;
  readonly state: "due" | "scheduled" | "running" | "stalled";
  readonly count: number;
}

/** Outbox messages by state: `due`, `scheduled` (pending, next attempt later), `in_flight`, `stalled`,
 * `delivered`, `failed` (given up or final). */
export interface OutboxDepth {
  readonly state: string;
  readonly count: number;
}

const isTaskState = (s: string): s is TaskDepth["state"] =>
  s === "due" || s === "scheduled" || s === "running" || s === "stalled";

/**
 * One grouped query over queued tasks (`action is not null`: the claims' partial index), however many finished
 * tasks the table holds.
 */
export async function taskDepth(db: Kysely<Database>, now: number): Promise<TaskDepth[]> {
  const rows = await sql<{ family: string; bucket: string; n: number | string }>`
    select family, case
        when lease_until >= ${now} then 'running'
        when lease_until is not null then 'stalled'
        when run_at > ${now} then 'scheduled'
        else 'due' end as bucket,
      count(*) as n
    from tasks where action is not null group by 1, 2`.execute(db);
  return rows.rows.flatMap((r) =>
    isTaskState(r.bucket) ? [{ family: r.family, state: r.bucket, count: Number(r.n) }] : [],
  );
}

/**
 * One grouped query over all messages. Pending ones are split by what they wait for; the others keep their
 * stored state. It counts delivered and failed history too, so its cost grows with the table (docs/operations.md).
 */
export async function outboxDepth(db: Kysely<Database>, now: number): Promise<OutboxDepth[]> {
  const rows = await sql<{ bucket: string; n: number | string }>`
    select case
        when state <> 'pending' then state
        when lease_until >= ${now} then 'in_flight'
        when lease_until is not null then 'stalled'
        when next_at > ${now} then 'scheduled'
        else 'due' end as bucket,
      count(*) as n
    from messages group by 1`.execute(db);
  return rows.rows.map((r) => ({ state: r.bucket, count: Number(r.n) }));
}

/**
 * How long the oldest due work has waited, in ms (0 when none): tasks due and not under a lease, and pending
 * messages due and not under one. Both read the partial indexes of queued work.
 */
export async function oldestDue(
  db: Kysely<Database>,
  now: number,
): Promise<{ tasks: number; messages: number }> {
  const [t, m] = await Promise.all([
    db
      .selectFrom("tasks")
      .select((eb) => eb.fn.min("run_at").as("at"))
      .where("action", "is not", null)
      .where("run_at", "<=", now)
      .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", now)]))
      .executeTakeFirst(),
    db
      .selectFrom("messages")
      .select((eb) => eb.fn.min("next_at").as("at"))
      .where("state", "=", "pending")
      .where("next_at", "<=", now)
      .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", now)]))
      .executeTakeFirst(),
  ]);
  const age = (at: number | string | null | undefined) => (at == null ? 0 : Math.max(0, now - Number(at)));
  return { tasks: age(t?.at), messages: age(m?.at) };
}
