import { getFile } from "../files/index.js";
import type { Services } from "../services/index.js";
import type { Task } from "../tasks/index.js";
import { musicRecord, tracksOfTask } from "../tracks/index.js";
import { COVER_STATUS, coverRecord } from "./cover/index.js";
import { VOICE_STATUS, voiceRecord } from "./voice/index.js";
import { WAV_STATUS, wavRecord } from "./wav/index.js";

/** Every family a task may have: the three job families and the synthetic music task of an upload. */
export const TASK_FAMILIES = ["wav", "cover", "voice", "music"] as const;

/** Every status of any family (a music task is always SUCCESS): what a task list may be filtered by. */
export const TASK_STATUSES: readonly string[] = [
  ...new Set([
    ...Object.values(WAV_STATUS),
    ...Object.values(COVER_STATUS),
    ...Object.values(VOICE_STATUS),
    "SUCCESS",
  ]),
];

/**
 * A task's record exactly as its family's record-info endpoint answers it (for a voice task, the endpoint of its
 * step: validate-info or record-info).
 */
export async function familyRecord(services: Services, task: Task): Promise<Record<string, unknown> | null> {
  switch (task.family) {
    case "wav":
      return wavRecord(services, task);
    case "cover":
      return coverRecord(services, task);
    case "voice":
      return voiceRecord(task);
    case "music": {
      const db = services.store.db;
      const tracks = await tracksOfTask(db, task.id);
      const withFiles = await Promise.all(
        tracks.map(async (track) => ({ track, file: await getFile(db, track.file_id) })),
      );
      return musicRecord(task, withFiles, services.signer, services.clock.now());
    }
    default:
      return null;
  }
}
