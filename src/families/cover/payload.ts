import { Type } from "@sinclair/typebox";
import { callbackBody, callbackWebhook } from "../../http/index.js";
import type { ErrorCode, HooklineError } from "../../lib/errors.js";
import { callbackFailureCodes, failureCode } from "../failure-code.js";

/**
 * Cover task states (spec 5.2, 11 #7, 13): `status` strings, and the `successFlag` integers reported with them
 * (0 pending, 1 success, 2 generating, 3 failed; "generating" is a pending task whose lease is held).
 */
export const COVER_STATUS = {
  pending: "PENDING",
  success: "SUCCESS",
  failed: "GENERATE_COVER_FAILED",
} as const;

export const SUCCESS_FLAG = { pending: 0, success: 1, generating: 2, failed: 3 } as const;

/**
 * The cover callback body (spec 5.3, 9, 11 #15): the task id at the top and under both spellings in `data`;
 * `images` null on failure.
 */
export function coverCallbackBody(
  taskId: string,
  code: number,
  msg: string,
  images: readonly string[] | null,
) {
  return { code, msg, taskId, data: { taskId, task_id: taskId, images } };
}

/**
 * The callback and record code of a failed cover (spec 5.3): 400 for input that cannot be used (the track does not
 * decode, or its file is gone), 408 when the image service did not answer in time, 501 when generation failed
 * (the image service refused or answered nonsense, or rendering failed), 531 when the job was refunded (credits),
 * 500 for anything unexpected.
 */
export function coverFailureCode(error: HooklineError, refunded: boolean): number {
  // A refund (531) is said before anything but a simulation: the credits came back, whatever failed.
  return failureCode(error, refunded ? {} : COVER_CODES, refunded ? 531 : 500);
}

const COVER_CODES = {
  unsupported_media: 400,
  source_unavailable: 400,
  bad_request: 400,
  payload_too_large: 400,
  timeout: 408,
  conversion_failed: 501,
} satisfies Partial<Record<ErrorCode, number>>;

/** Every code a failed cover callback carries (spec 5.3): 400, 408, 500, 501, 531. */
export const COVER_FAILURE_CODES = callbackFailureCodes(COVER_CODES, 500, 531);

const coverData = (images: "urls" | "null") =>
  Type.Object({
    taskId: Type.String(),
    task_id: Type.String({ description: "alias of taskId (spec 11 #15)" }),
    images:
      images === "urls"
        ? Type.Array(Type.String(), { description: "signed URLs of the two PNG covers", minItems: 1 })
        : Type.Null(),
  });

/** The cover callback in the reference (spec 5.3, 11 #15). */
export const coverWebhook = callbackWebhook(
  "Cover",
  "Cover images ready (or failed)",
  "Sent once the covers are made or the task failed: 400 unusable input, 408 the image service timed out, 500 internal, 501 generation failed, 531 failed and credits refunded. `data.images` is null on failure. The task id is at the top and as `data.taskId` and `data.task_id`.",
  callbackBody({ data: coverData("urls") }, { data: coverData("null") }, COVER_FAILURE_CODES),
);
