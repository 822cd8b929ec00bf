import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Messages to the server process. */
export type ServerRequest = { type: "register"; count: number } | { type: "close" };

/** Messages from the server process. */
export type ServerReply =
  | { type: "ready"; url: string; apiKey: string }
  | { type: "registered"; audioIds: string[] };

/** A benchmark server (Hookline or bare Fastify) running in its own process. */
export interface ServerProcess {
  readonly url: string;
  readonly apiKey: string;
  /** Registers `count` more source tracks (Hookline) and answers their audio ids; none for the bare server. */
  register(count: number): Promise<string[]>;
  close(): Promise<void>;
}

function next<T extends ServerReply["type"]>(child: ChildProcess, type: T) {
  return new Promise<Extract<ServerReply, { type: T }>>((resolve, reject) => {
    const onMessage = (m: ServerReply) => {
      if (m.type !== type) return;
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(m as Extract<ServerReply, { type: T }>);
    };
    const onExit = (code: number | null) => reject(new Error(`server exited (${code}) before "${type}"`));
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

/** Starts `submit-server.js <kind>` and waits until it listens. */
export async function startServerProcess(kind: "hookline" | "bare"): Promise<ServerProcess> {
  const child = fork(fileURLToPath(new URL("./submit-server.js", import.meta.url)), [kind], {
    execArgv: process.env.BENCH_PROF && kind === "hookline" ? ["--cpu-prof", "--cpu-prof-dir=/tmp/prof"] : [],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ready = await next(child, "ready");
  return {
    url: ready.url,
    apiKey: ready.apiKey,
    async register(count) {
      const reply = next(child, "registered");
      child.send({ type: "register", count } satisfies ServerRequest);
      return (await reply).audioIds;
    },
    async close() {
      const exited = new Promise((r) => child.once("exit", r));
      child.send({ type: "close" } satisfies ServerRequest);
      await exited;
    },
  };
}
