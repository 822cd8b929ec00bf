import type { Tx } from "../store/index.js";

/** A status change that holds only while the task is still in `from`. */
export interface StatusChange {
  readonly from: string;
  readonly to: string;
}

/**
 * Moves a task from one status to another, if it is still in `from`; answers whether it was. With `now`, the
 * task's `updated_at` follows, and only an idle task (no action queued or running) moves: the voice family's
 * validation task is held this way by one generate at a time. Without it the change is a label only, as the
 * delivery hooks make it (`SUCCESS` ⇄ `CALLBACK_EXCEPTION`).
 *
 * @example
 * if (!(await setStatus(trx, validationId, { from: "wait_processing", to: "processing_validate" }, now))) refuse();
 */
export async function setStatus(trx: Tx, id: string, change: StatusChange, now?: number): Promise<boolean> {
  let update = trx
    .updateTable("tasks")
    .set({ status: change.to })
    .where("id", "=", id)
    .where("status", "=", change.from);
  if (now !== undefined) update = update.set({ updated_at: now }).where("action", "is", null);
  const res = await update.executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/**
 * Ends another task than the one running with a status and a result (the voice family completes the validation
 * task when its generate made a voice); no callback is queued for it.
 */
export async function settleTask(
  trx: Tx,
  id: string,
  status: string,
  result: Readonly<Record<string, unknown>>,
  now: number,
): Promise<void> {
  await trx
    .updateTable("tasks")
    .set({ status, result: JSON.stringify(result), updated_at: now, completed_at: now })
    .where("id", "=", id)
    .execute();
}
