import type { DialectSql } from "./dialect-sql.js";

/** PostgreSQL's parts of the SQL texts that differ (see {@link DialectSql}). */
export const postgresSql: DialectSql = {
  greatest: "greatest",
  rowKey: "id",
  skipLocked: " for update skip locked",
  typed: (type) => `?::${type}`,
  jsonRows: (columns) =>
    `(select ${columns.map(([name, type], i) => `(e ->> ${i})::${type} as ${name}`).join(", ")}
      from jsonb_array_elements(?::jsonb) as e)`,
};
