/**
 * The real Hookline as child processes (`node dist/src/cli/main.js …`), for end-to-end and crash suites.
 *
 * Every child spawned here is remembered until it exits, so `killAllChildren()` in `afterAll`/`afterEach`
 * leaves no process behind even when a test failed half-way. Children get a clean environment: the parent's
 * `HOOKLINE_*` variables are dropped, so a developer's own settings cannot change what a test runs.
 * Run `npm run build` first: the children run the compiled CLI.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { noteServer } from "./leaks.js";

/** The compiled CLI the children run. */
export const CLI_PATH = resolve(dirname(fileURLToPath(import.meta.url)), "../../dist/src/cli/main.js");

/** How a child ended: exit code, or the signal that killed it. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running `hookline serve`, `hookline api` or `hookline worker`. */
export interface HooklineProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** `http://127.0.0.1:<port>` for `serve`, the address it bound (as it printed it); empty for `worker`. */
  readonly url: string;
  /** The base of the links it signs (`HOOKLINE_PUBLIC_URL`, or made from the port bound); empty for `worker`. */
  readonly publicUrl: string;
  /** What the child wrote so far (capped; for failure messages). */
  output(): string;
  /** Settles when the child has exited. */
  readonly exited: Promise<ChildExit>;
  /** Whether the child is still running. */
  alive(): boolean;
  /** Sends a signal and waits for the exit, SIGKILLing it after `timeoutMs`; returns the exit and the wait. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<ChildExit & { ms: number }>;
}

const live = new Set<ChildProcess>();
const OUTPUT_CAP = 64 * 1024;

/** The environment children run with: this process's, minus every HOOKLINE_ variable, plus `env`. */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("HOOKLINE_")) base[k] = v;
  return { ...base, ...env };
}

function assertBuilt(): void {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run \`npm run build\` first`);
}

/** Runs a one-shot CLI command (`keys create …`) to its end. */
export function runCli(
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  assertBuilt();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      env: childEnv(env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    live.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString("utf8");
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString("utf8");
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", (err) => {
      clearTimeout(timer);
      live.delete(child);
      reject(err);
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      live.delete(child);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** The key `hookline keys create --json` printed (one JSON line). */
export interface CliKey {
  id: string;
  apiKey: string;
  webhookHmacKey: string;
  [key: string]: unknown;
}

/** Creates an API key with the real CLI against the database `env` names. */
export async function createKeyWithCli(env: Record<string, string>, name = "e2e"): Promise<CliKey> {
  const out = await runCli(["keys", "create", "--name", name, "--json"], env);
  if (out.code !== 0) throw new Error(`keys create exited ${out.code}: ${out.stderr}`);
  const lines = out.stdout.trim().split("\n");
  if (lines.length !== 1) throw new Error(`keys create --json printed ${lines.length} lines:\n${out.stdout}`);
  const key = JSON.parse(lines[0] ?? "") as CliKey;
  if (typeof key.apiKey !== "string" || typeof key.webhookHmacKey !== "string") {
    throw new Error(`keys create --json printed no key: ${out.stdout}`);
  }
  return key;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `hookline serve` (or `worker`) and resolves once it is ready: for `serve`, it printed the address it
 * listens on and `/readyz` there answers 200; for `worker`, it printed its start line. Rejects (and kills the
 * child) if it exits or is not ready in time. `env` must carry HOOKLINE_DATA_DIR. `serve` binds port 0 unless
 * `env` names HOOKLINE_PORT: the system picks a free port as it binds (a port found free earlier may be taken by
 * then), and the banner tells which.
 */
export async function startHooklineProcess(opts: {
  command?: "serve" | "api" | "worker";
  env: Record<string, string>;
  args?: readonly string[];
  readyTimeoutMs?: number;
}): Promise<HooklineProcess> {
  assertBuilt();
  const command = opts.command ?? "serve";
  const env = command === "worker" ? opts.env : { HOOKLINE_PORT: "0", ...opts.env };
  const child = spawn(process.execPath, [CLI_PATH, command, ...(opts.args ?? [])], {
    env: childEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  let text = "";
  const append = (c: Buffer) => {
    text += c.toString("utf8");
    if (text.length > OUTPUT_CAP) text = text.slice(-OUTPUT_CAP);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  let ended: ChildExit | null = null;
  const exited = new Promise<ChildExit>((r) => {
    child.once("exit", (code, signal) => {
      ended = { code, signal };
      live.delete(child);
      r(ended);
    });
    child.once("error", () => {
      ended = { code: null, signal: null };
      live.delete(child);
      r(ended);
    });
  });
  // Read from the banner once printed (serve.ts: "Hookline is running at <url>  (public URL for links: <url>)").
  let url = "";
  let publicUrl = "";

  const proc: HooklineProcess = {
    child,
    pid: child.pid ?? -1,
    get url() {
      return url;
    },
    get publicUrl() {
      return publicUrl;
    },
    output: () => text,
    exited,
    alive: () => ended === null,
    async stop(signal = "SIGTERM", timeoutMs = 10_000) {
      const t0 = performance.now();
      if (ended === null) child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      const exit = await exited;
      clearTimeout(timer);
      return { ...exit, ms: performance.now() - t0 };
    },
  };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (ended !== null) {
      throw new Error(`hookline ${command} exited before it was ready (${JSON.stringify(ended)}):\n${text}`);
    }
    const banner = /Hookline is running at (\S+) +\(public URL for links: ([^)\s]+)\)/.exec(text);
    if (command !== "worker" && banner) [, url = "", publicUrl = ""] = banner;
    if (await isReady(command, url, text)) {
      // Its API is a server of the suite: fetch's kept-alive connections to it are not a test's leak.
      if (url) noteServer(Number(new URL(url).port));
      return proc;
    }
    if (Date.now() > deadline) {
      await proc.stop("SIGKILL");
      throw new Error(`hookline ${command} was not ready in time:\n${text}`);
    }
    await sleep(100);
  }
}

async function isReady(command: "serve" | "api" | "worker", url: string, text: string): Promise<boolean> {
  if (command === "worker") return text.includes("Hookline worker running");
  if (!url) return false;
  try {
    const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/**
 * Stops a child (by `signal` when it still runs) and waits until it has exited and its stdio pipes are closed,
 * so that nothing of it is left when a test ends.
 */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  const pipes = [child.stdout, child.stderr].filter((p) => p !== null && !p.closed);
  const closed = pipes.map((p) => new Promise((r) => p?.once("close", r)));
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill(signal);
    await exited;
  }
  await Promise.all(closed);
}

/** SIGKILLs every child this helper started that is still running, and waits until they are gone. */
export async function killAllChildren(): Promise<void> {
  const waits = [...live].map(
    (child) =>
      new Promise<void>((r) => {
        if (child.exitCode !== null || child.signalCode !== null) return r();
        child.once("exit", () => r());
        child.kill("SIGKILL");
      }),
  );
  await Promise.all(waits);
  live.clear();
}

/** How many children started here are still running (a test may assert 0 at its end). */
export function liveChildren(): number {
  return live.size;
}
