import { mkdirSync, rmSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { openServices, type Services } from "../../src/app/index.js";
import { loadConfig } from "../../src/config/index.js";
import { FAMILIES } from "../../src/families/index.js";
import { createKey } from "../../src/keys/index.js";
import { randomToken } from "../../src/lib/ids.js";
import { silentLogger } from "../../src/lib/logger.js";
import type { Family } from "../../src/tasks/index.js";
import { type BenchDatabase, freshBenchDatabase } from "./db.js";
import { BENCH_DIR } from "./report.js";

/** Hookline's real services, its families and a key, opened in this process without the HTTP server. */
export interface BenchHookline {
  readonly services: Services;
  readonly families: ReadonlyMap<string, Family>;
  /** A lease owner name, as `startHookline` makes one. */
  readonly owner: string;
  readonly dataDir: string;
  readonly key: { readonly id: string; readonly apiKey: string; readonly webhookKey: string };
  close(): Promise<void>;
}

/** A fresh folder under `.bench-data/tmp/` (same filesystem as the benchmark's other outputs). */
export function benchTempDir(prefix: string): string {
  const dir = join(BENCH_DIR, "tmp", `${prefix}-${process.pid}-${randomToken(6)}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Opens the services exactly as `startHookline` does (config from environment-style values, dev mode so that
 * callbacks may reach 127.0.0.1), on a fresh database of the given dialect and a fresh data folder.
 */
export async function openBenchHookline(
  opts: { dialect?: "sqlite" | "postgres"; env?: Record<string, string> } = {},
): Promise<BenchHookline> {
  const dataDir = benchTempDir("hookline");
  const db: BenchDatabase = await freshBenchDatabase(opts.dialect ?? "sqlite", join(dataDir, "hookline.db"));
  const env: Record<string, string> = {
    HOOKLINE_DATA_DIR: dataDir,
    HOOKLINE_DEV: "1",
    HOOKLINE_DATABASE_URL: db.target.kind === "postgres" ? db.target.url : `sqlite:${db.target.path}`,
    ...opts.env,
  };
  const services = await openServices(loadConfig(env), silentLogger);
  const families = new Map(FAMILIES.map((make) => make(services)).map((m) => [m.family.name, m.family]));
  const k = await createKey(services.store, services.clock, { name: "bench" });
  return {
    services,
    families,
    owner: `${hostname()}:${process.pid}:${randomToken(6)}`,
    dataDir,
    key: { id: k.id, apiKey: k.apiKey, webhookKey: k.webhookHmacKey },
    async close() {
      await services.close();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
