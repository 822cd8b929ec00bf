import { type AttemptRecord, writeAttempts } from "../outbox/index.js";
import type { Tx } from "../store/index.js";
import { deliveryTasksOf, type Family } from "../tasks/index.js";

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
  const finals = records.filter((r) => r.outcome !== "retry" && moved.has(r.message.id));
  if (finals.length === 0) return moved;
  // One read for the batch, of the little the hooks are given.
  const rows = await deliveryTasksOf(trx, [...new Set(finals.map((r) => r.message.task_id))]);
  const byId = new Map(rows.map((row) => [row.id, row]));
  for (const record of finals) {
    const row = byId.get(record.message.task_id);
    const family = row ? families.get(row.family) : undefined;
    const hook = record.outcome === "delivered" ? family?.onDelivered : family?.onDeliveryGivenUp;
    if (row && family && hook)
      await hook.call(family, trx, { id: row.id, family: row.family, status: row.status });
  }
  return moved;
}
