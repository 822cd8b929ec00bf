import { readFileSync } from "node:fs";

/**
 * Small statistics for benchmark figures: medians of repeated runs, percentiles of latency samples, and a
 * monotonic clock that is comparable across processes of the same machine.
 */

/** Nanoseconds on CLOCK_MONOTONIC: system-wide on Linux, so a child process's readings compare with ours. */
export const monoNs = (): bigint => process.hrtime.bigint();

/** Milliseconds on CLOCK_MONOTONIC, as a float (sub-millisecond resolution). */
export const monoMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** The p-th percentile (0–100) of the values, nearest-rank; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** The median (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Rounds for display and JSON (figures, not measurements, so a few digits are enough). */
export function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Waits `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` for 0…n-1, at most `limit` at a time. */
export async function inParallel(n: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, lane));
}

/**
 * CPU seconds (user + system) used by this process plus its children that have exited and been waited for,
 * from /proc/self/stat (children's times come in clock ticks of 1/100 s, Linux's fixed USER_HZ). CPU time is
 * what a busy, shared machine disturbs least, so it backs up noisy wall-clock ratios.
 */
export function cpuSeconds(): { self: number; children: number } {
  const { user, system } = process.cpuUsage();
  let children = 0;
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // cutime and cstime are fields 16 and 17 of the whole line, 14 and 15 after "pid (comm) ".
    children = (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    children = Number.NaN;
  }
  return { self: (user + system) / 1e6, children };
}
