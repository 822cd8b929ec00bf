/** Shared by the cover API suites: polling a cover task until it leaves PENDING. */
import type { Envelope, TestHookline } from "../helpers/hookline.js";

/** Polls `GET /api/v1/suno/cover/record-info` until the status leaves PENDING (at most ~30 s). */
export async function settledCover(h: TestHookline, taskId: string, key?: string): Promise<Envelope> {
  for (let i = 0; i < 600; i++) {
    const rec = await h.call(
      `/api/v1/suno/cover/record-info?taskId=${taskId}`,
      key === undefined ? {} : { key },
    );
    if (rec.code !== 200 || rec.data.status !== "PENDING") return rec;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`cover task ${taskId} still PENDING`);
}
