import { Type } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { chargeCredits, chargedInput } from "../credits/index.js";
import { callbackUrlOf, keyOf, sendOk, simulationOf } from "../http/index.js";
import { newTaskId } from "../lib/ids.js";
import { reserveRoom } from "../quota/index.js";
import type { Services } from "../services/index.js";
import { simulationInput } from "../simulation/index.js";
import type { ApiKeyTable, Tx } from "../store/index.js";
import { insertOnlyOnce, insertTask, type NewTask, type OnlyOnceRule } from "../tasks/index.js";

/** The answer of the task-creating routes in the reference: the new task's id (spec 1.3). */
export const TaskCreated = Type.Object({ taskId: Type.String({ description: "32 hex" }) });

/** What a family's submission decides about its new task, inside the submission's transaction. */
export interface TaskSpec {
  readonly status: string;
  readonly action: string;
  readonly input: Readonly<Record<string, unknown>>;
  readonly parentId?: string;
  /** Credits the submission costs (spec 12.3); nothing is charged when absent. */
  readonly price?: number;
  /** The predicted size of the task's results, reserved against the key's quota; nothing is reserved when absent. */
  readonly reservedBytes?: number;
  /** The only-once slot the task takes, and how a standing holder refuses it (spec 4.1, 5.1). */
  readonly onlyOnce?: OnlyOnceRule;
}

/** One job submission: the request's body, the family's own checks and its task. */
export interface Submission {
  readonly family: string;
  /** The validated request body (its callback URL is read in any spelling). */
  readonly body: Readonly<Record<string, unknown>>;
  /** Checks run after the simulation header is read and before the callback URL is vetted (e.g. other URLs). */
  readonly vet?: () => Promise<void>;
  /** Reads and checks run after every URL is vetted, outside the transaction. */
  readonly check?: (key: ApiKeyTable) => Promise<void>;
  /** A transaction of its own instead of the shared (batched) one, for a submission that claims another task. */
  readonly ownTransaction?: boolean;
  /**
   * The task, decided in the transaction (`trx`: read there, not on the store; on SQLite it holds the only
   * connection). What it throws rolls the submission back.
   */
  prepare(trx: Tx, key: ApiKeyTable): TaskSpec | Promise<TaskSpec>;
}

/**
 * Submits a job (spec 4.1, 5.1, 6.1, 6.5): reads the callback URL and the simulation, runs the family's vetting,
 * vets the callback URL, then in one transaction prepares the task, reserves its room, charges its credits and
 * inserts it (taking its only-once slot, if any); wakes the runners after the commit and answers `{ taskId }`.
 *
 * @example
 * return submitTask(services, request, reply, {
 *   family: "cover",
 *   body,
 *   prepare: () => ({ status: "PENDING", action: "generate", input: { musicTaskId }, price: 1 }),
 * });
 */
export async function submitTask(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  submission: Submission,
): Promise<FastifyReply> {
  const { store, clock, config } = services;
  const key = keyOf(request);
  const callbackUrl = callbackUrlOf(submission.body);
  const simulation = simulationOf(request, config.simulation);
  await submission.vet?.();
  if (callbackUrl) await services.outbound.vet(callbackUrl);
  await submission.check?.(key);
  const insert = async (trx: Tx): Promise<string> => {
    const spec = await submission.prepare(trx, key);
    const id = newTaskId();
    const now = clock.now();
    const make = async (): Promise<NewTask> => {
      if (spec.reservedBytes !== undefined) {
        await reserveRoom(trx, services.disk, config.limits, key.id, spec.reservedBytes);
      }
      const charged =
        spec.price === undefined ? 0 : await chargeCredits(trx, key.id, key.credits, spec.price);
      return {
        id,
        ownerId: key.id,
        family: submission.family,
        status: spec.status,
        action: spec.action,
        ...simulationInput({ ...spec.input, ...chargedInput(charged) }, simulation),
        callbackUrl,
        parentId: spec.parentId ?? null,
        reservedBytes: spec.reservedBytes ?? 0,
      };
    };
    if (spec.onlyOnce) await insertOnlyOnce(trx, key.id, make, now, spec.onlyOnce);
    else await insertTask(trx, await make(), now);
    return id;
  };
  const taskId = await (submission.ownTransaction ? store.transact(insert) : store.batched(insert));
  services.tasks.poke();
  return sendOk(reply, { taskId });
}
