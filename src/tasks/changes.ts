import type { Kysely } from "kysely";
import { type Database, padToPowerOfTwo } from "../store/index.js";
import { type Task, toTask } from "./model.js";

/** A task's state as a live view reports it. */
export interface TaskChange {
  readonly id: string;
  readonly status: string;
  readonly updatedAt: number;
}

/**
 * A key's tasks changed at or after `since` (their `updated_at`: made, claimed, progressed, finished), oldest
 * change first, at most `limit` (tasks_owner_updated).
 */
export async function tasksChangedSince(
  db: Kysely<Database>,
  ownerId: string,
  since: number,
  limit: number,
): Promise<TaskChange[]> {
  const rows = await db
    .selectFrom("tasks")
    .select(["id", "status", "updated_at"])
    .where("owner_id", "=", ownerId)
    .where("updated_at", ">=", since)
    .orderBy("updated_at")
    .orderBy("id")
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, status: r.status, updatedAt: Number(r.updated_at) }));
}

/** A key's tasks of these ids (another key's are left out), in no particular order. */
export async function ownedTasks(
  db: Kysely<Database>,
  ownerId: string,
  ids: readonly string[],
): Promise<Task[]> {
  if (ids.length === 0) return [];
  // By id alone, the owner checked on the rows: given the owner too, SQLite walks the key's whole owner index.
  const rows = await db.selectFrom("tasks").selectAll().where("id", "in", padToPowerOfTwo(ids)).execute();
  return rows.filter((r) => r.owner_id === ownerId).map(toTask);
}
