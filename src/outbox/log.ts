import type { Kysely } from "kysely";
import type { Database, Tx } from "../store/index.js";

/** A task's callback messages, newest first (the deliveries endpoint). */
export async function listMessages(db: Kysely<Database>, taskId: string) {
  return db
    .selectFrom("messages")
    .select(["id", "event", "url", "state", "total_attempts", "next_at", "created_at", "delivered_at"])
    .where("task_id", "=", taskId)
    .orderBy("created_at", "desc")
    .execute();
}

/** Every attempt for a task, oldest first (found through its messages: attempts are indexed by message). */
export async function listAttempts(db: Kysely<Database>, taskId: string) {
  return db
    .selectFrom("attempts")
    .selectAll()
    .where("message_id", "in", (qb) =>
      qb.selectFrom("messages").select("messages.id").where("messages.task_id", "=", taskId),
    )
    .orderBy("id", "asc")
    .execute();
}

/** Deletes a task's callback messages and their attempts, in the caller's transaction (deleting the task). */
export async function removeMessagesOfTask(trx: Tx, taskId: string): Promise<void> {
  await trx
    .deleteFrom("attempts")
    .where("message_id", "in", (qb) =>
      qb.selectFrom("messages").select("messages.id").where("messages.task_id", "=", taskId),
    )
    .execute();
  await trx.deleteFrom("messages").where("task_id", "=", taskId).execute();
}
