import type { Kysely } from "kysely";
import { HooklineError } from "../lib/errors.js";
import { type CallbackState, latestCallbackStateIs } from "../outbox/index.js";
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

/** Which of a key's tasks to list, and from where (the `nextCursor` of the page before). */
export interface TaskListQuery {
  readonly family?: string;
  /** Any of these statuses (a family's own, or all that one word of the common vocabulary stands for). */
  readonly statuses?: readonly string[];
  /** Only tasks whose latest callback message is in this state (`none`: without one). */
  readonly callback?: CallbackState;
  /** Only these tasks: by id, or made from this parent (a track's music task: its WAVs and covers). */
  readonly match?: { readonly ids: readonly string[]; readonly parentId: string | null };
  readonly limit: number;
  readonly cursor?: string;
}

/** One page of a key's tasks, newest first, and the cursor of the next page (null on the last). */
export interface TaskPage {
  readonly tasks: Task[];
  readonly nextCursor: string | null;
}

/**
 * A key's tasks, newest first (ties by id), filtered by family, status, callback state and search; pages by
 * `<createdAt>.<id>` cursors, so that tasks created meanwhile cause neither gaps nor repeats.
 */
export async function listTasks(db: Kysely<Database>, ownerId: string, q: TaskListQuery): Promise<TaskPage> {
  const [cursorTime, cursorId] = (q.cursor ?? "").split(".");
  const only = q.match === undefined ? undefined : await matchingIds(db, ownerId, q.match);
  if (only?.length === 0) return { tasks: [], nextCursor: null };
  const rows = await db
    .selectFrom("tasks")
    .selectAll()
    // The ids found are the key's already. Without the owner here SQLite reads them by primary key; with it, it
    // would walk the key's whole (owner_id, created_at) index for the sake of the order.
    .$if(only === undefined, (qb) => qb.where("owner_id", "=", ownerId))
    .$if(q.family !== undefined, (qb) => qb.where("family", "=", q.family!))
    .$if(q.statuses !== undefined, (qb) => qb.where("status", "in", q.statuses!))
    .$if(q.callback !== undefined, (qb) => qb.where(latestCallbackStateIs(q.callback!)))
    .$if(only !== undefined, (qb) => qb.where("id", "in", only!))
    .$if(Boolean(cursorTime && cursorId), (qb) =>
      qb.where((eb) =>
        eb.or([
          eb("created_at", "<", Number(cursorTime)),
          eb.and([eb("created_at", "=", Number(cursorTime)), eb("id", "<", cursorId!)]),
        ]),
      ),
    )
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(q.limit + 1)
    .execute();
  const tasks = rows.slice(0, q.limit).map(toTask);
  const last = tasks[tasks.length - 1];
  return { tasks, nextCursor: rows.length > q.limit && last ? `${last.createdAt}.${last.id}` : null };
}

/** At most this many tasks are found by one search (a track's tasks are a handful). */
const MATCH_CAP = 1_000;

/** The key's tasks a search names: by id, or made from a parent (tasks_parent). */
async function matchingIds(
  db: Kysely<Database>,
  ownerId: string,
  match: NonNullable<TaskListQuery["match"]>,
): Promise<string[]> {
  const byId =
    match.ids.length === 0
      ? []
      : await db
          .selectFrom("tasks")
          .select("id")
          .where("owner_id", "=", ownerId)
          .where("id", "in", [...match.ids])
          .execute();
  const children =
    match.parentId === null
      ? []
      : await db
          .selectFrom("tasks")
          .select("id")
          .where("parent_id", "=", match.parentId)
          .where("owner_id", "=", ownerId)
          .limit(MATCH_CAP)
          .execute();
  return [...new Set([...byId, ...children].map((r) => r.id))];
}

/** Whether a runner holds the task's lease right now (its work is under way, not only queued). */
export async function leaseHeld(db: Kysely<Database>, taskId: string, now: number): Promise<boolean> {
  const row = await db.selectFrom("tasks").select("lease_until").where("id", "=", taskId).executeTakeFirst();
  return row?.lease_until != null && Number(row.lease_until) > now;
}
