import type { Kysely } from "kysely";
import type { Database } from "../store/index.js";
import { MESSAGE_COLUMNS, type MessageRow } from "./claims.js";

/** A task's newest callback message, as the sender reads one (a test send to another URL starts from it). */
export async function latestMessage(db: Kysely<Database>, taskId: string): Promise<MessageRow | undefined> {
  return db
    .selectFrom("messages")
    .select(MESSAGE_COLUMNS)
    .where("task_id", "=", taskId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
}
