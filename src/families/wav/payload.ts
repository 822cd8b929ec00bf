import { type Static, Type } from "@sinclair/typebox";
import { callbackBody, callbackWebhook } from "../../http/index.js";
import type { ErrorCode, HooklineError } from "../../lib/errors.js";
import { callbackFailureCodes, failureCode } from "../failure-code.js";

/** WAV task statuses (spec 4.2). */
export const WAV_STATUS = {
  pending: "PENDING",
  success: "SUCCESS",
  failed: "GENERATE_WAV_FAILED",
  callbackException: "CALLBACK_EXCEPTION",
} as const;

/**
 * What a WAV task's input holds: the track to convert and its music task, as every version has written them
 * (the credits a paid submission was charged may sit beside them). Checked when a task is read (readStored).
 */
export const WavInput = Type.Object({ audioId: Type.String(), musicTaskId: Type.String() });
export type WavInput = Static<typeof WavInput>;

/** What a converted WAV task's result holds: the WAV's file, and the shape ffmpeg gave it. */
export const WavResult = Type.Object({
  fileId: Type.String(),
  durationS: Type.Number(),
  sampleRate: Type.Number(),
  channels: Type.Number(),
  bitDepth: Type.Number(),
});
export type WavResult = Static<typeof WavResult>;

/**
 * The WAV callback body (spec 4.3, 9, 11 #1 and #15): both URL spellings, the task id at the top and under both
 * spellings in `data`.
 */
export function wavCallbackBody(taskId: string, code: number, msg: string, url: string | null) {
  return {
    code,
    msg,
    taskId,
    data: { task_id: taskId, taskId, audioWavUrl: url, audio_wav_url: url },
  };
}

const WAV_CODES = {
  unsupported_media: 400,
  payload_too_large: 400,
  bad_request: 400,
  source_unavailable: 451,
  conversion_failed: 501,
} satisfies Partial<Record<ErrorCode, number>>;

/** The callback code of a failed conversion (spec 11 #2 and 13). */
export function wavFailureCode(error: HooklineError): number {
  return failureCode(error, WAV_CODES, 500);
}

/** Every code a failed WAV callback carries (spec 11 #2): 400, 451, 500, 501. */
export const WAV_FAILURE_CODES = callbackFailureCodes(WAV_CODES, 500);

const wavData = (url: "string" | "null") => {
  const value =
    url === "string" ? Type.String({ description: "signed download URL of the WAV" }) : Type.Null();
  return Type.Object({
    task_id: Type.String({ description: "the resellers' spelling (spec 4.3)" }),
    taskId: Type.String({ description: "the spelling of every other callback" }),
    audioWavUrl: value,
    audio_wav_url: Type.Union([value], {
      description: "the same value (the resellers' docs use both spellings)",
    }),
  });
};

/** The WAV callback in the reference (spec 4.3, 11 #1 #2 #15). */
export const wavWebhook = callbackWebhook(
  "WAV",
  "WAV conversion finished (or failed)",
  "Sent once the conversion ends. The resellers' docs disagree on the spellings: Hookline sends both `audioWavUrl` and `audio_wav_url` (null on failure), and the task id as `taskId` at the top and as `data.task_id` and `data.taskId`. Failure codes are the union of the docs' versions: 400 bad input or format, 451 source download failed, 500 internal, 501 conversion failed.",
  callbackBody({ data: wavData("string") }, { data: wavData("null") }, WAV_FAILURE_CODES),
);
