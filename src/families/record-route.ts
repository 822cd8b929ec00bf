import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { type TSchema, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { answers, keyOf, Nullable, queryTaskId, sendOk, type TagName, taskIdQuery } from "../http/index.js";
import type { Services } from "../services/index.js";
import { getOwnedTask, type Task } from "../tasks/index.js";

/** What a family's record route is made of. */
export interface RecordRoute {
  readonly path: string;
  readonly summary: string;
  readonly family: string;
  /** The reference's tag of the route. */
  readonly tag: TagName;
  /** What `view` answers, for the reference. */
  readonly data: TSchema;
  /** The record's `data`, from the caller's own task of this family. */
  view(task: Task): Promise<Record<string, unknown>> | Record<string, unknown>;
}

/**
 * A family's record route (`GET …?taskId=`, either spelling): the caller's own task of the family, shown by
 * `view`. Another key's task, or one of another family, is "not found", like an unknown id.
 */
export function recordRoute(fastify: FastifyInstance, services: Services, route: RecordRoute): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    route.path,
    {
      schema: {
        summary: route.summary,
        tags: [route.tag],
        querystring: taskIdQuery,
        response: answers(route.data, "The record", { errors: [404] }),
      },
    },
    async (request, reply) => {
      const taskId = queryTaskId(request.query);
      const task = await getOwnedTask(services.store.db, keyOf(request).id, taskId, route.family);
      return sendOk(reply, await route.view(task));
    },
  );
}

/** `taskRecordFields` in the reference; `time` describes the family's time format. */
export const taskRecordSchema = (time: string) => ({
  taskId: Type.String(),
  callbackUrl: Type.String({ description: '"" when none was given' }),
  completeTime: Nullable(Type.String({ description: time })),
  status: Type.String(),
  createTime: Nullable(Type.String({ description: time })),
  errorCode: Nullable(Type.Integer()),
  errorMessage: Nullable(Type.String()),
});

/**
 * The fields the WAV and cover records (spec 4.2, 5.2) show alike, with times in the family's own format
 * (the resellers' WAV records use `2026-12-02 16:51:28`, their cover records ISO time).
 */
export function taskRecordFields(task: Task, time: (ms: number | null) => string | null) {
  return {
    taskId: task.id,
    callbackUrl: task.callbackUrl ?? "",
    completeTime: time(task.completedAt),
    status: task.status,
    createTime: time(task.createdAt),
    errorCode: task.errorCode,
    errorMessage: task.errorMessage,
  };
}
