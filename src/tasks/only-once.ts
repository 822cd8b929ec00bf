import type { Kysely } from "kysely";
import type { HooklineError } from "../lib/errors.js";
import type { Database } from "../store/index.js";
import { latestByDedupeKey } from "./lookup.js";
import type { Task } from "./model.js";

/**
 * Only-once submissions (spec 4.1, 5.1, 13): a new task for `dedupeKey` is refused while the owner's latest task of
 * that key still stands. The family says when it stands (typically: pending, or succeeded with its files kept)
 * and with which error it is refused (carrying the existing `taskId`). Runs in the submission's transaction, so
 * two submissions cannot both pass.
 *
 * @example
 * await refuseWhileStanding(trx, key.id, `cover:${musicTaskId}`, (prev) => prev.status === "PENDING",
 *   (prev) => new HooklineError("duplicate", "A cover task already exists", { data: { taskId: prev.id } }));
 */
export async function refuseWhileStanding(
  trx: Kysely<Database>,
  ownerId: string,
  dedupeKey: string,
  stands: (previous: Task) => boolean | Promise<boolean>,
  refusal: (previous: Task) => HooklineError,
): Promise<void> {
  const previous = await latestByDedupeKey(trx, ownerId, dedupeKey);
  if (previous && (await stands(previous))) throw refusal(previous);
}
