import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { monoMs } from "./stats.js";

/**
 * Peak memory of this process and of the child processes it starts, read from Linux's /proc:
 * - this process: its VmHWM (peak RSS) is reset at `start` by writing "5" to /proc/self/clear_refs, so the
 *   growth is exact rather than sampled (falls back to sampling VmRSS where the reset is refused);
 * - children (ffmpeg): found by their parent pid and polled for VmHWM every `intervalMs`. VmHWM only grows,
 *   so the last reading before the child exits is its peak, give or take what it allocated in its last tick.
 */
export interface MemoryPeak {
  /** Peak RSS of this process minus its RSS at `start`, in bytes. */
  readonly nodeGrowthBytes: number;
  /** The largest VmHWM among the children seen, in bytes (0 when none was seen). */
  readonly childPeakBytes: number;
  /** How many child processes were seen. */
  readonly children: number;
  /** How long the longest-lived child was seen running, in seconds (to within one polling interval). */
  readonly childSeconds: number;
}

interface Status {
  readonly name: string;
  readonly hwm: number;
  readonly rss: number;
  readonly state: string;
}

function readStatus(pid: number | "self"): Status | null {
  try {
    const text = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0) * 1024;
    return {
      name: /^Name:\s+(.*)$/m.exec(text)?.[1] ?? "",
      hwm: kb("VmHWM"),
      rss: kb("VmRSS"),
      state: /^State:.*$/m.exec(text)?.[0] ?? "",
    };
  } catch {
    return null; // the process has gone
  }
}

function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 4 (ppid) follows the command name, which is in parentheses and may contain spaces.
    const after = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(after[1]);
  } catch {
    return null;
  }
}

/** Watches memory while a measured operation runs: `start()`, run it, then `stop()`. */
export class MemoryWatch {
  #seen = new Set<number>();
  #children = new Map<number, number>();
  #lifetimes = new Map<number, { first: number; last: number }>();
  #timer: NodeJS.Timeout | null = null;
  #baseline = 0;
  #sampledPeak = 0;
  #hwmReset = false;
  #ownName = "node";

  constructor(private readonly intervalMs = 10) {}

  start(): void {
    this.#seen = new Set(this.#pids());
    this.#children.clear();
    this.#lifetimes.clear();
    try {
      writeFileSync("/proc/self/clear_refs", "5");
      this.#hwmReset = true;
    } catch {
      this.#hwmReset = false;
    }
    const self = readStatus("self");
    this.#ownName = self?.name ?? "node";
    this.#baseline = self?.rss ?? 0;
    this.#sampledPeak = this.#baseline;
    this.#timer = setInterval(() => this.#tick(), this.intervalMs);
  }

  stop(): MemoryPeak {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#tick();
    const peak = this.#hwmReset ? (readStatus("self")?.hwm ?? this.#sampledPeak) : this.#sampledPeak;
    return {
      nodeGrowthBytes: Math.max(0, peak - this.#baseline),
      childPeakBytes: Math.max(0, ...this.#children.values()),
      children: this.#children.size,
      childSeconds: Math.max(0, ...[...this.#lifetimes.values()].map((l) => (l.last - l.first) / 1000)),
    };
  }

  #pids(): number[] {
    return readdirSync("/proc")
      .filter((e) => e.charCodeAt(0) >= 48 && e.charCodeAt(0) <= 57)
      .map(Number);
  }

  #tick(): void {
    const rss = readStatus("self")?.rss ?? 0;
    if (rss > this.#sampledPeak) this.#sampledPeak = rss;
    for (const pid of this.#pids()) {
      if (this.#seen.has(pid)) continue;
      this.#seen.add(pid);
      if (parentOf(pid) === process.pid) this.#children.set(pid, 0);
    }
    const now = monoMs();
    for (const [pid, peak] of this.#children) {
      const status = readStatus(pid);
      if (status && !/^State:\s+Z/m.test(status.state)) {
        const life = this.#lifetimes.get(pid);
        if (life) life.last = now;
        else this.#lifetimes.set(pid, { first: now, last: now });
      }
      // Between fork and exec the child is still a copy of this process: its figures are not ffmpeg's.
      if (status && status.name !== this.#ownName && status.hwm > peak) this.#children.set(pid, status.hwm);
    }
  }
}
