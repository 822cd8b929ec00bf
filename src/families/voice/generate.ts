import { HooklineError } from "../../lib/errors.js";
import type { Services } from "../../services/index.js";
import { compareSpeakers, SPEAKER_MODEL } from "../../speech/index.js";
import type { Tx } from "../../store/index.js";
import { type Outcome, type RunHelpers, setStatus, settleTask, type Task } from "../../tasks/index.js";
import { readStored } from "../stored.js";
import { fetchRecording } from "./fetch.js";
import {
  GenerationInput,
  generateCallbackBody,
  ValidationInput,
  ValidationResult,
  VOICE_STATUS,
} from "./payload.js";
import { inspectVerification } from "./recording.js";
import { refuseCopy, refuseSameLink } from "./replay.js";
import { insertVoice, newVoiceId } from "./voices.js";

/**
 * Gives the validation task back when its generate task failed: spec 13, "after `fail`, generate may be
 * called again with the same validation task".
 */
export async function releaseValidation(trx: Tx, validationTaskId: string, now: number) {
  await setStatus(trx, validationTaskId, { from: VOICE_STATUS.processing, to: VOICE_STATUS.waiting }, now);
}

/**
 * generate (spec 6.5): fetch the verification recording, check it is usable and not a replay of the source,
 * compare its speaker with the validation's source segment; the same voice makes a voice profile and uses the
 * validation task up.
 */
export async function runGenerate(services: Services, task: Task, helpers: RunHelpers): Promise<Outcome> {
  const input = readStored(GenerationInput, task.input, "generation input");
  await helpers.progress(VOICE_STATUS.processing);
  const validation = await services.store.db
    .selectFrom("tasks")
    .select(["input", "result"])
    .where("id", "=", input.validationTaskId)
    .where("owner_id", "=", task.ownerId)
    .executeTakeFirst();
  const source = validation?.result
    ? readStored(ValidationResult, JSON.parse(validation.result), "validation result")
    : null;
  if (!validation || !source?.stats) {
    throw new HooklineError("bad_request", "The validation task is gone; validate again.");
  }
  const sourceInput = readStored(ValidationInput, JSON.parse(validation.input), "validation input");
  refuseSameLink(services, sourceInput.voiceUrl, input.verifyUrl);
  const recording = await fetchRecording(services, input.verifyUrl, "verifyUrl", helpers.signal);
  let match: ReturnType<typeof compareSpeakers>;
  try {
    const analysis = await inspectVerification(services, recording.path, helpers.signal);
    refuseCopy(source.fingerprint, analysis);
    const threshold = services.config.voice.sameVoiceThreshold ?? SPEAKER_MODEL.threshold;
    match = compareSpeakers(source.stats, analysis.stats!, { ...SPEAKER_MODEL, threshold });
  } finally {
    await recording.release();
  }
  const score = Number(match.score.toFixed(3));
  if (!match.same) {
    throw new HooklineError(
      "bad_request",
      `The verification recording is not the same voice as the source segment (similarity ${score}, ` +
        `${match.threshold} needed). Record the phrase yourself, in the same voice as the source.`,
      { data: { score } },
    );
  }
  const voiceId = newVoiceId();
  return {
    status: VOICE_STATUS.success,
    result: { voiceId, score },
    done: true,
    commit: async (trx) => {
      const now = services.clock.now();
      await insertVoice(
        trx,
        {
          id: voiceId,
          ownerId: task.ownerId,
          name: input.voiceName,
          description: input.description,
          style: input.style,
          skillLevel: input.singerSkillLevel,
          sourceTaskId: input.validationTaskId,
          generateTaskId: task.id,
          embedding: [...match.embedding],
        },
        now,
      );
      // The validation task is used up: it shows success, and no second voice can be made from it (nor is its
      // fingerprint needed any more).
      const { fingerprint: _, ...kept } = source;
      await settleTask(trx, input.validationTaskId, VOICE_STATUS.success, { ...kept, voiceId }, now);
    },
    callback: {
      event: "voice.completed",
      body: generateCallbackBody(task.id, VOICE_STATUS.success, voiceId, null),
      signTaskId: task.id,
    },
  };
}
