import type { FastifyInstance } from "fastify";
import { getFile } from "../files/index.js";
import { answers, keyOf, queryTaskId, sendOk, taskIdQuery } from "../http/index.js";
import type { Services } from "../services/index.js";
import { getOwnedTask } from "../tasks/index.js";
import { MusicRecord, musicRecord } from "./record.js";
import { tracksOfTask } from "./tracks.js";

/** `GET /api/v1/generate/record-info` for source tracks (spec 12.1). */
export function trackRoutes(app: FastifyInstance, services: Services) {
  const { store, clock } = services;

  app.get(
    "/api/v1/generate/record-info",
    {
      schema: {
        summary: "Music task record (source tracks registered by upload)",
        tags: ["Music/Tracks"],
        querystring: taskIdQuery,
        response: answers(MusicRecord, "The music task's record", { errors: [404] }),
      },
    },
    async (request, reply) => {
      const key = keyOf(request);
      const task = await getOwnedTask(store.db, key.id, queryTaskId(request.query), "music");
      const tracks = await tracksOfTask(store.db, task.id);
      const withFiles = await Promise.all(
        tracks.map(async (track) => ({ track, file: await getFile(store.db, track.file_id) })),
      );
      return sendOk(reply, musicRecord(task, withFiles, services.signer, clock.now()));
    },
  );
}
