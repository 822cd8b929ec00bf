import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Messages from the benchmark to the receiver process. */
export type ParentMessage =
  | { type: "reset" }
  | { type: "await"; count: number }
  | { type: "collect" }
  | { type: "close" };

/** Messages from the receiver process. */
export type ReceiverMessage =
  | { type: "ready"; port: number }
  | { type: "reset-done" }
  | { type: "reached"; count: number }
  | { type: "records"; ids: string[]; times: number[] };

/** The receiver process as the benchmark drives it. */
export interface ReceiverProcess {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** Forgets what was received. */
  reset(): Promise<void>;
  /** Resolves once `count` requests have been answered since the last reset. */
  reached(count: number): Promise<void>;
  /** Each answered request's webhook-id and answer time (CLOCK_MONOTONIC ms), in order. */
  collect(): Promise<{ ids: string[]; times: number[] }>;
  close(): Promise<void>;
}

function next<T extends ReceiverMessage["type"]>(
  child: ChildProcess,
  type: T,
): Promise<Extract<ReceiverMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: ReceiverMessage) => {
      if (m.type !== type) return;
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(m as Extract<ReceiverMessage, { type: T }>);
    };
    const onExit = (code: number | null) => reject(new Error(`receiver exited (${code}) before "${type}"`));
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

/** Starts the receiver (`receiver-child.js`) in its own Node process. */
export async function startReceiverProcess(): Promise<ReceiverProcess> {
  const child = fork(fileURLToPath(new URL("./receiver-child.js", import.meta.url)), [], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const { port } = await next(child, "ready");
  const tell = (m: ParentMessage) => child.send(m);
  return {
    origin: `http://127.0.0.1:${port}`,
    async reset() {
      const done = next(child, "reset-done");
      tell({ type: "reset" });
      await done;
    },
    async reached(count) {
      const done = next(child, "reached");
      tell({ type: "await", count });
      await done;
    },
    async collect() {
      const done = next(child, "records");
      tell({ type: "collect" });
      const { ids, times } = await done;
      return { ids, times };
    },
    async close() {
      const exited = new Promise((r) => child.once("exit", r));
      tell({ type: "close" });
      await exited;
    },
  };
}
