import { HooklineError } from "../lib/errors.js";
import type { Tx } from "../store/index.js";

/** The longest key name (the admin API's schema says the same). */
export const MAX_NAME_LENGTH = 64;

/** Refuses a name that is blank or too long. */
export function checkName(name: string): void {
  if (name.trim() === "") throw new HooklineError("bad_request", "a key's name cannot be empty");
  if (name.length > MAX_NAME_LENGTH)
    throw new HooklineError("bad_request", `a key's name has at most ${MAX_NAME_LENGTH} characters`);
}

/**
 * Refuses a name a live key other than `exceptId` already has: live names are unique, so that the CLI's
 * `KEY` argument and the console's list name one key each (a revoked key's name is free again). Call it in the
 * transaction that then writes the name. It first writes the key_generation row (which a trigger moves on with
 * every change to a key anyway): on PostgreSQL that row lock makes two transactions claiming names wait for
 * each other, so the second one reads the first's key; SQLite's transactions already take the write lock first.
 */
export async function claimName(trx: Tx, name: string, exceptId: string | null): Promise<void> {
  checkName(name);
  await trx
    .updateTable("key_generation")
    .set((eb) => ({ n: eb("n", "+", 1) }))
    .where("id", "=", 1)
    .execute();
  let taken = trx
    .selectFrom("api_keys")
    .select("id")
    .where("name", "=", name)
    .where("revoked_at", "is", null);
  if (exceptId !== null) taken = taken.where("id", "!=", exceptId);
  if (await taken.executeTakeFirst())
    throw new HooklineError("conflict", `a live key is already named ${name}`);
}
