import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { answers, callbackFields, keyOf, simulateHeader } from "../../http/index.js";
import { HooklineError } from "../../lib/errors.js";
import type { Services } from "../../services/index.js";
import { setStatus, type Task } from "../../tasks/index.js";
import { submitTask, TaskCreated } from "../submit.js";
import { isOwnFileUrl } from "./fetch.js";
import { type GenerationInput, VOICE_STATUS } from "./payload.js";

const SKILL_LEVELS = ["beginner", "intermediate", "advanced", "professional"] as const;

/** A URL field of a voice request. */
export const url = (description: string) => Type.String({ maxLength: 4096, description });

const generateBody = Type.Object({
  taskId: Type.Optional(Type.String({ maxLength: 128, description: "the validation task (required)" })),
  task_id: Type.Optional(Type.String({ maxLength: 128 })),
  verifyUrl: url("the person's recording of the phrase"),
  voiceName: Type.Optional(Type.String({ maxLength: 200 })),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  style: Type.Optional(Type.String({ maxLength: 500 })),
  singerSkillLevel: Type.Optional(Type.Union(SKILL_LEVELS.map((l) => Type.Literal(l)))),
  ...callbackFields,
});

/** Checks a URL at submission: our own download links are read locally, others must pass the outbound guard. */
export async function vetUrl(services: Services, value: string, field: string) {
  if (!/^https?:\/\//i.test(value)) throw new HooklineError("bad_request", `${field} must be an http(s) URL`);
  if (!isOwnFileUrl(services, value)) await services.outbound.vet(value);
}

/**
 * `POST /api/v1/voice/generate` (spec 6.5): a new task B that verifies the recording against validation task A.
 * A is claimed for B in the same transaction (it shows `processing_validate` meanwhile), so one generate runs
 * at a time per validation.
 */
export function generateRoute(
  fastify: FastifyInstance,
  services: Services,
  validationTask: (ownerId: string, body: Readonly<Record<string, unknown>>) => Promise<Task>,
) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { clock } = services;
  app.post(
    "/api/v1/voice/generate",
    {
      schema: {
        summary: "Verify the recording of the phrase and create the voice",
        description:
          "Queues generate task B; the voice arrives by the `voiceGenerateCallback` callback, or by record-info.",
        tags: ["Voice"],
        headers: simulateHeader,
        body: generateBody,
        response: answers(TaskCreated, "The task is queued", { errors: [402, 404, 455] }),
      },
    },
    async (request, reply) => {
      const body = request.body;
      const validation = await validationTask(keyOf(request).id, body);
      return submitTask(services, request, reply, {
        family: "voice",
        body,
        vet: () => vetUrl(services, body.verifyUrl, "verifyUrl"),
        ownTransaction: true,
        prepare: async (trx) => {
          // Claim the validation task for this generate (it shows processing_validate meanwhile): one at a time.
          const now = clock.now();
          const change = { from: VOICE_STATUS.waiting, to: VOICE_STATUS.processing };
          if (!(await setStatus(trx, validation.id, change, now))) {
            throw new HooklineError(
              "wrong_state",
              `The validation task is ${validation.status}; generate needs it ${VOICE_STATUS.waiting}`,
            );
          }
          const input: GenerationInput = {
            kind: "generation",
            validationTaskId: validation.id,
            verifyUrl: body.verifyUrl,
            phrase: typeof validation.result?.phrase === "string" ? validation.result.phrase : "",
            voiceName: body.voiceName ?? null,
            description: body.description ?? null,
            style: body.style ?? null,
            singerSkillLevel: body.singerSkillLevel ?? "beginner",
          };
          return {
            status: VOICE_STATUS.queued,
            action: "generate",
            input,
            parentId: validation.id,
            price: services.config.prices.voice,
          };
        },
      });
    },
  );
}
