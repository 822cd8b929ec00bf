/**
 * Storage limits (DESIGN invariant 8): a per-key quota over its live files and the predicted output of its queued
 * work, and a floor of free disk below which new work is refused.
 * @module
 */
export { checkDisk, checkQuota, type RoomLimits, reserveRoom } from "./check.js";
export { createDiskGauge, type DiskGauge } from "./disk.js";
export { addUsage, adjustUsage, usedBytes } from "./usage.js";
