import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { hooklineEnv, stopChild, untilPrinted } from "./child.js";

/** `hookline worker` processes as the workers benchmark drives them. */
export interface WorkerProcesses {
  /** CPU seconds (user + system) used so far by the workers and by their ffmpeg children that have exited. */
  cpuSeconds(): number;
  /** SIGTERM to each, and waits for them to exit (graceful stop: running work finished). */
  stop(): Promise<void>;
}

/** utime + stime + cutime + cstime of a live process, from /proc (clock ticks of 1/100 s, Linux's USER_HZ). */
function processCpu(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Starts one `node <cli> worker`, with a clean HOOKLINE_ environment plus `env`, and waits until it runs. */
async function startOne(cli: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [cli, "worker"], {
    env: hooklineEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Warnings and errors pass through; the notice every worker prints when told to stop does not.
  child.stderr?.on("data", (chunk: Buffer) => {
    const text = chunk.toString("utf8").replace(/^SIGTERM: finishing running work.*\n/gm, "");
    if (text) process.stderr.write(text);
  });
  await untilPrinted(child, /Hookline worker running/, "hookline worker");
  return child;
}

/** Starts `n` worker processes at once and resolves when every one of them runs. */
export async function startWorkers(
  cli: string,
  env: Record<string, string>,
  n: number,
): Promise<WorkerProcesses> {
  const children = await Promise.all(Array.from({ length: n }, () => startOne(cli, env)));
  return {
    cpuSeconds: () => children.reduce((sum, c) => sum + processCpu(c.pid ?? 0), 0),
    async stop() {
      await Promise.all(children.map(stopChild));
    },
  };
}
