import type { Tx } from "../store/index.js";

/**
 * Deletes a task's row, in the caller's transaction. What refers to it (its files, tracks and callback messages)
 * is removed first by their own folders; the caller checks that the task is not running.
 */
export async function removeTask(trx: Tx, taskId: string): Promise<void> {
  await trx.deleteFrom("tasks").where("id", "=", taskId).execute();
}
