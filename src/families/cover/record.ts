import { liveFileUrl } from "../../files/index.js";
import { isoTime } from "../../lib/time.js";
import type { Services } from "../../services/index.js";
import type { Tx } from "../../store/index.js";
import { leaseHeld, type Task } from "../../tasks/index.js";
import { taskRecordFields } from "../record-route.js";
import { readStored } from "../stored.js";
import { COVER_STATUS, SUCCESS_FLAG } from "./payload.js";
import { CoverResult } from "./processor.js";

/**
 * Signed URLs of a task's images while they are kept; null when there are none (not done, failed, expired or
 * deleted). `within`: the caller's transaction, if it is in one (on SQLite it holds the only connection, so a read
 * on the pool would wait for it forever); null outside any.
 */
export async function coverImageUrls(
  services: Services,
  task: Task,
  within: Tx | null,
): Promise<string[] | null> {
  if (task.result === null) return null;
  const { fileIds } = readStored(CoverResult, task.result, "cover result");
  const urls: string[] = [];
  for (const id of fileIds) {
    const url = await liveFileUrl(within ?? services.store.db, services.signer, id, services.clock.now());
    if (url === null) return null;
    urls.push(url);
  }
  return urls.length > 0 ? urls : null;
}

/** A cover task's record (spec 5.2): what record-info answers, and the console shows. */
export async function coverRecord(services: Services, task: Task): Promise<Record<string, unknown>> {
  let successFlag: number = SUCCESS_FLAG.failed;
  if (task.status === COVER_STATUS.success) successFlag = SUCCESS_FLAG.success;
  if (task.status === COVER_STATUS.pending) {
    // Generating = a runner holds the task's lease right now.
    const held = await leaseHeld(services.store.db, task.id, services.clock.now());
    successFlag = held ? SUCCESS_FLAG.generating : SUCCESS_FLAG.pending;
  }
  const images = task.status === COVER_STATUS.success ? await coverImageUrls(services, task, null) : null;
  return {
    ...taskRecordFields(task, isoTime),
    parentTaskId: task.parentId,
    response: images ? { images } : null,
    successFlag,
  };
}
