import { CompiledQuery, type Kysely, PostgresAdapter } from "kysely";
import type { Dialect, DialectSql } from "./dialect-sql.js";
import { postgresSql } from "./postgres-sql.js";
import type { Database } from "./schema.js";
import { sqliteSql } from "./sqlite-sql.js";

/**
 * Hot statements, written once as SQL text and run without building a query. Building and compiling a Kysely
 * query costs more than executing a small indexed statement on SQLite (measured ~15 % of the sender's and the
 * submit route's CPU), so the statements on those paths are precompiled here; everything else keeps Kysely.
 * They run through Kysely's executor, so they take part in its transactions and, on SQLite, wait for the one
 * connection like every other query; inside a SQLite transaction, which already holds that connection, they run
 * straight on it (Kysely's executor would add only promises: ~1 µs per statement, 5 per submission).
 */

/** A statement's text for each dialect; `Row` is what one returned row looks like. */
export interface Statement<Row> {
  readonly sqlite: string;
  readonly postgres: string;
  /** Only for the type: never set. */
  readonly row?: Row;
}

/** PostgreSQL numbers its parameters: the n-th `?` becomes `$n`. The texts here never hold a literal `?`. */
export function numbered(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

/**
 * Defines a statement with `?` parameters; PostgreSQL gets the same text with `$n` parameters. A text that
 * differs between the databases is given as a function of their {@link DialectSql} parts, called once for each.
 *
 * @example
 * const byId = statement<{ id: string }>("select id from tasks where id = ?");
 * const rows = await query(db, byId, [taskId]);
 * const later = statement((d) => `update t set at = ${d.greatest}(at, ?) where id = ?`);
 */
export function statement<Row = never>(text: string | ((d: DialectSql) => string)): Statement<Row> {
  const st =
    typeof text === "string"
      ? { sqlite: text, postgres: numbered(text) }
      : { sqlite: text(sqliteSql), postgres: numbered(text(postgresSql)) };
  if (!preparedNames.has(st.postgres)) preparedNames.set(st.postgres, `hookline_${preparedNames.size + 1}`);
  return st;
}

/** The PostgreSQL text of every statement defined here, and the name it is prepared under. */
const preparedNames = new Map<string, string>();

/**
 * The name under which PostgreSQL keeps `text` prepared on each connection, if it is one of the statements
 * defined here (see postgres-open.ts): they run again and again, and are then parsed and planned once per
 * connection instead of at every run.
 */
export function preparedName(text: string): string | undefined {
  return preparedNames.get(text);
}

/** The dialect of a database handle or transaction (Kysely keeps it in its adapter). */
export function dialectOf(db: Kysely<Database>): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? "postgres" : "sqlite";
}

/** Runs SQL text synchronously on a connection its caller holds. */
export interface DirectRunner {
  /** Rows for a statement that returns data, else runs it and answers none. */
  all(text: string, params: readonly unknown[]): unknown[];
  /** Runs a write and answers how many rows it changed. */
  run(text: string, params: readonly unknown[]): number;
}

const held = new WeakMap<Kysely<Database>, DirectRunner>();

/**
 * Lets statements run straight on the connection that `trx` holds, until the returned function is called.
 * Only for a handle bound to one connection for its whole life (a SQLite transaction).
 */
export function holdDirect(trx: Kysely<Database>, runner: DirectRunner): () => void {
  held.set(trx, runner);
  return () => held.delete(trx);
}

/** Runs a statement and returns its rows (those of RETURNING, for a write). */
export async function query<Row>(
  db: Kysely<Database>,
  st: Statement<Row>,
  params: readonly unknown[],
): Promise<Row[]> {
  const direct = held.get(db);
  if (direct) return direct.all(st.sqlite, params) as Row[];
  const text = dialectOf(db) === "postgres" ? st.postgres : st.sqlite;
  const result = await db.executeQuery<Row>(CompiledQuery.raw(text, params as unknown[]));
  return result.rows as Row[];
}

/** Runs a write without RETURNING and answers how many rows it changed. */
export async function exec(
  db: Kysely<Database>,
  st: Statement<unknown>,
  params: readonly unknown[],
): Promise<number> {
  const direct = held.get(db);
  if (direct) return direct.run(st.sqlite, params);
  const text = dialectOf(db) === "postgres" ? st.postgres : st.sqlite;
  const result = await db.executeQuery(CompiledQuery.raw(text, params as unknown[]));
  return Number(result.numAffectedRows ?? 0n);
}

