import type { Kysely } from "kysely";
import { newMessageId } from "../lib/ids.js";
import { messageSimulation, simulationOfInput } from "../simulation/index.js";
import type { Database } from "../store/index.js";
import type { CallbackSpec, Task } from "../tasks/index.js";

/** Inserts an outbox message: called only inside the transaction of the state change that causes it. */
export async function enqueueMessage(
  trx: Kysely<Database>,
  task: Pick<Task, "id" | "ownerId"> & { readonly input?: Task["input"] },
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
      simulate: messageSimulation(simulationOfInput(task.input ?? {})),
    })
    .execute();
  return id;
}
