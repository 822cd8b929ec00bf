import type { Kysely } from "kysely";
import { enqueueMessage } from "../outbox/index.js";
import { adjustUsage } from "../quota/index.js";
import {
  type Database,
  type DialectSql,
  exec,
  padToPowerOfTwo,
  query,
  type Store,
  statement,
  type TaskRow,
  type Tx,
} from "../store/index.js";
import { type Outcome, type Task, toTask } from "./model.js";

/**
 * The lease queue: one SQL statement per state change. A task is queued while `action` is set; a claim sets
 * (lease_owner, lease_until); an expired lease is simply claimable again, so a dead process's work is taken over
 * within one lease by whoever polls next (DESIGN invariant 2).
 */

/**
 * A task to insert: what a task is made with. Its `reservedBytes` (the predicted size of what it will store) must
 * have been reserved against its key's quota (`reserveRoom`) in the same transaction; released when it completes.
 */
export interface NewTask
  extends Pick<Task, "id" | "ownerId" | "family" | "status" | "action" | "input" | "callbackUrl">,
    Partial<Pick<Task, "parentId" | "dedupeKey" | "result" | "reservedBytes">> {
  /** Holds the task back this long before it may run (a simulated delay). */
  readonly delayMs?: number;
}

/**
 * A queued task's claim order (start-time fair queueing across keys): the lowest tag still queued (the "virtual
 * time" of the queue), unless the key already has work queued, whose highest tag it follows. A key with a backlog
 * of n tasks holds tags up to n ahead, so another key's new task lands at the head: it waits for at most about one
 * task per runner slot, not for the backlog. Both subqueries read partial indexes of queued tasks only.
 */
const FAIR_TAG = (d: DialectSql) => `${d.greatest}(
    coalesce((select min(fair_tag) from tasks where action is not null), 0),
    coalesce((select max(fair_tag) + 1 from tasks where owner_id = ? and action is not null), 0))`;

const insertText = (tail: string) => (d: DialectSql) =>
  `insert into tasks (id, owner_id, family, status, action, input, result, error_code, error_message,
    callback_url, parent_id, dedupe_key, standing_key, fair_tag, reserved_bytes, run_at, lease_owner, lease_until,
    runs, created_at, updated_at, completed_at) values (?, ?, ?, ?, ?, ?, ?, null, null, ?, ?, ?, ?,
    ${FAIR_TAG(d)}, ?, ?, null, null, 0, ?, ?, ?)${tail}`;

const INSERT_TASK = statement(insertText(""));
/** An only-once insert: nothing is written when another task holds the same (owner, standing_key). */
const INSERT_HOLDER = statement(insertText(" on conflict do nothing"));

/**
 * Inserts a task (inside the caller's transaction, so it commits with whatever else the request writes).
 * Precompiled: every submission runs it. With `standingKey`, the task takes that only-once slot, and nothing is
 * inserted (false) when another task holds it: use {@link insertOnlyOnce}, which decides what then happens.
 */
export async function insertTask(
  trx: Tx,
  task: NewTask & { readonly standingKey?: string | null },
  now: number,
): Promise<boolean> {
  const standing = task.standingKey ?? null;
  const reserved = Math.max(0, Math.round(task.reservedBytes ?? 0));
  const inserted = await exec(trx, standing === null ? INSERT_TASK : INSERT_HOLDER, [
    task.id,
    task.ownerId,
    task.family,
    task.status,
    task.action,
    JSON.stringify(task.input),
    task.result ? JSON.stringify(task.result) : null,
    task.callbackUrl,
    task.parentId ?? null,
    task.dedupeKey ?? standing,
    standing,
    task.ownerId,
    reserved,
    now + Math.max(0, Math.round(task.delayMs ?? 0)),
    now,
    now,
    task.action === null ? now : null,
  ]);
  return inserted === 1;
}

const QUEUE_ACTION = statement(
  (d) => `update tasks set action = ?, status = ?, run_at = ?, updated_at = ?, runs = 0,
    callback_url = coalesce(?, callback_url), fair_tag = ${FAIR_TAG(d)} where id = ? and action is null`,
);