/**
 * A statement with a repeated part, for `n` repetitions: `head` + `part` × n (comma-separated) + `tail`, as for a
 * multi-row VALUES list or an `in (…)` list. A part that differs between the databases (casts: a VALUES list in
 * FROM gives its parameters no type on PostgreSQL) is a function of their parts. Texts are cached per count;
 * callers send power-of-two counts (see {@link powerOfTwoChunks}), so few distinct texts reach the statement
 * cache.
 *
 * @example
 * const insert = repeated("insert into t (a, b) values ", "(?, ?)", "");
 * await exec(trx, insert(2), [1, 2, 3, 4]);
 */
export function repeated<Row = never>(
  head: string,
  part: string | ((d: DialectSql) => string),
  tail: string,
): (n: number) => Statement<Row> {
  const cache = new Map<number, Statement<Row>>();
  const partOf = typeof part === "string" ? () => part : part;
  return (n) => {
    let st = cache.get(n);
    if (!st) {
      st = statement<Row>((d) => `${head}${Array.from({ length: n }, () => partOf(d)).join(", ")}${tail}`);
      cache.set(n, st);
    }
    return st;
  };
}

/**
 * Splits `items` into chunks whose sizes are powers of two (at most `max`), largest first: 37 → 32, 4, 1.
 * Multi-row statements then come in a handful of shapes.
 */
export function powerOfTwoChunks<T>(items: readonly T[], max = 64): T[][] {
  const out: T[][] = [];
  let i = 0;
  while (i < items.length) {
    let size = max;
    while (size > items.length - i) size /= 2;
    out.push(items.slice(i, i + size));
    i += size;
  }
  return out;
}

/** The columns of a list of rows a statement reads (see {@link rowsStatement}). */
export type RowColumns = readonly (readonly [name: string, type: "text" | "bigint"])[];

/** A statement over a list of rows sent with it (see {@link rowsStatement}); run with {@link queryRows}. */
export interface RowsStatement<Row> {
  readonly columns: RowColumns;
  /** The text of each database for `n` rows (PostgreSQL: any number, the rows being one JSON parameter). */
  readonly text: (n: number) => Statement<Row>;
}

/**
 * A statement that reads a list of rows as a subquery with the given columns: `make` gets that subquery's text
 * and puts it where a table would go, before any other parameter. PostgreSQL gets the rows as one JSON parameter
 * (one text, parsed and planned once, for any number of rows: each statement is a round trip); SQLite, in
 * process, gets a VALUES list, which it binds faster than it parses JSON (measured: 9 against 18 µs a row), in
 * power-of-two chunks.
 *
 * @example
 * const touch = rowsStatement([["id", "text"], ["at", "bigint"]], (rows) =>
 *   `update t set at = v.at from ${rows} as v where t.id = v.id returning t.id`);
 * const changed = await queryRows(trx, touch, [["a", 1], ["b", 2]], []);
 */
export function rowsStatement<Row = never>(
  columns: RowColumns,
  make: (rows: string) => string,
): RowsStatement<Row> {
  const pg = statement<Row>(make(postgresSql.jsonRows(columns)));
  const names = columns.map(([name], i) => `column${i + 1} as ${name}`).join(", ");
  const sqlite = repeated<Row>("", `(${columns.map(() => "?").join(", ")})`, "");
  const cache = new Map<number, Statement<Row>>();
  return {
    columns,
    text: (n) => {
      let st = cache.get(n);
      if (!st) {
        st = { sqlite: make(`(select ${names} from (values ${sqlite(n).sqlite}))`), postgres: pg.postgres };
        cache.set(n, st);
      }
      return st;
    },
  };
}

/** Runs a {@link rowsStatement} over `rows` (each as its columns), followed by `params`; answers every row returned. */
export async function queryRows<Row>(
  db: Kysely<Database>,
  st: RowsStatement<Row>,
  rows: readonly (readonly unknown[])[],
  params: readonly unknown[],
): Promise<Row[]> {
  if (rows.length === 0) return [];
  if (dialectOf(db) === "postgres") return query(db, st.text(rows.length), [JSON.stringify(rows), ...params]);
  const out: Row[] = [];
  for (const chunk of powerOfTwoChunks(rows))
    out.push(...(await query(db, st.text(chunk.length), [...chunk.flat(), ...params])));
  return out;
}
