import type { Kysely } from "kysely";
import { HooklineError } from "../lib/errors.js";
import type { Database, Tx } from "../store/index.js";
import type { DiskGauge } from "./disk.js";
import { addUsage, usedBytes } from "./usage.js";

/** The storage limits of the configuration (`config.limits`). */
export interface RoomLimits {
  readonly keyQuotaBytes: number | null;
  readonly minFreeDiskBytes: number;
}

const mb = (bytes: number): string => `${Math.max(0, Math.round(bytes / 104_857.6) / 10)} MB`;

/**
 * Refuses (`unavailable`, 455: the server's trouble, not the caller's) work that would take the data folder's disk
 * below its floor by writing `bytes` more.
 */
export function checkDisk(disk: DiskGauge, limits: RoomLimits, bytes: number): void {
  if (disk.freeBytes() - bytes < limits.minFreeDiskBytes) {
    throw new HooklineError(
      "unavailable",
      "The server is low on disk space and takes no new work; try again later",
    );
  }
}

/** Refuses (`payload_too_large`, 413 / 422) what would take `ownerId` past its quota by storing `bytes` more. */
export async function checkQuota(
  db: Kysely<Database>,
  limits: RoomLimits,
  ownerId: string,
  bytes: number,
): Promise<void> {
  const quota = limits.keyQuotaBytes;
  if (quota === null) return;
  const used = await usedBytes(db, ownerId);
  if (used + bytes > quota || (bytes === 0 && used >= quota)) throw overQuota(used, bytes, quota);
}

function overQuota(used: number, bytes: number, quota: number): HooklineError {
  return new HooklineError(
    "payload_too_large",
    `Storage quota reached: this key holds ${mb(used)} of files and queued work, this needs ${mb(bytes)} more, ` +
      `and its quota is ${mb(quota)}. Delete files or tasks, or wait for retention to remove old ones.`,
  );
}

/**
 * Reserves `bytes` for work that will store them, in the submission's transaction: refused when the disk would go
 * below its floor or the key past its quota, else added to the key's usage (one statement), where it stays until
 * the task completes (`completeTask` releases it). A refusal thrown here is rolled back with the caller's
 * transaction or savepoint, the addition with it.
 *
 * @example
 * await reserveRoom(trx, services.disk, config.limits, key.id, predictWavBytes(track, 16));
 */
export async function reserveRoom(
  trx: Tx,
  disk: DiskGauge,
  limits: RoomLimits,
  ownerId: string,
  bytes: number,
): Promise<void> {
  checkDisk(disk, limits, bytes);
  const total = await addUsage(trx, ownerId, bytes);
  const quota = limits.keyQuotaBytes;
  if (quota !== null && total > quota) throw overQuota(total - bytes, bytes, quota);
}
