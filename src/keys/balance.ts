import type { Kysely } from "kysely";
import type { Database, Tx } from "../store/index.js";

/**
 * A key's credit balance (the `credits` column; null means unlimited). The rules of charging and refunding are
 * src/credits'; these are its statements.
 */

/** Takes `amount` off the key's balance if it has one that large (one conditional update). Answers whether it did. */
export async function debitBalance(trx: Tx, ownerId: string, amount: number): Promise<boolean> {
  const result = await trx
    .updateTable("api_keys")
    .set((eb) => ({ credits: eb("credits", "-", amount) }))
    .where("id", "=", ownerId)
    .where("credits", "is not", null)
    .where("credits", ">=", amount)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Adds `amount` back to the key's balance; a key without one (unlimited) stays so. */
export async function creditBalanceBack(trx: Tx, ownerId: string, amount: number): Promise<void> {
  await trx
    .updateTable("api_keys")
    .set((eb) => ({ credits: eb("credits", "+", amount) }))
    .where("id", "=", ownerId)
    .where("credits", "is not", null)
    .execute();
}

/** Sets a key's balance, or removes it (null: unlimited). */
export async function setBalance(
  db: Kysely<Database>,
  ownerId: string,
  credits: number | null,
): Promise<void> {
  await db.updateTable("api_keys").set({ credits }).where("id", "=", ownerId).execute();
}

/** A key's balance read fresh: null when unlimited, undefined when there is no such key. */
export async function balanceOf(db: Kysely<Database>, ownerId: string): Promise<number | null | undefined> {
  const row = await db.selectFrom("api_keys").select("credits").where("id", "=", ownerId).executeTakeFirst();
  if (!row) return undefined;
  return row.credits === null ? null : Number(row.credits);
}
