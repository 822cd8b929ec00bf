import { type ChildProcess, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { createServer } from "node:net";
import { stopChild, untilPrinted } from "./child.js";
import { benchTempDir } from "./hookline.js";

/** A `redis-server` of the benchmark's own, on a free loopback port, in a temp folder removed at stop. */
export interface RedisProcess {
  readonly port: number;
  stop(): Promise<void>;
}

/** A port nothing listens on right now (the kernel's pick for port 0, released again). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address !== "object") throw new Error("no port");
  return address.port;
}

/**
 * Starts `redis-server`. `persisted`: an append-only file fsync'd every second and no RDB snapshots, so that
 * queued and finished jobs survive a crash with at most a second lost (as Hookline's committed rows do); otherwise
 * nothing is written to disk. Never the machine's shared Redis: a benchmark must not write into someone's data.
 */
export async function startRedis(persisted: boolean): Promise<RedisProcess> {
  const dir = benchTempDir(persisted ? "redis-aof" : "redis-mem");
  const port = await freePort();
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", ""];
  args.push(...(persisted ? ["--appendonly", "yes", "--appendfsync", "everysec"] : ["--appendonly", "no"]));
  const child: ChildProcess = spawn("redis-server", args, { stdio: ["ignore", "pipe", "inherit"] });
  await untilPrinted(child, /Ready to accept connections/, "redis-server");
  return {
    port,
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
