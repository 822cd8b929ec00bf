import type { Kysely } from "kysely";
import { HooklineError } from "../lib/errors.js";
import { type Database, query, statement, type TaskTable } from "../store/index.js";
import { type Task, toTask } from "./model.js";

/**
 * A task of the caller's key (of one family, when given). Another key's task answers exactly like an unknown one,
 * so nothing leaks across tenants (DESIGN invariant 7, spec 13).
 */
export async function getOwnedTask(
  db: Kysely<Database>,
  ownerId: string,
  taskId: string,
  family?: string,
): Promise<Task> {
  const row = await db
    .selectFrom("tasks")
    .selectAll()
    .where("id", "=", taskId)
    .where("owner_id", "=", ownerId)
    .$if(family !== undefined, (q) => q.where("family", "=", family!))
    .executeTakeFirst();
  if (!row) throw new HooklineError("not_found", "Task not found");
  return toTask(row);
}

const LATEST_BY_DEDUPE = statement<TaskTable>(
  "select * from tasks where owner_id = ? and dedupe_key = ? order by created_at desc limit 1",
);

/**
 * The newest task of an owner under an only-once key (e.g. `wav:<audioId>`), which the family then judges.
 * Precompiled: every submission runs it, on the `(owner_id, dedupe_key, created_at)` index.
 */
export async function latestByDedupeKey(
  db: Kysely<Database>,
  ownerId: string,
  dedupeKey: string,
): Promise<Task | undefined> {
  const [row] = await query(db, LATEST_BY_DEDUPE, [ownerId, dedupeKey]);
  return row ? toTask(row) : undefined;
}
