import { Kysely, PostgresDialect } from "kysely";
import type { Database } from "./schema.js";

/**
 * Opens PostgreSQL. `pg` is imported only here, so SQLite users never load it. Bigint columns (times in ms,
 * sizes) come back as JavaScript numbers: they stay far below 2^53.
 */
export async function openPostgres(url: string, poolSize = 10): Promise<Kysely<Database>> {
  const pg = await import("pg");
  const { Pool, types } = pg.default;
  types.setTypeParser(20, (value: string) => Number(value));
  const pool = new Pool({ connectionString: url, max: poolSize });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  // A checked-out client has no pool listener: one whose connection is cut (the server restarts, an operator's
  // pg_terminate_backend) while Kysely holds it, idle in a transaction, would emit an unhandled 'error' and end
  // the process. Its query fails instead, and the pool drops it when it is released (it is no longer queryable).
  pool.on("connect", (client) => client.on("error", () => undefined));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
