import { sweepExpired } from "../files/index.js";
import type { Services } from "./services.js";

/** Temp files older than this are leftovers wherever they are: no task or upload writes one for 6 hours. */
const STALE_TEMP_MS = 6 * 3_600_000;

/**
 * Retention (spec 10): removes expired files' bytes and marks them, so their links answer 410; clears temp files
 * of dead processes and stale ones. Runs every minute and once at start.
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
    if (total > 0) log.info({ files: total }, "retention removed expired files");
    // Ages on disk are measured against the wall clock that stamped the files, not the injected one: a test's
    // hand-held clock days ahead must not make a file still being written look abandoned.
    await sweepTemp(services, Date.now());
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

/**
 * At start-up, before any work: removes the partial outputs of dead processes (their temp folders), so that a
 * `kill -9` mid-conversion leaves nothing behind for hours.
 */
export async function reconcileAtStart(services: Services): Promise<void> {
  // It may not keep the server from starting: the sweeper tries the temp area again every minute.
  await sweepTemp(services, Date.now()).catch((error: unknown) => {
    services.log.error({ err: error }, "the start-up sweep of the temp area failed");
  });
}

async function sweepTemp(services: Services, now: number): Promise<void> {
  const swept = await services.blobs.sweepTemp(STALE_TEMP_MS, now);
  if (swept.deadFolders + swept.staleFiles + swept.idleFolders > 0) {
    services.log.info(swept, "removed temp files of dead processes and stale ones");
  }
}
