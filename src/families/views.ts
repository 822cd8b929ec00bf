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
 * One status vocabulary across the families, for filtering: each word stands for the statuses of every family
 * that mean it. A voice validation waiting for its generate step (`wait_validating`) has done its part: succeeded.
 */
export const STATUS_OUTCOMES: Readonly<Record<"pending" | "succeeded" | "failed", readonly string[]>> = {
  pending: [WAV_STATUS.pending, COVER_STATUS.pending, VOICE_STATUS.queued, VOICE_STATUS.processing].filter(
    unique,
  ),
  succeeded: [WAV_STATUS.success, COVER_STATUS.success, VOICE_STATUS.waiting, VOICE_STATUS.success].filter(
    unique,
  ),
  failed: [
    WAV_STATUS.failed,
    WAV_STATUS.callbackException,
    COVER_STATUS.failed,
    VOICE_STATUS.validateFailed,
    VOICE_STATUS.failed,
  ],
};

function unique<T>(value: T, index: number, all: readonly T[]): boolean {
  return all.indexOf(value) === index;
}

/**
 * The statuses a `status` filter stands for: a word of the common vocabulary (`pending`, `succeeded`, `failed`)
 * or one family's own status; undefined for anything else.
 */
export function statusesFor(word: string): readonly string[] | undefined {
  const outcome = Object.entries(STATUS_OUTCOMES).find(([name]) => name === word);
  if (outcome) return outcome[1];
  return TASK_STATUSES.includes(word) ? [word] : undefined;
}

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
