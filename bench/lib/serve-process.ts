import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { hooklineEnv, stopChild, untilPrinted } from "./child.js";

/** `hookline serve` as a child process, with its log lines counted by level. */
export interface ServeProcess {
  readonly pid: number;
  readonly url: string;
  /** Log lines so far, by pino level (20 debug, 30 info, 40 warn, 50 error), and their total bytes. */
  readonly log: { readonly byLevel: Map<number, number>; bytes: number };
  /** Cut-off lines by reason (the `reason` field of Hookline's cut-off lines). */
  readonly cuts: Map<string, number>;
  stop(): Promise<void>;
}

/** Starts `node <cli> serve` with a clean HOOKLINE_ environment plus `env`, and waits for its banner. */
export async function startServe(cli: string, env: Record<string, string>): Promise<ServeProcess> {
  const child: ChildProcess = spawn(process.execPath, [cli, "serve"], {
    env: hooklineEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log = { byLevel: new Map<number, number>(), bytes: 0 };
  const cuts = new Map<string, number>();
  let partial = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log.bytes += chunk.length;
    const text = partial + chunk.toString("utf8");
    const parts = text.split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) {
      const level = Number(/"level":(\d+)/.exec(line)?.[1] ?? 0);
      log.byLevel.set(level, (log.byLevel.get(level) ?? 0) + 1);
      const reason = /"reason":"([^"]+)"/.exec(line)?.[1];
      if (reason) cuts.set(reason, (cuts.get(reason) ?? 0) + 1);
    }
  });
  const [, url = ""] = await untilPrinted(child, /running at (http:\/\/\S+)/, "hookline serve");
  return {
    pid: child.pid!,
    url,
    log,
    cuts,
    stop: () => stopChild(child),
  };
}

/** Open file descriptors and resident memory of a process, from /proc (Linux). */
export function procSample(pid: number): { fds: number; rssBytes: number } {
  try {
    const fds = readdirSync(`/proc/${pid}/fd`).length;
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
    return { fds, rssBytes: rssKb * 1024 };
  } catch {
    return { fds: Number.NaN, rssBytes: Number.NaN }; // the process has gone
  }
}
