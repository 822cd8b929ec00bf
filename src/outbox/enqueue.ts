import { newMessageId } from "../lib/ids.js";
import { targetHost } from "../lib/target-host.js";
import type { Tx } from "../store/index.js";

/** A callback to enqueue with a state change. */
export interface CallbackSpec {
  readonly event: string;
  readonly body: Record<string, unknown>;
  /** The task id the reseller signature (`X-Webhook-Signature`) covers. */
  readonly signTaskId: string;
  /**
   * Text the sender's extension reads back when it sends the message (src/delivery `SenderExtension`; today the
   * sending part of a failure simulation). The outbox only keeps it.
   */
  readonly extension?: string | null;
}

/** Inserts an outbox message: called only inside the transaction of the state change that causes it. */
export async function enqueueMessage(
  trx: Tx,
  task: { readonly id: string; readonly ownerId: string },
  url: string,
  spec: CallbackSpec,
  now: number,
): Promise<string> {
  const id = newMessageId();
  await trx
    .insertInto("messages")
    .values({
      id,
      task_id: task.id,
      owner_id: task.ownerId,
      event: spec.event,
      url,
      target_host: targetHost(url),
      body: JSON.stringify(spec.body),
      sign_task_id: spec.signTaskId,
      state: "pending",
      round_attempts: 0,
      total_attempts: 0,
      next_at: now,
      lease_owner: null,
      lease_until: null,
      created_at: now,
      delivered_at: null,
      simulate: spec.extension ?? null,
      round_trigger: "auto",
    })
    .execute();
  return id;
}
