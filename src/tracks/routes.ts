import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { Services } from "../app/services.js";
import { findFileByPath, getFile, isLive } from "../files/index.js";
import { keyOf, queryTaskId, sendOk, taskIdQuery } from "../http/index.js";
import { HooklineError } from "../lib/errors.js";
import { probeAudio } from "../media/index.js";
import { getOwnedTask } from "../tasks/index.js";
import { ingest, storeFromUrl } from "../uploads/index.js";
import { musicRecord } from "./record.js";
import { registerTrack, titleFromFileName, tracksOfTask } from "./tracks.js";

/** `GET /api/v1/generate/record-info` for source tracks, and `POST /api/v1/hookline/tracks` (spec 12.1). */
export function trackRoutes(app: FastifyInstance, services: Services) {
  const { store, clock } = services;

  app.get(
    "/api/v1/generate/record-info",
    {
      schema: { summary: "Music task record (source tracks registered by upload)", querystring: taskIdQuery },
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

  app.post(
    "/api/v1/hookline/tracks",
    {
      schema: {
        summary: "Register an uploaded or remote audio file as a source track",
        body: Type.Object({
          fileUrl: Type.Optional(Type.String({ maxLength: 4096 })),
          filePath: Type.Optional(Type.String({ maxLength: 512 })),
          title: Type.Optional(Type.String({ maxLength: 300 })),
        }),
      },
    },
    async (request, reply) => {
      const key = keyOf(request);
      const body = request.body as { fileUrl?: string; filePath?: string; title?: string };
      if (body.filePath) {
        const file = await findFileByPath(store.db, key.id, body.filePath);
        if (!file || !isLive(file, clock.now())) throw new HooklineError("not_found", "File not found");
        const probe = await probeAudio(services.ffmpeg, services.blobs.pathOf(file.storage_key), {
          timeoutMs: 30_000,
        });
        if (probe.kind !== "audio") {
          throw new HooklineError(
            "bad_request",
            `The file is not audio that Hookline can decode: ${probe.reason}`,
          );
        }
        const title = body.title?.trim() || titleFromFileName(file.file_name);
        const ids = await store.transact((trx) => registerTrack(trx, file, probe, title, clock.now()));
        return sendOk(reply, ids);
      }
      if (!body.fileUrl) throw new HooklineError("bad_request", "fileUrl or filePath is required");
      const stored = await storeFromUrl(services, body.fileUrl);
      const data = await ingest(services, stored, {
        ownerId: key.id,
        uploadPath: "tracks",
        title: body.title ?? null,
        requireAudio: true,
      });
      return sendOk(reply, { taskId: data.taskId, audioId: data.audioId });
    },
  );
}
