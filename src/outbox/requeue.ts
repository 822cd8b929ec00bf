import type { Store, Tx } from "../store/index.js";
import type { RoundTrigger } from "./attempts.js";

/**
 * What a manual redelivery did to the message: queued it again (`queued`), or left it alone because an attempt
 * is already due and not yet taken (`due`: that attempt is the redelivery asked for) or is being sent right now
 * (`sending`: a sender holds its lease).
 */
export type Requeued = { readonly messageId: string; readonly outcome: "queued" | "due" | "sending" };

/**
 * Queues the newest message of a task for another round of attempts (manual redelivery): same message id, a
 * fresh retry schedule. A message waiting for a scheduled retry is sent now; one whose attempt is due or in flight
 * is left alone, so that asking again and again sends no more than one POST at a time. Returns null when the task
 * never had a callback.
 */
export async function requeueLatest(store: Store, taskId: string, now: number): Promise<Requeued | null> {
  return store.transact(async (trx) => {
    const latest = await trx
      .selectFrom("messages")
      .select(["id", "lease_until"])
      .where("task_id", "=", taskId)
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
    if (!latest) return null;
    const res = await trx
      .updateTable("messages")
      .set({
        state: "pending",
        round_attempts: 0,
        next_at: now,
        lease_owner: null,
        lease_until: null,
        round_trigger: "manual",
      })
      .where("id", "=", latest.id)
      .where((eb) =>
        eb.or([
          eb("state", "in", ["delivered", "failed"]),
          eb.and([eb("state", "=", "pending"), eb("next_at", ">", now)]),
        ]),
      )
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) > 0) return { messageId: latest.id, outcome: "queued" };
    // Left alone: a sender's live lease means its POST is running; otherwise an attempt is due.
    const sending = latest.lease_until !== null && Number(latest.lease_until) >= now;
    return { messageId: latest.id, outcome: sending ? "sending" : "due" };
  });
}

/**
 * Queues a delivered message again, same id, a fresh round due at `nextAt` started by `trigger`, keeping
 * `extension` for the sender's extension (a simulated repetition: what is left of its simulation). Nothing
 * changes unless it is still delivered.
 */
export async function requeueDelivered(
  trx: Tx,
  messageId: string,
  nextAt: number,
  trigger: RoundTrigger,
  extension: string | null,
): Promise<void> {
  await trx
    .updateTable("messages")
    .set({
      state: "pending",
      round_attempts: 0,
      next_at: nextAt,
      round_trigger: trigger,
      simulate: extension,
    })
    .where("id", "=", messageId)
    .where("state", "=", "delivered")
    .execute();
}
