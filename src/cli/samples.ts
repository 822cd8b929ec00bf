/**
 * Sample callbacks for `hookline trigger` and `hookline check-receiver`: each family's success and failure bodies,
 * made by the families' own payload builders for a plausible task (random ids in the wire formats), in Hookline's
 * spelling or in one reseller spelling only.
 */
import {
  COVER_FAILURE_CODES,
  coverCallbackBody,
  drawPhrase,
  generateCallbackBody,
  newVoiceId,
  VOICE_FAILURE_CODES,
  VOICE_STATUS,
  validateCallbackBody,
  WAV_FAILURE_CODES,
  wavCallbackBody,
} from "../families/index.js";
import { newTaskId } from "../lib/ids.js";

/** The family as the SDK's `parseCallback` names it. */
export type SampleFamily = "wav" | "cover" | "voice-validate" | "voice-generate";

/** One event `hookline trigger` can send. */
export interface SampleEvent {
  /** As the server names the callback's event, failures with their code: `wav.failed.451`. */
  readonly name: string;
  readonly family: SampleFamily;
  readonly outcome: "success" | "failure";
  /** The body's `code`. */
  readonly code: number;
  /** What the failure says (`msg`, and a voice's `errorMessage`); "success" on success. */
  readonly msg: string;
}

/**
 * `both`: Hookline's own bodies (every task id and WAV URL spelling, spec 11 #1 and #15); `camel` and `snake`: only
 * `taskId`/`audioWavUrl` or only `task_id`/`audio_wav_url`, as the resellers' pages spell them one way or the other.
 */
export const SPELLINGS = ["both", "camel", "snake"] as const;
export type Spelling = (typeof SPELLINGS)[number];

// What a failure with each code says: messages of the kind the processors write.
const MESSAGES: Readonly<Record<string, string>> = {
  "wav.400": "The source is not an audio file that can be converted",
  "wav.451": "The source track is missing or has expired",
  "wav.500": "Internal error",
  "wav.501": "Conversion failed: the source could not be decoded",
  "cover.400": "The track could not be decoded",
  "cover.408": "The image service did not answer in time",
  "cover.500": "Internal error",
  "cover.501": "Cover generation failed",
  "cover.531": "Cover generation failed (credits refunded)",
  "voice.400": "The recording could not be used: too little voiced audio in the segment",
  "voice.500": "Internal error while processing the voice task",
};

const failures = (prefix: string, family: SampleFamily, key: string, codes: readonly number[]) =>
  codes.map(
    (code): SampleEvent => ({
      name: `${prefix}.${code}`,
      family,
      outcome: "failure",
      code,
      msg: MESSAGES[`${key}.${code}`] ?? `Sample failure (code ${code})`,
    }),
  );

const success = (name: string, family: SampleFamily): SampleEvent => ({
  name,
  family,
  outcome: "success",
  code: 200,
  msg: "success",
});

/** Every event, in the order `hookline trigger --list` prints them. */
export const SAMPLE_EVENTS: readonly SampleEvent[] = [
  success("wav.completed", "wav"),
  ...failures("wav.failed", "wav", "wav", WAV_FAILURE_CODES),
  success("cover.completed", "cover"),
  ...failures("cover.failed", "cover", "cover", COVER_FAILURE_CODES),
  success("voice.validated", "voice-validate"),
  success("voice.regenerated", "voice-validate"),
  ...failures("voice.validate_failed", "voice-validate", "voice", VOICE_FAILURE_CODES),
  success("voice.completed", "voice-generate"),
  ...failures("voice.failed", "voice-generate", "voice", VOICE_FAILURE_CODES),
];

/** The event of that name, or undefined. */
export const sampleEvent = (name: string): SampleEvent | undefined =>
  SAMPLE_EVENTS.find((e) => e.name === name);

/** A sample callback: its task id (what the reseller signature signs) and its body. */
export interface Sample {
  readonly event: SampleEvent;
  readonly taskId: string;
  readonly body: Record<string, unknown>;
}

/**
 * A sample body for `event` about a fresh random task. Result URLs point at `filesBase` (the Hookline server the
 * CLI is configured for) under `/files/sample/…`: plausible, but no such file exists, so they do not download.
 *
 * @example
 * const { taskId, body } = sampleCallback(sampleEvent("wav.completed")!, "snake", "http://127.0.0.1:3000");
 */
export function sampleCallback(event: SampleEvent, spelling: Spelling, filesBase: string): Sample {
  const taskId = newTaskId();
  const files = `${filesBase.replace(/\/+$/, "")}/files/sample`;
  const failed = event.outcome === "failure" ? { code: event.code, message: event.msg } : null;
  let built: { code: number; msg: string; taskId: string; data: object };
  switch (event.family) {
    case "wav":
      built = wavCallbackBody(taskId, event.code, event.msg, failed ? null : `${files}/${taskId}.wav`);
      break;
    case "cover":
      built = coverCallbackBody(
        taskId,
        event.code,
        event.msg,
        failed ? null : [`${files}/${taskId}-1.png`, `${files}/${taskId}-2.png`],
      );
      break;
    case "voice-validate":
      built = failed
        ? validateCallbackBody(taskId, VOICE_STATUS.validateFailed, "", failed)
        : validateCallbackBody(taskId, VOICE_STATUS.waiting, drawPhrase("en"), null);
      break;
    case "voice-generate":
      built = failed
        ? generateCallbackBody(taskId, VOICE_STATUS.failed, "", failed)
        : generateCallbackBody(taskId, VOICE_STATUS.success, newVoiceId(), null);
      break;
  }
  return { event, taskId, body: respell(built, spelling) };
}

const CAMEL_ONLY = ["taskId", "audioWavUrl"];
const SNAKE_ONLY = ["task_id", "audio_wav_url"];

/** The body with one spelling of the task id and WAV URL left out (`both` keeps Hookline's body as it is). */
function respell(built: { data: object }, spelling: Spelling): Record<string, unknown> {
  const top: Record<string, unknown> = { ...built };
  const data: Record<string, unknown> = { ...built.data };
  const drop = spelling === "camel" ? SNAKE_ONLY : spelling === "snake" ? CAMEL_ONLY : [];
  for (const name of drop) {
    delete top[name];
    delete data[name];
  }
  return { ...top, data };
}
