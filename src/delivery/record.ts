import { type AttemptRecord, writeAttempts } from "../outbox/index.js";
import type { Tx } from "../store/index.js";
import type { Family } from "../tasks/index.js";

/**
 * Records a batch of attempts (see {@link writeAttempts}) and runs the families' delivery hooks for the
 * messages that ended (delivered or given up), in the caller's transaction. Returns the ids that moved.
 */
export async function recordAttempts(
  trx: Tx,
  owner: string,
  families: ReadonlyMap<string, Family>,
  records: readonly AttemptRecord[],
): Promise<Set<string>> {
  const moved = await writeAttempts(trx, owner, records);
  for (const record of records) {
    if (record.outcome === "retry") continue;
    // The task as the attempt's own statement read it: one statement for the batch, no read of its own.
    const task = moved.get(record.message.id);
    const family = task ? families.get(task.family) : undefined;
    const hook = record.outcome === "delivered" ? family?.onDelivered : family?.onDeliveryGivenUp;
    if (task && family && hook) await hook.call(family, trx, task);
  }
  return new Set(moved.keys());
}
