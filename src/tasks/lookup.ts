import type { Kysely } from "kysely";
import { HooklineError } from "../lib/errors.js";
import type { Database } from "../store/index.js";
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
