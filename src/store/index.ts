/**
 * Database access: one Kysely schema over SQLite (default) and PostgreSQL.
 * @module
 */
export { type Dialect, openStore, type Store, type StoreTarget } from "./open.js";
export type { Listener } from "./postgres-listen.js";
export type * from "./schema.js";
export { ensureSecret } from "./settings.js";
