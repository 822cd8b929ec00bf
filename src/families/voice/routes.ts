import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import {
  answers,
  callbackFields,
  callbackUrlOf,
  keyOf,
  required,
  sendOk,
  simulateHeader,
  taskIdOf,
} from "../../http/index.js";
import { HooklineError } from "../../lib/errors.js";
import type { Services } from "../../services/index.js";
import { getOwnedTask, queueAction } from "../../tasks/index.js";
import { recordRoute } from "../record-route.js";
import { submitTask, TaskCreated } from "../submit.js";
import { generateRoute, url, vetUrl } from "./generate-route.js";
import { PhraseLanguageSchema, type ValidationInput, VOICE_STATUS } from "./payload.js";
import { voiceTaskRecord } from "./record.js";
import { SEGMENT } from "./recording.js";
import { checkVoiceRoute, voicesRoutes } from "./voices-routes.js";

const validateBody = Type.Object({
  voiceUrl: url("publicly fetchable source recording, or a download link of this server"),
  vocalStartS: Type.Number({ description: "start of the vocal segment, seconds" }),
  vocalEndS: Type.Number({
    description: `end of the vocal segment, seconds (segment ${SEGMENT.minS}–${SEGMENT.maxS} s)`,
  }),
  language: Type.Optional(
    Type.Union(PhraseLanguageSchema.anyOf, { description: "phrase language, default en" }),
  ),
  ...callbackFields,
});
const regenerateBody = Type.Object({
  taskId: Type.Optional(Type.String({ maxLength: 128, description: "the validation task" })),
  task_id: Type.Optional(Type.String({ maxLength: 128 })),
  ...callbackFields,
});

const tags = ["Voice"];
const STATUS_HELP = Object.values(VOICE_STATUS).join(" | ");

/** A voice task's record (spec 6.3, 6.6): `extra` is the phrase (validate-info) or the voice id (record-info). */
const voiceRecordSchema = (extra: Record<string, ReturnType<typeof Type.String>>) =>
  Type.Object({
    taskId: Type.String(),
    ...extra,
    status: Type.String({ description: STATUS_HELP }),
    errorCode: Type.Integer({ description: "0 unless failed (spec 11 #11)" }),
    errorMessage: Type.String(),
  });

/** The range checks that need no audio (spec 13): answered at once, no task made. */
function checkSegment(start: number, end: number) {
  if (!Number.isFinite(start) || start < 0)
    throw new HooklineError("bad_request", "vocalStartS must be >= 0");
  if (!Number.isFinite(end) || end <= start)
    throw new HooklineError("bad_request", "vocalEndS must be greater than vocalStartS");
  const length = end - start;
  if (length > SEGMENT.maxS)
    throw new HooklineError(
      "bad_request",
      `The segment is ${Number(length.toFixed(2))} s long; at most ${SEGMENT.maxS} s are allowed`,
    );
  if (length < SEGMENT.minS)
    throw new HooklineError(
      "bad_request",
      `The segment is ${Number(length.toFixed(2))} s long; at least ${SEGMENT.minS} s are needed`,
    );
}

/** The custom-voice endpoints (spec 6) and the additive voice list (spec 13). */
export function voiceRoutes(fastify: FastifyInstance, services: Services) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store, clock } = services;
  /** The caller's validation task that a request body names (`taskId` or `task_id`). */
  const validationTask = async (ownerId: string, body: Readonly<Record<string, unknown>>) => {
    const task = await getOwnedTask(store.db, ownerId, required(taskIdOf(body), "taskId"), "voice");
    if (task.input.kind !== "validation")
      throw new HooklineError(
        "bad_request",
        "taskId must be a validation task (from /api/v1/voice/validate)",
      );
    return task;
  };

  app.post(
    "/api/v1/voice/validate",
    {
      schema: {
        summary: "Validate a source recording and get a phrase",
        description:
          "Queues validation task A; the phrase arrives by the `voiceValidateCallback` callback, or by validate-info.",
        tags,
        headers: simulateHeader,
        body: validateBody,
        response: answers(TaskCreated, "The task is queued", { errors: [402, 455] }),
      },
    },
    async (request, reply) => {
      const body = request.body;
      checkSegment(body.vocalStartS, body.vocalEndS);
      const input: ValidationInput = {
        kind: "validation",
        voiceUrl: body.voiceUrl,
        vocalStartS: body.vocalStartS,
        vocalEndS: body.vocalEndS,
        language: body.language ?? "en",
      };
      return submitTask(services, request, reply, {
        family: "voice",
        body,
        vet: () => vetUrl(services, body.voiceUrl, "voiceUrl"),
        prepare: () => ({ status: VOICE_STATUS.queued, action: "validate", input }),
      });
    },
  );

  // Either task of the flow answers both; each record leaves out the other's field.
  for (const [path, summary, hidden, data] of [
    [
      "/api/v1/voice/validate-info",
      "Validation task: status and phrase",
      "voiceId",
      voiceRecordSchema({ validateInfo: Type.String({ description: 'the phrase; "" until it is ready' }) }),
    ],
    [
      "/api/v1/voice/record-info",
      "Generate task: status and voiceId",
      "validateInfo",
      voiceRecordSchema({ voiceId: Type.String({ description: 'voice_…; "" until made, or on failure' }) }),
    ],
  ] as const) {
    recordRoute(fastify, services, {
      ...{ path, summary, family: "voice", tag: "Voice", data },
      view: (task) => {
        const { [hidden]: _hidden, ...shown } = voiceTaskRecord(task);
        return shown;
      },
    });
  }

  app.post(
    "/api/v1/voice/regenerate",
    {
      schema: {
        summary: "A new phrase for a validation task",
        description: "The new phrase arrives by the `voiceValidateCallback` callback, or by validate-info.",
        tags,
        body: regenerateBody,
        response: answers(TaskCreated, "A new phrase is on its way", { errors: [404] }),
      },
    },
    async (request, reply) => {
      const task = await validationTask(keyOf(request).id, request.body);
      const callbackUrl = callbackUrlOf(request.body);
      if (callbackUrl) await services.outbound.vet(callbackUrl);
      const queued = await store.transact(async (trx) => {
        const row = await trx
          .selectFrom("tasks")
          .select(["status", "action"])
          .where("id", "=", task.id)
          .executeTakeFirst();
        if (row?.status !== VOICE_STATUS.waiting || row.action !== null) return false;
        return queueAction(trx, task, "regenerate", VOICE_STATUS.processing, clock.now(), callbackUrl);
      });
      if (!queued)
        throw new HooklineError(
          "wrong_state",
          `The task is ${task.status}; a new phrase can be asked for only while it is ${VOICE_STATUS.waiting}`,
        );
      services.tasks.poke();
      return sendOk(reply, { taskId: task.id });
    },
  );

  generateRoute(app, services, validationTask);
  checkVoiceRoute(app, services);
  voicesRoutes(app, services);
}
