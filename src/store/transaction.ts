import type { Kysely } from "kysely";
import type { Database } from "./schema.js";

declare const openTransaction: unique symbol;

/**
 * The handle of an open transaction, as `Store.transact` and `Store.batched` give it. A function whose writes must
 * commit or roll back with its caller's takes a `Tx`, not a `Kysely<Database>`: the pool (`store.db`) is no `Tx`,
 * so handing it over by mistake does not compile, instead of writing outside the transaction (or, on SQLite, whose
 * one connection the transaction holds, waiting for it forever). A `Tx` is still a `Kysely<Database>`, so code
 * that runs on either takes that.
 */
export type Tx = Kysely<Database> & { readonly [openTransaction]: true };

/** Marks the handle of a transaction this folder opened (the only place a `Tx` is made). */
export function transactionHandle(trx: Kysely<Database>): Tx {
  return trx as Tx;
}