/** Queues another action on an existing, idle task (e.g. a voice regenerate). Returns false if it was busy. */
export async function queueAction(
  trx: Tx,
  task: Pick<Task, "id" | "ownerId">,
  action: string,
  status: string,
  now: number,
  callbackUrl?: string | null,
): Promise<boolean> {
  const changed = await exec(trx, QUEUE_ACTION, [
    action,
    status,
    now,
    now,
    callbackUrl || null,
    task.ownerId,
    task.id,
  ]);
  return changed === 1;
}

/** Sets the status of a task that `owner` is running (a working status, before the outcome). */
export async function setRunningStatus(
  db: Kysely<Database>,
  taskId: string,
  owner: string,
  status: string,
  now: number,
): Promise<boolean> {
  const res = await db
    .updateTable("tasks")
    .set({ status, updated_at: now })
    .where("id", "=", taskId)
    .where("lease_owner", "=", owner)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

// Precompiled: every poll of every runner runs it. PostgreSQL skips the rows another runner's claim has locked.
const CLAIM = statement<TaskRow>(
  (d) => `update tasks set lease_owner = ?, lease_until = ?, runs = runs + 1, updated_at = ?, started_at = ?
    where id in (select id from tasks where action is not null and run_at <= ?
      and (lease_until is null or lease_until < ?) order by fair_tag, run_at limit ?${d.skipLocked})
    returning *`,
);

/** Claims up to `limit` due tasks for `owner` until `now + leaseMs`. */
export async function claimTasks(store: Store, owner: string, limit: number, now: number, leaseMs: number) {
  const rows = await query(store.db, CLAIM, [owner, now + leaseMs, now, now, now, now, limit]);
  return rows.map(toTask);
}

/**
 * Extends the leases this owner holds on the given tasks. Answers the ids it still held (and now holds until
 * `until`): a missing id was taken over by another process after its lease ran out.
 */
export async function renewTaskLeases(
  db: Kysely<Database>,
  owner: string,
  ids: string[],
  until: number,
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .updateTable("tasks")
    .set({ lease_until: until })
    .where("id", "in", padToPowerOfTwo(ids))
    .where("lease_owner", "=", owner)
    .returning("id")
    .execute();
  return new Set(rows.map((r) => r.id));
}

/**
 * Gives claimed tasks back (graceful shutdown): they become claimable at once (or at `runAt`), the run does not
 * count.
 */
export async function releaseTasks(db: Kysely<Database>, owner: string, ids: string[], runAt?: number) {
  if (ids.length === 0) return;
  await db
    .updateTable("tasks")
    .set((eb) => ({
      lease_owner: null,
      lease_until: null,
      runs: eb("runs", "-", 1),
      ...(runAt === undefined ? {} : { run_at: runAt }),
    }))
    .where("id", "in", padToPowerOfTwo(ids))
    .where("lease_owner", "=", owner)
    .execute();
}

/**
 * Applies an outcome and enqueues its callback in ONE transaction (DESIGN invariant 1), but only while `owner`
 * still holds the lease: a process whose lease ran out lost the task to another and must not write. Returns
 * whether the outcome was applied.
 */
export async function completeTask(
  store: Store,
  task: Task,
  owner: string,
  outcome: Outcome,
  now: number,
): Promise<boolean> {
  return store.transact(async (trx) => {
    const res = await trx
      .updateTable("tasks")
      .set({
        status: outcome.status,
        action: null,
        ...(outcome.result !== undefined
          ? { result: outcome.result === null ? null : JSON.stringify(outcome.result) }
          : {}),
        error_code: outcome.errorCode ?? null,
        error_message: outcome.errorMessage ?? null,
        lease_owner: null,
        lease_until: null,
        updated_at: now,
        completed_at: outcome.done ? now : null,
      })
      .where("id", "=", task.id)
      .where("lease_owner", "=", owner)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return false;
    // What it stores is in the files it committed now (counted by their rows): the prediction is let go.
    await adjustUsage(trx, task.ownerId, -task.reservedBytes);
    if (outcome.commit) await outcome.commit(trx);
    if (outcome.callback && task.callbackUrl)
      await enqueueMessage(trx, task, task.callbackUrl, outcome.callback, now);
    return true;
  });
}
