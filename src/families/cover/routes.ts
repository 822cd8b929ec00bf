import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { callbackFields, required, taskIdFields, taskIdOf } from "../../http/index.js";
import type { Services } from "../../services/index.js";
import type { Tx } from "../../store/index.js";
import { getOwnedTask, type Task } from "../../tasks/index.js";
import { recordRoute } from "../record-route.js";
import { submitTask } from "../submit.js";
import { COVER_STATUS } from "./payload.js";
import { coverImageUrls, coverRecord } from "./record.js";

const generateBody = Type.Object({ ...taskIdFields, ...callbackFields });

/** The cover endpoints (spec 5.1, 5.2, 11 #7 #8 #21, 13). */
export function coverRoutes(fastify: FastifyInstance, services: Services) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store } = services;

  const imageUrls = (task: Task, within: Tx | null) => coverImageUrls(services, task, within);

  app.post(
    "/api/v1/suno/cover/generate",
    { schema: { summary: "Generate two covers for a music task", body: generateBody } },
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
    view: (task) => coverRecord(services, task),
  });
}
