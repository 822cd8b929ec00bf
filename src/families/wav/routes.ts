import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import {
  answers,
  audioIdOf,
  callbackFields,
  Nullable,
  required,
  simulateHeader,
  taskIdOf,
} from "../../http/index.js";
import { HooklineError } from "../../lib/errors.js";
import { checkSourceShape, formatBytes, predictWavBytes } from "../../media/index.js";
import type { Services } from "../../services/index.js";
import type { Tx } from "../../store/index.js";
import type { Task } from "../../tasks/index.js";
import { shapeOfTrack, type TrackShape } from "../../tracks/index.js";
import { recordRoute, taskRecordSchema } from "../record-route.js";
import { submitTask, TaskCreated } from "../submit.js";
import { WAV_STATUS, type WavInput } from "./payload.js";
import { wavRecord, wavResultUrl } from "./record.js";

const generateBody = Type.Object({
  taskId: Type.Optional(
    Type.String({ maxLength: 128, description: "music task id (optional when audioId is known)" }),
  ),
  task_id: Type.Optional(Type.String({ maxLength: 128 })),
  audioId: Type.Optional(Type.String({ maxLength: 128, description: "track id (required)" })),
  audio_id: Type.Optional(Type.String({ maxLength: 128 })),
  ...callbackFields,
});

/** The WAV record (spec 4.2, 11 #3 #4 #6). */
const WavRecord = Type.Object({
  ...taskRecordSchema("YYYY-MM-DD HH:mm:ss, UTC"),
  musicId: Type.String({ description: "the audioId converted" }),
  musicIndex: Type.Integer(),
  response: Nullable(
    Type.Object(
      { audio_wav_url: Type.String(), audioWavUrl: Type.String() },
      { description: "both spellings of the docs, the same signed URL" },
    ),
  ),
  successFlag: Type.String({ description: "the status again (the docs name it either way)" }),
});

/**
 * The only-once key of a track's WAV: led by the track's (time-ordered) music task id, so that the keys of
 * tracks registered close together sit side by side in the `(owner_id, standing_key)` index and a burst
 * of conversions of new tracks writes a few of its pages, not one random page each (migration 0005 rewrote the
 * earlier `wav:<audioId>` keys to this form).
 */
const wavDedupeKey = (trackTaskId: string, audioId: string): string => `wav:${trackTaskId}/${audioId}`;

/** The WAV endpoints (spec 4.1, 4.2). */
export function wavRoutes(fastify: FastifyInstance, services: Services) {
  // Typed by the schemas that validate them: `request.body` is what `generateBody` let through.
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const limits = services.config.limits;

  const resultUrl = (task: Task, within: Tx | null) => wavResultUrl(services, task, within);

  /**
   * Bounds the work before it starts: the source's shape, and the WAV it makes against the limit for one result
   * (the key's quota and the disk's floor are checked when the room is reserved; the runtime caps stop a source
   * that lied). Answers the predicted size of the WAV.
   */
  function checkWavSize(track: TrackShape): number {
    const shape = { durationS: track.duration_s, sampleRate: track.sample_rate, channels: track.channels };
    checkSourceShape(shape, limits);
    const predicted = predictWavBytes(shape, services.config.wavBitDepth);
    if (predicted > limits.maxOutputBytes) {
      throw new HooklineError(
        "payload_too_large",
        `The WAV would be ${formatBytes(predicted)}; the limit for one result is ${formatBytes(limits.maxOutputBytes)}`,
      );
    }
    return predicted;
  }

  app.post(
    "/api/v1/wav/generate",
    {
      schema: {
        summary: "Convert a track to WAV",
        description:
          "Queues the conversion; the result arrives by the `wavCallback` callback, or by record-info.",
        tags: ["WAV"],
        headers: simulateHeader,
        body: generateBody,
        response: answers(TaskCreated, "The task is queued", { errors: [402, 404, 409, 413, 455] }),
      },
    },
    async (request, reply) => {
      const audioId = required(audioIdOf(request.body), "audioId");
      const musicTaskId = taskIdOf(request.body);
      // Every read inside the shared transaction: on SQLite a read on its own takes and drops a read lock.
      return submitTask(services, request, reply, {
        family: "wav",
        body: request.body,
        prepare: async (trx, key) => {
          const track = await shapeOfTrack(trx, key.id, audioId);
          if (!track) throw new HooklineError("not_found", "audioId not found");
          const predicted = checkWavSize(track);
          if (musicTaskId && musicTaskId !== track.task_id) {
            throw new HooklineError("bad_request", "taskId does not match the task of audioId");
          }
          return {
            status: WAV_STATUS.pending,
            action: "convert",
            input: { audioId, musicTaskId: track.task_id } satisfies WavInput,
            parentId: track.task_id,
            price: services.config.prices.wav,
            reservedBytes: predicted,
            onlyOnce: {
              key: wavDedupeKey(track.task_id, audioId),
              stands: async (prev) =>
                prev.status === WAV_STATUS.pending ||
                (prev.status !== WAV_STATUS.failed && (await resultUrl(prev, trx)) !== null),
              refusal: { code: "conflict", message: "A WAV record already exists for this track" },
            },
          };
        },
      });
    },
  );

  recordRoute(fastify, services, {
    path: "/api/v1/wav/record-info",
    summary: "WAV conversion record",
    family: "wav",
    tag: "WAV",
    data: WavRecord,
    view: (task) => wavRecord(services, task),
  });
}
