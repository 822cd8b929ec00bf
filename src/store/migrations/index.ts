import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from "kysely";
import type { Dialect } from "../dialect-sql.js";
import { initial } from "./0001_initial.js";
import { hotPathIndexes } from "./0002_hot_path_indexes.js";
import { attemptsByMessage } from "./0003_attempts_by_message.js";
import { keyGeneration } from "./0004_key_generation.js";
import { wavDedupeByTrack } from "./0005_wav_dedupe_by_track.js";
import { voices } from "./0006_voices.js";
import { simulation } from "./0007_simulation.js";
import { onlyOnce } from "./0008_only_once.js";
import { fairClaims } from "./0009_fair_claims.js";
import { storageUsage } from "./0010_storage_usage.js";
import { rateLimits } from "./0011_rate_limits.js";
import { roundTrigger } from "./0012_round_trigger.js";
import { messageTargetHost } from "./0013_message_target_host.js";
import { consoleSessions } from "./0014_console_sessions.js";
import { taskViews } from "./0015_task_views.js";
import { attemptHeaders } from "./0016_attempt_headers.js";
import { streamAttempts } from "./0017_stream_attempts.js";
import { trackArtist } from "./0018_track_artist.js";
import type { SchemaMigration } from "./migration.js";

export type { SchemaMigration } from "./migration.js";

/**
 * Every migration, oldest first: a new one goes in a file of its own named as the step (`0012_….ts`) and at the
 * end of this list. Kysely orders by name, so the names must sort in this order (a test checks it).
 */
export const MIGRATIONS: readonly SchemaMigration[] = [
  initial,
  hotPathIndexes,
  attemptsByMessage,
  keyGeneration,
  wavDedupeByTrack,
  voices,
  simulation,
  onlyOnce,
  fairClaims,
  storageUsage,
  rateLimits,
  roundTrigger,
  messageTargetHost,
  consoleSessions,
  taskViews,
  attemptHeaders,
  streamAttempts,
  trackArtist,
];

/** The list as Kysely takes it: by name, each step bound to the database it runs on. */
function provider(dialect: Dialect): MigrationProvider {
  const byName: Record<string, Migration> = {};
  for (const m of MIGRATIONS) byName[m.name] = { up: (db) => m.up(db, dialect) };
  return { getMigrations: async () => byName };
}

/**
 * Applies every pending migration, or those up to `upTo` (upgrade tests open a database as an older version
 * left it); returns Kysely's `{ error, results }` rather than throwing.
 *
 * @example
 * const { error, results } = await migrate(db, "sqlite"); // results: [] when nothing was pending
 */
export async function migrate<DB>(db: Kysely<DB>, dialect: Dialect, upTo?: string) {
  const migrator = new Migrator({ db, provider: provider(dialect) });
  const run = () => (upTo === undefined ? migrator.migrateToLatest() : migrator.migrateTo(upTo));
  if (dialect !== "sqlite") return run(); // Kysely holds an advisory lock on PostgreSQL
  // On SQLite Kysely takes no lock and runs each migration outside a transaction, so two processes opening one
  // new database at once both ran the same migration ("index … already exists"). Under BEGIN IMMEDIATE (the
  // store's single connection, nothing else uses it yet) the second waits for the first, then finds nothing to do.
  await sql`begin immediate`.execute(db);
  try {
    const result = await run();
    await sql.raw(result.error ? "rollback" : "commit").execute(db);
    return result;
  } catch (error) {
    await sql`rollback`.execute(db);
    throw error;
  }
}
