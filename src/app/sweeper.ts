import { chmod, stat } from "node:fs/promises";
import { pruneSessions } from "../console/index.js";
import { createBlobReconciler, type ReconcilerOptions, sweepExpired } from "../files/index.js";
import { pruneRates } from "../rates/index.js";
import type { Services } from "../services/index.js";

/** Temp files older than this are leftovers wherever they are: no task or upload writes one for 6 hours. */
const STALE_TEMP_MS = 6 * 3_600_000;

export interface SweeperOptions {
  readonly everyMs?: number;
  /** The reconciler's pace and grace period (see ReconcilerOptions). */
  readonly reconcile?: ReconcilerOptions;
}

/**
 * Housekeeping of the file store, every minute and once at start: retention (spec 10) removes expired files'
 * bytes and marks them, so their links answer 410; temp files of dead processes and stale ones go; and the
 * reconciler removes, a bounded step per pass, blobs that no file row references. Rate counters of past minutes
 * and expired console sessions go too.
 */
export function startSweeper(
  services: Services,
  opts: SweeperOptions = {},
): { stop(): void; runOnce(): Promise<number> } {
  const { store, blobs, clock, log } = services;
  const reconciler = createBlobReconciler(store, blobs, opts.reconcile);
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
    await pruneRates(store.db, now);
    await pruneSessions(store.db, now);
    // Ages on disk are measured against the wall clock that stamped the files, not the injected one: a test's
    // hand-held clock days ahead must not make a blob whose row is about to commit look abandoned.
    const wall = Date.now();
    await sweepTemp(services, wall);
    const pass = await reconciler.pass(wall);
    if (pass.removed > 0) log.info({ blobs: pass.removed }, "removed blobs that no file row references");
    log.debug(pass, "blob reconciler pass");
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
  const timer = setInterval(tick, opts.everyMs ?? 60_000);
  timer.unref();
  tick();
  return {
    stop: () => clearInterval(timer),
    runOnce,
  };
}

/**
 * At start-up, before any work: restricts the data folder to its owner (it holds the database with the webhook
 * and URL signing keys, and users' files), and removes the partial outputs of dead processes (their temp
 * folders), so that a `kill -9` mid-conversion leaves nothing behind for hours.
 */
export async function reconcileAtStart(services: Services): Promise<void> {
  const { config, log } = services;
  // Neither step may keep the server from starting: a folder we may not chmod (a volume owned by another user)
  // stays as it is, and the sweeper tries the temp area again every minute.
  try {
    const mode = (await stat(config.dataDir)).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      await chmod(config.dataDir, 0o700);
      log.warn(
        { path: config.dataDir, was: mode.toString(8) },
        "the data folder was open to other users: now 0700",
      );
    }
  } catch (error) {
    log.warn({ err: error, path: config.dataDir }, "could not restrict the data folder to its owner");
  }
  await sweepTemp(services, Date.now()).catch((error: unknown) => {
    log.error({ err: error }, "the start-up sweep of the temp area failed");
  });
}

async function sweepTemp(services: Services, now: number): Promise<void> {
  const swept = await services.blobs.sweepTemp(STALE_TEMP_MS, now);
  if (swept.deadFolders + swept.staleFiles + swept.idleFolders > 0) {
    services.log.info(swept, "removed temp files of dead processes and stale ones");
  }
}
