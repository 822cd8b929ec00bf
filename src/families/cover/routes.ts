import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import {
  answers,
  callbackFields,
  Nullable,
  required,
  simulateHeader,
  taskIdFields,
  taskIdOf,
} from "../../http/index.js";
import type { Services } from "../../services/index.js";
import type { Tx } from "../../store/index.js";
import { getOwnedTask, type Task } from "../../tasks/index.js";
import { recordRoute, taskRecordSchema } from "../record-route.js";
import { submitTask, TaskCreated } from "../submit.js";
import { COVER_STATUS } from "./payload.js";
import { coverImageUrls, coverRecord } from "./record.js";

const generateBody = Type.Object({ ...taskIdFields, ...callbackFields });

/** The cover record (spec 5.2, 11 #7). */
const CoverRecord = Type.Object({
  ...taskRecordSchema("ISO 8601"),
  parentTaskId: Nullable(Type.String({ description: "the music task" })),
  response: Nullable(Type.Object({ images: Type.Array(Type.String(), { description: "signed PNG URLs" }) })),
  successFlag: Type.Integer({
    minimum: 0,
    maximum: 3,
    description: "0 pending, 1 success, 2 generating, 3 failed",
  }),
});

/** The cover endpoints (spec 5.1, 5.2, 11 #7 #8 #21, 13). */
export function coverRoutes(fastify: FastifyInstance, services: Services) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store } = services;

  const imageUrls = (task: Task, within: Tx | null) => coverImageUrls(services, task, within);

  app.post(
    "/api/v1/suno/cover/generate",
    {
      schema: {
        summary: "Generate two covers for a music task",
        description:
          "Queues the covers; the result arrives by the `coverCallback` callback, or by record-info. A second request for the same music task answers 400 with the existing `taskId` in `data` (spec 11 #8).",
        tags: ["Cover"],
        headers: simulateHeader,
        body: generateBody,
        response: answers(TaskCreated, "The task is queued", { errors: [402, 404, 413, 455] }),
      },
    },
    async (request, reply) => {
      const musicTaskId = required(taskIdOf(request.body), "taskId");
      return submitTask(services, request, reply, {
        family: "cover",
        body: request.body,
        // Only a music task of this key: another key's, a cover's or a WAV's id is "not found", like an unknown one.
        check: async (key) => {
          await getOwnedTask(store.db, key.id, musicTaskId, "music");
        },
        prepare: (trx) => ({
          status: COVER_STATUS.pending,
          action: "generate",
          input: { musicTaskId },
          parentId: musicTaskId,
          price: services.config.prices.cover,
          // Two PNGs at most as large as their raw pixels: what the task holds against the key's quota meanwhile.
          reservedBytes: 2 * services.config.cover.size ** 2 * 4,
          onlyOnce: {
            key: `cover:${musicTaskId}`,
            stands: async (prev) =>
              prev.status === COVER_STATUS.pending ||
              (prev.status === COVER_STATUS.success && (await imageUrls(prev, trx)) !== null),
            refusal: { code: "duplicate", message: "A cover task already exists for this music task" },
          },
        }),
      });
    },
  );

  recordRoute(fastify, services, {
    path: "/api/v1/suno/cover/record-info",
    summary: "Cover generation record",
    family: "cover",
    tag: "Cover",
    data: CoverRecord,
    view: (task) => coverRecord(services, task),
  });
}
