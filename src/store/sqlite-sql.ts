import type { DialectSql } from "./dialect-sql.js";

/** SQLite's parts of the SQL texts that differ (see {@link DialectSql}). */
export const sqliteSql: DialectSql = {
  greatest: "max",
  rowKey: "rowid",
  skipLocked: "",
  typed: () => "?",
  // `->>` gives SQL values (text, integer, null) as JSON holds them; no casts needed.
  jsonRows: (columns) =>
    `(select ${columns.map(([name], i) => `value ->> ${i} as ${name}`).join(", ")} from json_each(?))`,
};
