import type { SenderExtension } from "../delivery/index.js";
import { newWebhookKey } from "../lib/ids.js";
import { requeueDelivered } from "../outbox/index.js";
import type { Family, Outcome, Task } from "../tasks/index.js";
import { simulatedFailureOf } from "./failure.js";
import { afterRepeatQueued, messageSimulation, readMessageSimulation } from "./message.js";
import { type Simulation, simulationOfInput } from "./spec.js";

/**
 * Failure simulation plugged into the engine at composition (src/app): the runner and the sender run what they
 * are given and know nothing of it. A task keeps its simulation in its input (`simulationInput`, at submission);
 * the family wrapper ends it with the code asked for and hands the sending part to its callback; the sender
 * extension signs such callbacks with a wrong key and repeats them once delivered.
 */

/** The outcome with the sending part of `sim` kept with its callback. */
function withMessageSimulation(outcome: Outcome, sim: Simulation | null): Outcome {
  const extension = messageSimulation(sim);
  if (extension === null || !outcome.callback) return outcome;
  return { ...outcome, callback: { ...outcome.callback, extension } };
}

/**
 * A family whose tasks do what their simulation asks: a task asked to fail ends as if its work had failed with
 * that code (the family's own `failed`, so its callback and record carry the code), without running.
 */
export function simulatingFamily(family: Family): Family {
  const simOf = (task: Task) => simulationOfInput(task.input);
  return {
    name: family.name,
    async run(task, helpers) {
      const sim = simOf(task);
      const failure = simulatedFailureOf(sim);
      const outcome = failure ? family.failed(task, failure) : await family.run(task, helpers);
      return withMessageSimulation(outcome, sim);
    },
    failed: (task, error) => withMessageSimulation(family.failed(task, error), simOf(task)),
    ...(family.onDelivered ? { onDelivered: family.onDelivered.bind(family) } : {}),
    ...(family.onDeliveryGivenUp ? { onDeliveryGivenUp: family.onDeliveryGivenUp.bind(family) } : {}),
  };
}

/** How long after a delivery its simulated repetition is sent. */
const REPEAT_AFTER_MS = 1000;

/** The sender's side: `bad-signature` and `duplicate=N`. */
export const simulationSender: SenderExtension = {
  // Headers of the usual shape, signed with a fresh random key that no receiver knows, so that its verification
  // must refuse them.
  signingFor(message, signing) {
    if (!readMessageSimulation(message.simulate)?.badSignature) return signing;
    return { ...signing, webhook_key: newWebhookKey(), previous_webhook_key: null, previous_key_until: null };
  },
  // A delivered message that still has repetitions to make is queued again, same id, a fresh round, shortly
  // after; receivers see it as the duplicate the contract allows.
  async afterRecorded(trx, records, moved) {
    for (const r of records) {
      if (r.outcome !== "delivered" || !moved.has(r.message.id)) continue;
      const sim = readMessageSimulation(r.message.simulate);
      if (!sim || sim.duplicates <= 0) continue;
      await requeueDelivered(
        trx,
        r.message.id,
        r.endedAt + REPEAT_AFTER_MS,
        "duplicate",
        afterRepeatQueued(sim),
      );
    }
  },
};
