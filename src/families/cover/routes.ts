import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { liveFileUrl } from "../../files/index.js";
import { callbackFields, required, taskIdFields, taskIdOf } from "../../http/index.js";
import { isoTime } from "../../lib/time.js";
import type { Services } from "../../services/index.js";
import type { Tx } from "../../store/index.js";
import { getOwnedTask, leaseHeld, type Task } from "../../tasks/index.js";
import { recordRoute, taskRecordFields } from "../record-route.js";
import { readStored } from "../stored.js";
import { submitTask } from "../submit.js";
import { COVER_STATUS, SUCCESS_FLAG } from "./payload.js";
import { CoverResult } from "./processor.js";

const generateBody = Type.Object({ ...taskIdFields, ...callbackFields });

/** The cover endpoints (spec 5.1, 5.2, 11 #7 #8 #21, 13). */
export function coverRoutes(fastify: FastifyInstance, services: Services) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store, clock } = services;

  /**
   * Signed URLs of a task's images while they are kept; null when there are none (not done, failed, expired or
   * deleted). `within`: the caller's transaction, if it is in one (on SQLite it holds the only connection, so a
   * read on the pool would wait for it forever); null outside any.
   */
  async function imageUrls(task: Task, within: Tx | null): Promise<string[] | null> {
    if (task.result === null) return null;
    const { fileIds } = readStored(CoverResult, task.result, "cover result");
    const urls: string[] = [];
    for (const id of fileIds) {
      const db = within ?? store.db;
      const url = await liveFileUrl(db, services.signer, id, clock.now());
      if (url === null) return null;
      urls.push(url);
    }
    return urls.length > 0 ? urls : null;
  }

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
    view: async (task) => {
      let successFlag: number = SUCCESS_FLAG.failed;
      if (task.status === COVER_STATUS.success) successFlag = SUCCESS_FLAG.success;
      if (task.status === COVER_STATUS.pending) {
        // Generating = a runner holds the task's lease right now.
        const held = await leaseHeld(store.db, task.id, clock.now());
        successFlag = held ? SUCCESS_FLAG.generating : SUCCESS_FLAG.pending;
      }
      const images = task.status === COVER_STATUS.success ? await imageUrls(task, null) : null;
      return {
        ...taskRecordFields(task, isoTime),
        parentTaskId: task.parentId,
        response: images ? { images } : null,
        successFlag,
      };
    },
  });
}
