import { liveFileUrl } from "../../files/index.js";
import { wireTime } from "../../lib/time.js";
import type { Services } from "../../services/index.js";
import type { Tx } from "../../store/index.js";
import type { Task } from "../../tasks/index.js";
import { taskRecordFields } from "../record-route.js";
import { readStored } from "../stored.js";
import { WavInput, WavResult } from "./payload.js";

/**
 * The signed URL of a task's WAV while its file is kept. `within`: the caller's transaction, if it is in one (on
 * SQLite it holds the only connection, so a read on the pool would wait for it forever); null outside any.
 */
export async function wavResultUrl(
  services: Services,
  task: Task,
  within: Tx | null,
): Promise<string | null> {
  // No result yet (pending) or none at all (failed): no file.
  if (task.result === null) return null;
  const { fileId } = readStored(WavResult, task.result, "WAV result");
  return liveFileUrl(within ?? services.store.db, services.signer, fileId, services.clock.now());
}

/** A WAV task's record (spec 4.2): what record-info answers, and the console shows. */
export async function wavRecord(services: Services, task: Task): Promise<Record<string, unknown>> {
  const url = await wavResultUrl(services, task, null);
  return {
    ...taskRecordFields(task, wireTime),
    musicId: readStored(WavInput, task.input, "WAV input").audioId,
    musicIndex: 0,
    response: url ? { audio_wav_url: url, audioWavUrl: url } : null,
    successFlag: task.status,
  };
}
