import { statfsSync } from "node:fs";
import type { Clock } from "../lib/clock.js";

/** Free space on the disk of the data folder, as unprivileged processes may use it. */
export interface DiskGauge {
  freeBytes(): number;
}

/**
 * Reads the free space of `path`'s file system at most once per `maxAgeMs`: a submission checks it, and one
 * `statfs` a second is plenty for a floor measured in hundreds of megabytes.
 */
export function createDiskGauge(path: string, clock: Clock, maxAgeMs = 1_000): DiskGauge {
  let at = Number.NEGATIVE_INFINITY;
  let free = 0;
  return {
    freeBytes() {
      const now = clock.now();
      if (now - at >= maxAgeMs || now < at) {
        const fs = statfsSync(path);
        free = fs.bavail * fs.bsize;
        at = now;
      }
      return free;
    },
  };
}
