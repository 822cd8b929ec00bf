import { sweepExpired } from "../files/index.js";
import type { Services } from "./services.js";

/**
 * Retention (spec 10): removes expired files' bytes and marks them, so their links answer 410; clears temp files
 * a crash left behind. Runs every minute and once at start.
 */
export function startSweeper(
  services: Services,
  everyMs = 60_000,
): { stop(): void; runOnce(): Promise<number> } {
  const { store, blobs, clock, log } = services;
  let running: Promise<number> | null = null;
  const runOnce = async () => {
    const now = clock.now();
    let total = 0;
    for (;;) {
      const n = await sweepExpired(store, (key) => blobs.delete(key), now);
      total += n;
      if (n === 0) break;
    }
    await blobs.sweepTemp(6 * 3_600_000, now);
    if (total > 0) log.info({ files: total }, "retention removed expired files");
    return total;
  };
  const tick = () => {
    if (running) return;
    running = runOnce()
      .catch((error: unknown) => {
        log.error({ err: error }, "retention sweep failed");
        return 0;
      })
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  tick();
  return {
    stop: () => clearInterval(timer),
    runOnce,
  };
}
