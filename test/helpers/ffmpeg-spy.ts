/**
 * A spy around the real ffmpeg, for tests that check from outside the engine that no source is converted by two
 * processes at the same time. Hookline is pointed at it with `HOOKLINE_FFMPEG`; every run with an input
 * (`-i <src>`) appends `start <src> <caller pid> <ffmpeg pid> <µs>` before ffmpeg starts and, once ffmpeg is gone
 * (finished, or killed with its worker: it runs under `setpriv --pdeathsig SIGKILL`), `end …` from a small
 * watcher that outlives a SIGKILLed caller. Runs without an input (`-version`) exec ffmpeg untouched.
 */
import { spawnSync } from "node:child_process";
import { chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** One conversion as the spy saw it: times in microseconds since the epoch; `end` null when none was logged. */
export interface Interval {
  readonly source: string;
  /** The process that ran ffmpeg (a Hookline worker). */
  readonly pid: number;
  readonly start: number;
  end: number | null;
}

export interface FfmpegSpy {
  /** The script to give as HOOKLINE_FFMPEG. */
  readonly path: string;
  /** Every conversion logged so far, in start order. */
  intervals(): Promise<Interval[]>;
}

/** Where the real ffmpeg is (the spy must not find itself). */
function realFfmpeg(): string {
  const found = spawnSync("sh", ["-c", "command -v ffmpeg"], { encoding: "utf8" }).stdout.trim();
  if (!found) throw new Error("ffmpeg is not on the PATH");
  return found;
}

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * Writes the spy into `dir`. `delayS` holds each conversion back that long before ffmpeg starts (inside the
 * logged interval), so that tests can catch conversions in flight.
 */
export async function ffmpegSpy(dir: string, opts: { delayS?: number } = {}): Promise<FfmpegSpy> {
  const path = join(dir, "ffmpeg-spy.sh");
  const log = join(dir, "ffmpeg-spy.log");
  const real = realFfmpeg();
  const run =
    (opts.delayS ?? 0) > 0
      ? `bash -c 'sleep ${opts.delayS}; exec "$0" "$@"' ${quote(real)} "$@"`
      : `${quote(real)} "$@"`;
  const script = `#!/bin/bash
log=${quote(log)}
src=""
prev=""
for a in "$@"; do
  if [ "$prev" = "-i" ]; then src="$a"; fi
  prev="$a"
done
if [ -z "$src" ]; then exec ${quote(real)} "$@"; fi
t0=\${EPOCHREALTIME/./}
# ffmpeg dies with this script (which dies with its worker, under the worker's own setpriv launcher).
setpriv --pdeathsig SIGKILL -- ${run} &
child=$!
echo "start $src $PPID $child $t0" >> "$log"
# The watcher is not tied to anyone's life: it logs the end however ffmpeg ended, without spawning per check.
(
  exec 9<> <(:)
  while read -r _ _ st _ < "/proc/$child/stat" && [ "$st" != Z ]; do read -r -t 0.005 -u 9 _; done
  echo "end $src $PPID $child \${EPOCHREALTIME/./}" >> "$log"
) </dev/null >/dev/null 2>&1 &
wait "$child"
`;
  await writeFile(path, script);
  await chmod(path, 0o755);
  await writeFile(log, "");
  return {
    path,
    async intervals() {
      const text = await readFile(log, "utf8");
      const open = new Map<string, Interval>();
      const all: Interval[] = [];
      for (const line of text.split("\n")) {
        const m = /^(start|end) (\S+) (\d+) (\d+) (\d+)$/.exec(line);
        if (!m) continue;
        const [, kind, source = "", pid, child, at] = m;
        const id = `${pid}/${child}`;
        if (kind === "start") {
          const interval: Interval = {
            source: blobOf(source),
            pid: Number(pid),
            start: Number(at),
            end: null,
          };
          open.set(id, interval);
          all.push(interval);
        } else {
          const interval = open.get(id);
          if (interval) interval.end = Number(at);
          open.delete(id);
        }
      }
      return all.sort((a, b) => a.start - b.start);
    },
  };
}

/**
 * The blob an input is of: the local store hands ffmpeg the blob itself (`…/ab/cd/<key>`), an S3 store a scratch
 * copy named `<key>-<random>`; any other input stands for itself.
 */
function blobOf(input: string): string {
  const name = input.split("/").pop() ?? input;
  return /^([0-9a-f]{32})(?:-|$)/.exec(name)?.[1] ?? input;
}

/**
 * Pairs of conversions of one source by different processes whose intervals overlap. An interval without an end
 * is closed by `endOf(pid)` (when the test killed that process), else it is taken to last forever.
 */
export function overlaps(
  intervals: readonly Interval[],
  endOf: (pid: number) => number | undefined = () => undefined,
): [Interval, Interval][] {
  const bySource = new Map<string, Interval[]>();
  for (const i of intervals) bySource.set(i.source, [...(bySource.get(i.source) ?? []), i]);
  const found: [Interval, Interval][] = [];
  const end = (i: Interval) => i.end ?? endOf(i.pid) ?? Number.POSITIVE_INFINITY;
  for (const list of bySource.values()) {
    for (let a = 0; a < list.length; a++) {
      for (let b = a + 1; b < list.length; b++) {
        const x = list[a];
        const y = list[b];
        if (x && y && x.pid !== y.pid && x.start < end(y) && y.start < end(x)) found.push([x, y]);
      }
    }
  }
  return found;
}

/** The most conversions running at once, over all sources (a sweep over start and end times). */
export function maxConcurrency(intervals: readonly Interval[], endOf: (pid: number) => number | undefined) {
  const events: [number, number][] = [];
  for (const i of intervals) {
    events.push([i.start, 1]);
    const e = i.end ?? endOf(i.pid);
    if (e !== undefined) events.push([e, -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, d] of events) {
    now += d;
    max = Math.max(max, now);
  }
  return max;
}
