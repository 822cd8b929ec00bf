import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Running, startHookline } from "../../src/app/index.js";
import { type Flags, loadConfig } from "../../src/config/index.js";
import { createKey } from "../../src/keys/index.js";
import type { Clock } from "../../src/lib/clock.js";
import { HooklineError } from "../../src/lib/errors.js";
import { randomToken } from "../../src/lib/ids.js";
import { type Logger, silentLogger } from "../../src/lib/logger.js";
import type { StoreTarget } from "../../src/store/index.js";

/** The response envelope as tests read it (loosely typed on purpose: tests probe the wire format). */
export interface Envelope {
  code: number;
  msg: string;
  data: any;
  success?: boolean;
  [key: string]: any;
}

export interface TestHookline {
  readonly running: Running;
  readonly url: string;
  readonly dataDir: string;
  /** An API key (with its webhook key) created for the test. */
  readonly apiKey: string;
  readonly webhookKey: string;
  readonly keyId: string;
  /** Makes another key (another tenant). */
  newKey(name?: string): Promise<{ apiKey: string; webhookKey: string; keyId: string }>;
  /** fetch against the server with the test key, answering the parsed JSON envelope. */
  call(path: string, init?: RequestInit & { json?: unknown; key?: string }): Promise<Envelope>;
  /** fetch against the server with the test key. */
  api(path: string, init?: RequestInit & { json?: unknown; key?: string }): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * Starts a real Hookline in this process (real SQLite or Postgres, real files, real HTTP on 127.0.0.1) with
 * settings given as environment-style values; `--dev`-like access to loopback is opened by default so that tests
 * can use a local receiver. Roles let a test drive the runner and sender by hand.
 */
export async function startTestHookline(
  opts: {
    env?: Record<string, string>;
    flags?: Flags;
    clock?: Clock;
    database?: StoreTarget;
    roles?: { api?: boolean; runner?: boolean; sender?: boolean };
    /** Where the server logs (silent by default). */
    log?: Logger;
  } = {},
): Promise<TestHookline> {
  const dataDir = mkdtempSync(join(tmpdir(), "hookline-test-"));
  const env: Record<string, string> = {
    HOOKLINE_DATA_DIR: dataDir,
    // Port 0: the system picks a free port as the server binds it (a port found free earlier may be taken by then).
    HOOKLINE_PORT: "0",
    HOOKLINE_DEV: "1",
    HOOKLINE_POLL_MS: "50",
    HOOKLINE_CONCURRENCY: "2",
    ...(opts.database?.kind === "postgres" ? { HOOKLINE_DATABASE_URL: opts.database.url } : {}),
    ...(opts.database?.kind === "sqlite" ? { HOOKLINE_DATABASE_URL: `sqlite:${opts.database.path}` } : {}),
    ...opts.env,
  };
  const config = loadConfig(env, opts.flags ?? {});
  const log = opts.log ?? silentLogger;
  const running = await startHookline({ config, log, clock: opts.clock, roles: opts.roles });
  // The address really bound; empty without the API role.
  const url = running.url ?? "";
  const { store, clock } = running.services;
  // Live key names are unique: a second server on the same database, or a test asking twice for "other", gets the
  // name with a suffix.
  const make = async (name = "test") => {
    const k = await createKey(store, clock, { name }).catch((error: unknown) => {
      if (!(error instanceof HooklineError) || error.code !== "conflict") throw error;
      return createKey(store, clock, { name: `${name}-${randomToken(6)}` });
    });
    return { apiKey: k.apiKey, webhookKey: k.webhookHmacKey, keyId: k.id };
  };
  const first = await make();
  const api = (path: string, init: RequestInit & { json?: unknown; key?: string } = {}) => {
    const { json, key, headers, ...rest } = init;
    return fetch(`${url}${path}`, {
      ...rest,
      method: rest.method ?? (json === undefined ? "GET" : "POST"),
      headers: {
        authorization: `Bearer ${key ?? first.apiKey}`,
        ...(json === undefined ? {} : { "content-type": "application/json" }),
        ...(headers as Record<string, string> | undefined),
      },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    });
  };
  return {
    running,
    url,
    dataDir,
    ...first,
    newKey: make,
    api,
    async call(path, init) {
      const res = await api(path, init);
      return (await res.json()) as Envelope;
    },
    async stop() {
      await running.stop(2_000);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
