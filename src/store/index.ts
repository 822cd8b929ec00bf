/**
 * Database access: one Kysely schema over SQLite (default) and PostgreSQL.
 * @module
 */

export { isConnectionError } from "./connection-errors.js";
export type { Dialect, DialectSql } from "./dialect-sql.js";
export { openStore, type Store, type StoreTarget } from "./open.js";
export type { Listener, ListenerEvents } from "./postgres-listen.js";
export type * from "./schema.js";
export { ensureSecret } from "./settings.js";
export {
  dialectOf,
  exec,
  powerOfTwoChunks,
  query,
  queryRows,
  type RowsStatement,
  repeated,
  rowsStatement,
  type Statement,
  statement,
} from "./statements.js";
export type { Tx } from "./transaction.js";

/**
 * Pads an `in (…)` list to a power-of-two length by repeating its last value, so that the few SQL texts that
 * result stay in the prepared-statement cache instead of one text per list length.
 */
export function padToPowerOfTwo<T>(values: readonly T[]): T[] {
  if (values.length === 0) return [];
  let size = 1;
  while (size < values.length) size *= 2;
  const out = [...values];
  while (out.length < size) out.push(values[values.length - 1] as T);
  return out;
}
