import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { findFileByPath, isLive } from "../files/index.js";
import { answers, answerWanted, keyOf, sendOk } from "../http/index.js";
import { HooklineError } from "../lib/errors.js";
import { checkSourceShape, probeAudio } from "../media/index.js";
import type { Services } from "../services/index.js";
import { registerTrack } from "../tracks/index.js";
import { ingest, requireAudio } from "./ingest.js";
import { storeFromUrl } from "./sources.js";

/**
 * `POST /api/v1/hookline/tracks` (spec 12.1): registers an uploaded file (`filePath`) or a remote one
 * (`fileUrl`, fetched through the guarded client) as a source track. Non-audio answers 400 / 422.
 */
export function trackRegistrationRoute(fastify: FastifyInstance, services: Services) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store, clock } = services;

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
        tags: ["Music/Tracks"],
        response: answers(
          Type.Object({
            taskId: Type.String({ description: "the music task of the track" }),
            audioId: Type.String({ description: "the source track's id" }),
          }),
          "The track is registered",
          { errors: [404, 413, 451] },
        ),
      },
    },
    async (request, reply) => {
      const key = keyOf(request);
      const body = request.body;
      if (body.filePath) {
        const file = await findFileByPath(store.db, key.id, body.filePath);
        if (!file || !isLive(file, clock.now())) throw new HooklineError("not_found", "File not found");
        const { limits } = services.config;
        const copy = await services.blobs.local(file.storage_key, answerWanted(reply));
        const probe = await probeAudio(services.ffmpeg, copy.path, {
          timeoutMs: 30_000,
          maxDurationS: limits.maxSourceSeconds,
        }).finally(() => copy.release());
        requireAudio(probe);
        checkSourceShape(probe, limits);
        const naming = { title: body.title, fileNames: [file.file_name] };
        const ids = await store.transact((trx) => registerTrack(trx, file, probe, naming, clock.now()));
        return sendOk(reply, ids);
      }
      if (!body.fileUrl) throw new HooklineError("bad_request", "fileUrl or filePath is required");
      const stored = await storeFromUrl(services, body.fileUrl, answerWanted(reply));
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
