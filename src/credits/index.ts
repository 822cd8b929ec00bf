/**
 * Credits (spec 12.3): a key either has no balance (unlimited, the default) or a whole-number balance that each
 * paid job debits when it is submitted, in the submission's own transaction, and that a failed paid job gets
 * back in the transaction that records the failure. Prices per family come from configuration.
 * @module
 */
import type { Kysely } from "kysely";
import { balanceOf, creditBalanceBack, debitBalance, setBalance } from "../keys/index.js";
import { HooklineError } from "../lib/errors.js";
import type { Database, Tx } from "../store/index.js";

/** The field of a task's input that records what its submission was charged. */
export const CHARGED_FIELD = "charged";

/**
 * Debits `amount` from the key's balance, or throws `insufficient_credits` (429 sunoapi / 402 kie) when the
 * balance is short. Answers the amount charged: 0 for a free job or a key without a balance, which costs no
 * statement at all (the caller passes the balance it authenticated with: null means unlimited).
 *
 * @example
 * const charged = await chargeCredits(trx, key.id, key.credits, config.prices.wav);
 * await insertTask(trx, { ..., input: { audioId, ...chargedInput(charged) } }, now);
 */
export async function chargeCredits(
  trx: Tx,
  ownerId: string,
  balance: number | null,
  amount: number,
): Promise<number> {
  if (balance === null || amount <= 0) return 0;
  // One conditional update: two submissions racing for the last credits cannot both pass.
  if (await debitBalance(trx, ownerId, amount)) return amount;
  const balanceNow = await balanceOf(trx, ownerId);
  // The balance was removed (made unlimited) since the key was read: nothing to charge.
  if (balanceNow === null || balanceNow === undefined) return 0;
  throw new HooklineError(
    "insufficient_credits",
    `Insufficient credits: this job costs ${amount}, the balance is ${balanceNow}`,
  );
}

/** The input fields that record a charge (none when nothing was charged). */
export function chargedInput(charged: number): Record<string, number> {
  return charged > 0 ? { [CHARGED_FIELD]: charged } : {};
}

/** What a task's submission was charged (0 when free or unlimited). */
export function chargeOf(input: Readonly<Record<string, unknown>>): number {
  const value = input[CHARGED_FIELD];
  return typeof value === "number" && value > 0 ? value : 0;
}

/**
 * Gives a failed task's charge back to its key; call it in the transaction that records the failure (a family's
 * `Outcome.commit`), so a crash cannot refund without failing or fail without refunding. A key whose balance was
 * removed meanwhile stays unlimited.
 */
export async function refundCredits(
  trx: Tx,
  task: { readonly ownerId: string; readonly input: Readonly<Record<string, unknown>> },
): Promise<void> {
  const amount = chargeOf(task.input);
  if (amount === 0) return;
  await creditBalanceBack(trx, task.ownerId, amount);
}

/** Sets a key's balance (a whole number), or removes it (null: unlimited). */
export async function setCredits(
  db: Kysely<Database>,
  ownerId: string,
  credits: number | null,
): Promise<void> {
  await setBalance(db, ownerId, credits);
}

/** A key's current balance, read fresh (null: unlimited). */
export async function creditBalance(db: Kysely<Database>, ownerId: string): Promise<number | null> {
  return (await balanceOf(db, ownerId)) ?? null;
}
