import {
  Kysely,
  type PostgresCursor,
  PostgresDialect,
  type PostgresPool,
  type PostgresPoolClient,
  type PostgresQueryResult,
} from "kysely";
import type { PoolClient } from "pg";
import type { Database } from "./schema.js";
import { preparedName } from "./statements.js";

const COMMANDS = ["UPDATE", "DELETE", "INSERT", "SELECT", "MERGE"] as const;

/**
 * A pooled connection that sends the hot statements (statements.ts) as named prepared statements: each
 * connection parses and plans them once, instead of at every run (the sender's claim and attempt records run at
 * every cycle). Kysely's own queries go as before.
 */
class PreparingClient implements PostgresPoolClient {
  readonly #client: PoolClient;
  constructor(client: PoolClient) {
    this.#client = client;
  }
  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(
    sql: string | PostgresCursor<R>,
    parameters: ReadonlyArray<unknown> = [],
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    // Kysely asks for a cursor only when the dialect is given a cursor class, which openPostgres does not.
    if (typeof sql !== "string") throw new Error("streaming queries are not configured");
    return this.#run<R>(sql, parameters);
  }
  async #run<R>(text: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
    const name = preparedName(text);
    const values = [...parameters];
    const result = await this.#client.query(name ? { name, text, values } : { text, values });
    const rows: R[] = result.rows;
    return {
      command: COMMANDS.find((c) => c === result.command) ?? "SELECT",
      rowCount: result.rowCount ?? 0,
      rows,
    };
  }
  release(): void {
    this.#client.release();
  }
}

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
  // Kysely keeps one connection object per client it is given: hand it the same wrapper for the same client.
  const wrapped = new WeakMap<PoolClient, PreparingClient>();
  const preparing: PostgresPool = {
    connect: async () => {
      const client = await pool.connect();
      let w = wrapped.get(client);
      if (!w) {
        w = new PreparingClient(client);
        wrapped.set(client, w);
      }
      return w;
    },
    end: () => pool.end(),
  };
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparing }) });
}
