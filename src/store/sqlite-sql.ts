import type { DialectSql } from "./dialect-sql.js";

/** SQLite's parts of the SQL texts that differ (see {@link DialectSql}). */
export const sqliteSql: DialectSql = {
  greatest: "max",
  rowKey: "rowid",
  skipLocked: "",
  typed: () => "?",
};
