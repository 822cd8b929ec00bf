import { exec, powerOfTwoChunks, query, repeated, type Tx } from "../store/index.js";
import type { MessageRow } from "./claims.js";

/** What started a round of attempts (`messages.round_trigger`), logged with the round's first attempt. */
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
  (d) => `(${d.typed("text")}, ${d.typed("text")}, ${d.typed("bigint")}, ${d.typed("bigint")})`,
  ") as v where messages.id = v.column1 and messages.lease_owner = ? returning messages.id",
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
  trx: Tx,
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
