import { type Kysely, type RawBuilder, type SqlBool, sql } from "kysely";
import { type Database, padToPowerOfTwo } from "../store/index.js";

/** Where a task's callback stands, from its latest message (the console's task views). */
export const CALLBACK_STATES = ["none", "pending", "retrying", "delivered", "failed"] as const;
export type CallbackState = (typeof CALLBACK_STATES)[number];

/**
 * One message's state as the views name it: a message waiting (or in flight) is `retrying` once an attempt of its
 * current round failed, so a manual redelivery of a delivered message reads `pending` until its first attempt.
 */
const STATE_OF_MESSAGE = sql<CallbackState>`case when m.state in ('pending', 'delivering')
  then (case when m.round_attempts > 0 then 'retrying' else 'pending' end) else m.state end`;

/**
 * A filter on a `tasks` query: the task's latest message is in `state` (`none`: it has no message). Given to
 * src/tasks as an expression so that the message side of the filter stays written here; one indexed look-up
 * (messages_task) per task the page scans.
 */
export function latestCallbackStateIs(state: CallbackState): RawBuilder<SqlBool> {
  return sql<SqlBool>`coalesce((select ${STATE_OF_MESSAGE} from messages as m where m.task_id = tasks.id
    order by m.created_at desc, m.id desc limit 1), 'none') = ${state}`;
}

/** The callback state of each task (by its latest message); a task without a message is absent (`none`). */
export async function callbackStates(
  db: Kysely<Database>,
  taskIds: readonly string[],
): Promise<Map<string, CallbackState>> {
  const states = new Map<string, CallbackState>();
  if (taskIds.length === 0) return states;
  const rows = await db
    .selectFrom("messages as m")
    .select(["m.task_id", STATE_OF_MESSAGE.as("state")])
    .where("m.task_id", "in", padToPowerOfTwo(taskIds))
    .orderBy("m.task_id")
    .orderBy("m.created_at", "desc")
    .orderBy("m.id", "desc")
    .execute();
  for (const row of rows) if (!states.has(row.task_id)) states.set(row.task_id, row.state);
  return states;
}

/** The highest attempt id so far (0 when there is none): where a live view starts watching attempts. */
export async function lastAttemptId(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom("attempts")
    .select((eb) => eb.fn.max("id").as("id"))
    .executeTakeFirst();
  return Number(row?.id ?? 0);
}

/** One key's attempts with an id in (after, upTo], oldest first: what changed on its callbacks meanwhile. */
export async function attemptsOfOwnerBetween(
  db: Kysely<Database>,
  ownerId: string,
  after: number,
  upTo: number,
  limit: number,
): Promise<{ id: number; taskId: string }[]> {
  const rows = await db
    .selectFrom("attempts as a")
    .innerJoin("messages as m", "m.id", "a.message_id")
    .select(["a.id", "a.task_id"])
    .where("a.id", ">", after)
    .where("a.id", "<=", upTo)
    .where("m.owner_id", "=", ownerId)
    .orderBy("a.id")
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: Number(r.id), taskId: r.task_id }));
}
