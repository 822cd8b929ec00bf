/**
 * One small wrapper around `child_process.spawn` for ffmpeg and ffprobe: arguments as an array (never a
 * shell), stdin closed, a bounded stderr excerpt, and a kill on abort or timeout. Every caller waits for
 * `exited`, so no process outlives the call that started it; and the launcher (`Ffmpeg.launcher`) has the
 * kernel kill it if Hookline itself dies first, by `kill -9` or a crash, when no code of ours runs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import type { Readable } from "node:stream";

/** How much stderr is kept: with `-v error` the first lines carry the cause, the rest is repetition. */
const STDERR_LIMIT = 8 * 1024;

/** How a tool run ended. */
export interface ToolExit {
  /** The exit code, or null when the process was killed or never started. */
  code: number | null;
  /** Why the process ended early, if we ended it (or it could not start). */
  ended: "exit" | "aborted" | "timeout" | "spawn_failed";
  /** The spawn error (e.g. ENOENT) when `ended` is "spawn_failed". */
  spawnError: Error | null;
  /** The first ~8 KB of stderr, decoded as UTF-8. */
  stderr: string;
}

/** A running ffmpeg/ffprobe process. */
export interface ToolRun {
  readonly child: ChildProcess;
  /** The process's stdout when started with `stdout: "pipe"`, else null. */
  readonly stdout: Readable | null;
  /** Settles (never rejects) once the process has exited and its pipes have closed. */
  readonly exited: Promise<ToolExit>;
  /** Kills the process (SIGKILL); a no-op once it has exited. */
  kill(): void;
}

/** Options for {@link startTool}. */
export interface ToolOptions {
  /**
   * A command put before `bin` (`Ffmpeg.launcher`, e.g. `setpriv --pdeathsig SIGKILL --`), or
   * empty. Required, so that no call site forgets the one that ties the child's life to this process.
   */
  launcher: readonly string[];
  signal?: AbortSignal | undefined;
  /** Kills the process after this many milliseconds; `ended` is then "timeout". */
  timeoutMs?: number | undefined;
  /** "pipe" to read stdout (PCM, JSON); "ignore" otherwise. */
  stdout: "pipe" | "ignore";
}

/**
 * A launcher that could not execute `bin` exits 127 (not found) or 126 (not executable) and says so on stderr
 * (util-linux's convention): that is the same failure as a plain spawn's ENOENT/EACCES, and is reported as one.
 */
function launcherFailure(launcher: readonly string[], code: number | null, stderr: string): Error | null {
  if (launcher.length === 0 || (code !== 126 && code !== 127)) return null;
  const line = /^\S+: failed to execute .*$/m.exec(stderr)?.[0];
  return line === undefined ? null : new Error(line);
}

/** Starts `[launcher…] bin args…` without a shell. */
export function startTool(bin: string, args: readonly string[], opts: ToolOptions): ToolRun {
  const [command = bin, ...before] = opts.launcher.length > 0 ? [...opts.launcher, bin] : [bin];
  const child = spawn(command, [...before, ...args], {
    stdio: ["ignore", opts.stdout, "pipe"],
    windowsHide: true,
    shell: false,
  });
  let ended: ToolExit["ended"] = "exit";
  let done = false;
  const chunks: Buffer[] = [];
  let kept = 0;
  child.stderr?.on("data", (chunk: Buffer) => {
    // Keep reading past the limit: a full stderr pipe would stall ffmpeg.
    if (kept >= STDERR_LIMIT) return;
    const part = chunk.subarray(0, STDERR_LIMIT - kept);
    chunks.push(part);
    kept += part.length;
  });
  const kill = (): void => {
    if (!done && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  const onAbort = (): void => {
    if (ended === "exit") ended = "aborted";
    kill();
  };
  const timer =
    opts.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          if (ended === "exit") ended = "timeout";
          kill();
        }, opts.timeoutMs);
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  if (opts.signal?.aborted) onAbort();

  const exited = new Promise<ToolExit>((resolve) => {
    const finish = (code: number | null, spawnError: Error | null): void => {
      if (done) return;
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      const stderr = Buffer.concat(chunks).toString("utf8");
      const failed = spawnError ?? launcherFailure(opts.launcher, code, stderr);
      resolve({ code, ended: failed ? "spawn_failed" : ended, spawnError: failed, stderr });
    };
    // A process that never started emits "error" and no reliable "close"; one that did emits "close".
    child.on("error", (err) => {
      if (child.pid === undefined) finish(null, err);
    });
    child.once("close", (code) => finish(code, null));
  });
  return { child, stdout: child.stdout, exited, kill };
}

/** The result of {@link runTool}: the exit plus the collected stdout. */
export interface ToolOutput extends ToolExit {
  stdout: string;
  /** True when stdout went past `maxStdout` and was cut. */
  stdoutTruncated: boolean;
}

/** Runs a tool to its end, collecting at most `maxStdout` bytes of stdout (ffprobe's JSON, `-version`). */
export async function runTool(
  bin: string,
  args: readonly string[],
  opts: Omit<ToolOptions, "stdout"> & { maxStdout?: number },
): Promise<ToolOutput> {
  const limit = opts.maxStdout ?? 1024 * 1024;
  const run = startTool(bin, args, { ...opts, stdout: "pipe" });
  const parts: Buffer[] = [];
  let size = 0;
  let truncated = false;
  run.stdout?.on("data", (chunk: Buffer) => {
    const room = limit - size;
    if (chunk.length > room) truncated = true;
    if (room <= 0) return;
    parts.push(chunk.subarray(0, room));
    size += Math.min(chunk.length, room);
  });
  const exit = await run.exited;
  return { ...exit, stdout: Buffer.concat(parts).toString("utf8"), stdoutTruncated: truncated };
}
