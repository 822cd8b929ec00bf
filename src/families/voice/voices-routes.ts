import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { answers, keyOf, sendOk, taskIdOf } from "../../http/index.js";
import { HooklineError } from "../../lib/errors.js";
import { isoTime } from "../../lib/time.js";
import type { Services } from "../../services/index.js";
import { getOwnedTask } from "../../tasks/index.js";
import { deleteVoice, getVoice, listVoices, voiceOfTask, voiceView } from "./voices.js";

const VOICE_ID = /^voice_[0-9a-f]{32}$/;
const tags = ["Voices (Hookline)"];

/** A voice as the list and the single view show it (voiceView). */
const VoiceView = Type.Object({
  voiceId: Type.String(),
  voiceName: Type.String(),
  description: Type.String(),
  style: Type.String(),
  singerSkillLevel: Type.String(),
  validationTaskId: Type.String(),
  taskId: Type.String({ description: "the generate task that made it" }),
  createTime: Type.Union([Type.String(), Type.Null()]),
});

/**
 * `POST /api/v1/voice/check-voice` (spec 6.7, 11 #14): `task_id` or `taskId` (either task of the flow), or
 * `voiceId`. True only for a voice that exists, belongs to the caller and was not deleted; another key's ids
 * answer 404 exactly like unknown ones (spec 13).
 */
export function checkVoiceRoute(fastify: FastifyInstance, services: Services) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store } = services;
  app.post(
    "/api/v1/voice/check-voice",
    {
      schema: {
        summary: "Is the voice of this task available?",
        body: Type.Object({
          task_id: Type.Optional(Type.String({ maxLength: 128, description: "validation or generate task" })),
          taskId: Type.Optional(Type.String({ maxLength: 128, description: "alias of task_id" })),
          voiceId: Type.Optional(
            Type.String({ maxLength: 64, description: "or the voice itself (Hookline)" }),
          ),
        }),
        tags: ["Voice"],
        response: answers(Type.Object({ isAvailable: Type.Boolean() }), "Whether the voice exists", {
          errors: [404],
        }),
      },
    },
    async (request, reply) => {
      const key = keyOf(request);
      const body = request.body;
      const taskId = taskIdOf(body);
      if (taskId) {
        const task = await getOwnedTask(store.db, key.id, taskId, "voice");
        return sendOk(reply, { isAvailable: (await voiceOfTask(store.db, key.id, task.id)) !== undefined });
      }
      const voiceId = typeof body.voiceId === "string" ? body.voiceId.trim() : "";
      if (!voiceId) throw new HooklineError("bad_request", "task_id is required");
      const known = await store.db
        .selectFrom("voices")
        .select(["id"])
        .where("id", "=", voiceId)
        .where("owner_id", "=", key.id)
        .executeTakeFirst();
      if (!known) throw new HooklineError("not_found", "Voice not found");
      return sendOk(reply, { isAvailable: (await getVoice(store.db, key.id, voiceId)) !== undefined });
    },
  );
}

/** `GET|DELETE /api/v1/hookline/voices[/{voiceId}]` (spec 13): the caller's voices. */
export function voicesRoutes(fastify: FastifyInstance, services: Services) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store, clock } = services;
  const iso = (ms: number) => isoTime(ms);

  app.get(
    "/api/v1/hookline/voices",
    {
      schema: {
        summary: "The key's voices, newest first",
        querystring: Type.Object({
          limit: Type.Optional(Type.String({ pattern: "^[0-9]{1,4}$" })),
          cursor: Type.Optional(Type.String({ pattern: "^[0-9]{1,16}$" })),
        }),
        tags,
        response: answers(
          Type.Object({
            voices: Type.Array(VoiceView),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          "A page of voices",
        ),
      },
    },
    async (request, reply) => {
      const key = keyOf(request);
      const q = request.query;
      const limit = Math.min(Math.max(Number(q.limit ?? 50), 1), 500);
      const rows = await listVoices(store.db, key.id, limit + 1, q.cursor ? Number(q.cursor) : undefined);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return sendOk(reply, {
        voices: page.map((v) => voiceView(v, iso)),
        nextCursor: rows.length > limit && last ? String(last.created_at) : null,
      });
    },
  );

  app.get(
    "/api/v1/hookline/voices/:voiceId",
    {
      schema: {
        summary: "One voice of the key",
        tags,
        params: Type.Object({ voiceId: Type.String() }),
        response: answers(VoiceView, "The voice", { errors: [404] }),
      },
    },
    async (request, reply) => {
      const key = keyOf(request);
      const { voiceId } = request.params;
      const voice = VOICE_ID.test(voiceId) ? await getVoice(store.db, key.id, voiceId) : undefined;
      if (!voice) throw new HooklineError("not_found", "Voice not found");
      return sendOk(reply, voiceView(voice, iso));
    },
  );

  app.delete(
    "/api/v1/hookline/voices/:voiceId",
    {
      schema: {
        summary: "Delete a voice (its embedding is erased)",
        tags,
        params: Type.Object({ voiceId: Type.String() }),
        response: answers(
          Type.Object({ voiceId: Type.String(), deleted: Type.Literal(true) }),
          "The voice is deleted",
          { errors: [404] },
        ),
      },
    },
    async (request, reply) => {
      const key = keyOf(request);
      const { voiceId } = request.params;
      const deleted = VOICE_ID.test(voiceId) && (await deleteVoice(store.db, key.id, voiceId, clock.now()));
      if (!deleted) throw new HooklineError("not_found", "Voice not found");
      return sendOk(reply, { voiceId, deleted: true });
    },
  );
}
