/**
 * What differs in SQL text between the two databases, behind one interface (the parts: sqlite-sql.ts and
 * postgres-sql.ts). Code outside src/store writes one text with these parts in it, as a function given to
 * `statement` or `repeated` (statements.ts), which makes each database's text; it never tests which database it
 * runs on.
 */
/** The two databases Hookline runs on. */
export type Dialect = "sqlite" | "postgres";

export interface DialectSql {
  /** The greater of two values: SQLite's two-argument `max`, PostgreSQL's `greatest`. */
  readonly greatest: string;
  /**
   * The key by which a claim's subquery names the rows it picked: SQLite's `rowid` (found without the index on
   * the text id), PostgreSQL's `id`.
   */
  readonly rowKey: string;
  /**
   * Ends a claim's subquery: PostgreSQL locks the rows it picks and skips those another claim holds; SQLite, a
   * single writer claiming inside an immediate transaction, needs nothing.
   */
  readonly skipLocked: string;
  /** A parameter of the given type: PostgreSQL gives the parameters of a VALUES list in FROM no type otherwise. */
  typed(type: "text" | "bigint"): string;
  /**
   * A subquery over the rows of one JSON parameter, an array of arrays (`[["a", 1], ["b", null]]`): the n-th
   * element of each row becomes the n-th column, named and typed as given. One statement text for any number of
   * rows, where a VALUES list needs one text (and, on PostgreSQL, one parse and plan) per count.
   */
  jsonRows(columns: readonly (readonly [name: string, type: "text" | "bigint"])[]): string;
}
