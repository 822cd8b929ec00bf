import type { Services } from "../../services/index.js";
import { encodeFingerprint } from "../../speech/index.js";
import type { Outcome, RunHelpers, Task } from "../../tasks/index.js";
import { readStored } from "../stored.js";
import { fetchRecording } from "./fetch.js";
import { ValidationInput, ValidationResult, VOICE_STATUS, validateCallbackBody } from "./payload.js";
import { drawPhrase } from "./phrases/index.js";
import { inspectSource } from "./recording.js";

/** A waiting outcome with a fresh phrase and its callback (validate and regenerate). */
function phraseOutcome(task: Task, result: ValidationResult, event: string): Outcome {
  return {
    status: VOICE_STATUS.waiting,
    result: { ...result },
    done: false,
    callback: {
      event,
      body: validateCallbackBody(task.id, VOICE_STATUS.waiting, result.phrase, null),
      signTaskId: task.id,
    },
  };
}

/**
 * validate (spec 6.2): fetch the source, cut the segment, check it is usable, keep its speaker statistics and
 * fingerprint, and draw a phrase. Problems with the input throw; the processor turns them into `processing_validate_fail`.
 */
export async function runValidate(services: Services, task: Task, helpers: RunHelpers): Promise<Outcome> {
  const input = readStored(ValidationInput, task.input, "validation input");
  await helpers.progress(VOICE_STATUS.processing);
  const recording = await fetchRecording(services, input.voiceUrl, "voiceUrl", helpers.signal);
  try {
    const analysis = await inspectSource(
      services,
      recording.path,
      { startS: input.vocalStartS, endS: input.vocalEndS },
      helpers.signal,
    );
    const result: ValidationResult = {
      phrase: drawPhrase(input.language),
      language: input.language,
      stats: [...analysis.stats!],
      voicedS: Number(analysis.voicedS.toFixed(2)),
      fingerprint: encodeFingerprint(analysis.fingerprint),
    };
    return phraseOutcome(task, result, "voice.validated");
  } finally {
    await recording.release();
  }
}

/** regenerate (spec 6.4): a new phrase for the same task, never the one it replaces. */
export function runRegenerate(task: Task): Outcome {
  const previous = readStored(ValidationResult, task.result, "validation result");
  const phrase = drawPhrase(previous.language, previous.phrase);
  return phraseOutcome(task, { ...previous, phrase }, "voice.regenerated");
}
