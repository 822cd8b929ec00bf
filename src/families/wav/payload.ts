import { type Static, Type } from "@sinclair/typebox";
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
