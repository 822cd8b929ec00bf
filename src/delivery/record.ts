import type { Kysely } from "kysely";
import { afterRepeatQueued, readMessageSimulation } from "../simulation/index.js";
import {
  type Database,
  exec,
  padToPowerOfTwo,
  powerOfTwoChunks,
  query,
  repeated,
  type TaskTable,
} from "../store/index.js";
import type { Family } from "../tasks/index.js";
import type { MessageRow } from "./outbox.js";

/** What one attempt gave, as the sender records it with its retry decision. */
export interface AttemptRecord {
  readonly message: MessageRow;
  /** `manual`: the first attempt of a redelivery; `duplicate`: of a simulated repetition. */
  readonly trigger: "auto" | "manual" | "duplicate";
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

// Multi-row statements: one insert and one update per chunk of attempts instead of two statements each (on
// PostgreSQL each statement is a round trip inside the writing transaction).
const INSERT = repeated(
  `insert into attempts (message_id, task_id, number, trigger, started_at, latency_ms, status_code,
    error_class, error_message, response_excerpt, outcome, next_at) values `,
  "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  "",
);
// A VALUES list in FROM names its columns column1…; PostgreSQL needs their types spelled out.
const MOVE_ON = repeated<{ id: string }>(
  `update messages set state = v.column2, round_attempts = round_attempts + 1,
    total_attempts = total_attempts + 1, next_at = v.column3, lease_owner = null, lease_until = null,
    delivered_at = coalesce(v.column4, delivered_at)
  from (values `,
  "(?, ?, ?, ?)",
  ") as v where messages.id = v.column1 and messages.lease_owner = ? returning messages.id",
  "(?::text, ?::text, ?::bigint, ?::bigint)",
);
const TASKS = repeated<Pick<TaskTable, "id" | "family" | "status">>(
  "select id, family, status from tasks where id in (",
  "?",
  ")",
);

/** Splits records so that no chunk holds one message twice (a message is in one flight at a time, but be safe). */
function distinctChunks(records: readonly AttemptRecord[]): AttemptRecord[][] {
  const groups: { ids: Set<string>; records: AttemptRecord[] }[] = [];
  for (const r of records) {
    let g = groups.find((x) => !x.ids.has(r.message.id));
    if (!g) {
      g = { ids: new Set(), records: [] };
      groups.push(g);
    }
    g.ids.add(r.message.id);
    g.records.push(r);
  }
  return groups.flatMap((g) => powerOfTwoChunks(g.records));
}

/**
 * Writes attempts and moves their messages on (delivered, failed, or pending again at `nextAt`), in the caller's
 * transaction. Every attempt is kept; a message moves only while `owner` still holds its lease. Returns the ids
 * of the messages that moved.
 */
export async function writeAttempts(
  trx: Kysely<Database>,
  owner: string,
  records: readonly AttemptRecord[],
): Promise<Set<string>> {
  const moved = new Set<string>();
  for (const chunk of distinctChunks(records)) {
    const rows: unknown[] = [];
    const moves: unknown[] = [];
    for (const a of chunk) {
      const m = a.message;
      rows.push(m.id, m.task_id, m.total_attempts + 1, a.trigger, a.startedAt);
      rows.push(Math.max(0, Math.round(a.latencyMs)), a.status, a.errorClass, a.errorMessage);
      rows.push(a.excerpt, a.outcome, a.nextAt);
      const state = a.outcome === "retry" ? "pending" : a.outcome;
      moves.push(m.id, state, a.nextAt ?? a.endedAt, a.outcome === "delivered" ? a.endedAt : null);
    }
    await exec(trx, INSERT(chunk.length), rows);
    moves.push(owner);
    for (const row of await query(trx, MOVE_ON(chunk.length), moves)) moved.add(row.id);
  }
  return moved;
}

/**
 * Records a batch of attempts (see {@link writeAttempts}) and runs the families' delivery hooks for the
 * messages that ended (delivered or given up), in the caller's transaction. Returns the ids that moved.
 */
export async function recordAttempts(
  trx: Kysely<Database>,
  owner: string,
  families: ReadonlyMap<string, Family>,
  records: readonly AttemptRecord[],
): Promise<Set<string>> {
  const moved = await writeAttempts(trx, owner, records);
  await repeatSimulatedDuplicates(trx, records, moved);
  const finals = records.filter((r) => r.outcome !== "retry" && moved.has(r.message.id));
  if (finals.length === 0) return moved;
  // One read for the batch, of the little the hooks are given.
  const ids = padToPowerOfTwo([...new Set(finals.map((r) => r.message.task_id))]);
  const rows = await query(trx, TASKS(ids.length), ids);
  const byId = new Map(rows.map((row) => [row.id, row]));
  for (const record of finals) {
    const row = byId.get(record.message.task_id);
    const family = row ? families.get(row.family) : undefined;
    const hook = record.outcome === "delivered" ? family?.onDelivered : family?.onDeliveryGivenUp;
    if (row && family && hook)
      await hook.call(family, trx, { id: row.id, family: row.family, status: row.status });
  }
  return moved;
}

/** How long after a delivery its simulated repetition is sent. */
const REPEAT_AFTER_MS = 1000;

/**
 * Failure simulation (`duplicate=N`): a delivered message that still has repetitions to make is queued again,
 * same id, a fresh round, shortly after; receivers see it as the duplicate the contract allows.
 */
async function repeatSimulatedDuplicates(
  trx: Kysely<Database>,
  records: readonly AttemptRecord[],
  moved: ReadonlySet<string>,
): Promise<void> {
  for (const r of records) {
    if (r.outcome !== "delivered" || !moved.has(r.message.id) || !r.message.simulate) continue;
    const sim = readMessageSimulation(r.message.simulate);
    if (!sim || sim.duplicates <= 0) continue;
    await trx
      .updateTable("messages")
      .set({
        state: "pending",
        round_attempts: 0,
        next_at: r.endedAt + REPEAT_AFTER_MS,
        simulate: afterRepeatQueued(sim),
      })
      .where("id", "=", r.message.id)
      .where("state", "=", "delivered")
      .execute();
  }
}
