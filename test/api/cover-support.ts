/** Shared by the cover API suites: polling a cover task until it leaves PENDING. */
import type { Envelope, TestHookline } from "../helpers/hookline.js";
import { waitFor } from "../helpers/wait.js";

/** Polls `GET /api/v1/suno/cover/record-info` until the status leaves PENDING (at most 30 s). */
export function settledCover(h: TestHookline, taskId: string, key?: string): Promise<Envelope> {
  return waitFor(
    `cover task ${taskId} to leave PENDING`,
    async () => {
      const rec = await h.call(
        `/api/v1/suno/cover/record-info?taskId=${taskId}`,
        key === undefined ? {} : { key },
      );
      return rec.code !== 200 || rec.data.status !== "PENDING" ? rec : undefined;
    },
    { timeoutMs: 30_000 },
  );
}
