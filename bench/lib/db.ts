import { randomBytes } from "node:crypto";
import type { StoreTarget } from "../../src/store/index.js";

/** The PostgreSQL server benchmarks also run on, when set (a database is created and dropped per run). */
export const BENCH_POSTGRES_URL = process.env.HOOKLINE_BENCH_DATABASE_URL ?? "";

/** A database made for one benchmark run, and the way to remove it. */
export interface BenchDatabase {
  readonly target: StoreTarget;
  drop(): Promise<void>;
}

/**
 * A fresh, empty database: a SQLite file at `sqlitePath`, or a new PostgreSQL database on the server of
 * HOOKLINE_BENCH_DATABASE_URL (dropped by `drop`).
 */
export async function freshBenchDatabase(
  dialect: "sqlite" | "postgres",
  sqlitePath: string,
): Promise<BenchDatabase> {
  if (dialect === "sqlite") return { target: { kind: "sqlite", path: sqlitePath }, drop: async () => {} };
  if (!BENCH_POSTGRES_URL) throw new Error("HOOKLINE_BENCH_DATABASE_URL is not set");
  const name = `hookline_bench_${randomBytes(6).toString("hex")}`;
  const pg = (await import("pg")).default;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: BENCH_POSTGRES_URL });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(BENCH_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    target: { kind: "postgres", url: url.toString() },
    drop: () => admin(`drop database if exists ${name} with (force)`),
  };
}

/** The dialects to run: SQLite always, PostgreSQL too when HOOKLINE_BENCH_DATABASE_URL is set. */
export const benchDialects = (): ("sqlite" | "postgres")[] =>
  BENCH_POSTGRES_URL ? ["sqlite", "postgres"] : ["sqlite"];
