import { type Static, type TSchema, Type } from "@sinclair/typebox";
import { callbackBody, callbackWebhook } from "../../http/index.js";
import type { ErrorCode, HooklineError } from "../../lib/errors.js";
import { callbackFailureCodes, failureCode } from "../failure-code.js";
import { PHRASE_LANGUAGES } from "./phrases/index.js";

/** One of the phrase languages (spec 6.2), as submissions are checked against them. */
export const PhraseLanguageSchema = Type.Union(PHRASE_LANGUAGES.map((l) => Type.Literal(l)));

/** The six voice statuses (spec 6.8, 11 #12). */
export const VOICE_STATUS = {
  queued: "wait_processing",
  processing: "processing_validate",
  validateFailed: "processing_validate_fail",
  waiting: "wait_validating",
  success: "success",
  failed: "fail",
} as const;

/** Input of a validation task (A). */
export const ValidationInput = Type.Object({
  kind: Type.Literal("validation"),
  voiceUrl: Type.String(),
  vocalStartS: Type.Number(),
  vocalEndS: Type.Number(),
  language: PhraseLanguageSchema,
});
export type ValidationInput = Static<typeof ValidationInput>;

/** Input of a generate task (B). */
export const GenerationInput = Type.Object({
  kind: Type.Literal("generation"),
  validationTaskId: Type.String(),
  verifyUrl: Type.String(),
  /** The phrase the person was asked to sing, as it was when generate was called. */
  phrase: Type.String(),
  voiceName: Type.Union([Type.String(), Type.Null()]),
  description: Type.Union([Type.String(), Type.Null()]),
  style: Type.Union([Type.String(), Type.Null()]),
  singerSkillLevel: Type.String(),
});
export type GenerationInput = Static<typeof GenerationInput>;

/** Result of a validation task: the phrase, and the source's speaker statistics kept for generate. */
export const ValidationResult = Type.Object({
  phrase: Type.String(),
  language: PhraseLanguageSchema,
  stats: Type.Array(Type.Number()),
  voicedS: Type.Number(),
  /** The source segment's fingerprint (src/speech/fingerprint.ts), to refuse a replay; absent in older tasks. */
  fingerprint: Type.Optional(Type.String()),
  /** Set once a generate task has made a voice from this validation (it is then used up). */
  voiceId: Type.Optional(Type.String()),
});
export type ValidationResult = Static<typeof ValidationResult>;

/** A voice callback (spec 6.9): the task id at the top and under both spellings in `data` (spec 11 #15). */
function voiceCallbackBody(
  taskId: string,
  status: string,
  extra: { validateInfo: string } | { voiceId: string },
  error: { code: number; message: string } | null,
) {
  return {
    code: error ? error.code : 200,
    msg: error ? error.message : "success",
    taskId,
    data: {
      taskId,
      task_id: taskId,
      ...extra,
      status,
      // 0 on success (spec 11 #11).
      errorCode: error ? error.code : 0,
      errorMessage: error ? error.message : "",
    },
  };
}

/** The validate / regenerate callback (spec 6.9): the phrase in `validateInfo`. */
export function validateCallbackBody(
  taskId: string,
  status: string,
  phrase: string,
  error: { code: number; message: string } | null,
) {
  return voiceCallbackBody(taskId, status, { validateInfo: phrase }, error);
}

/** The generate callback (spec 6.9): `voiceId` "" on failure. */
export function generateCallbackBody(
  taskId: string,
  status: string,
  voiceId: string,
  error: { code: number; message: string } | null,
) {
  return voiceCallbackBody(taskId, status, { voiceId }, error);
}

/** Spec 11 #11: 400 for anything about the input (unfetchable, not audio, unusable, not the same voice), else 500. */
export function voiceFailureCode(error: HooklineError): number {
  return failureCode(error, VOICE_CODES, 400);
}

const VOICE_CODES = { internal: 500, conversion_failed: 500, unavailable: 500 } satisfies Partial<
  Record<ErrorCode, number>
>;

/** Every code a failed voice callback (validate or generate) carries (spec 11 #11): 400, 500. */
export const VOICE_FAILURE_CODES = callbackFailureCodes(VOICE_CODES, 400);

/** A voice callback's `data` (spec 6.9): `extra` is the phrase (validate) or the voice id (generate). */
const voiceData = (statuses: readonly string[], extra: Record<string, TSchema>, failed: boolean) =>
  Type.Object({
    taskId: Type.String(),
    task_id: Type.String({ description: "alias of taskId (spec 11 #15)" }),
    ...extra,
    status: Type.Union(statuses.map((s) => Type.Literal(s))),
    errorCode: failed
      ? Type.Integer({ minimum: 400, description: "400 input-related, 500 internal (spec 11 #11)" })
      : Type.Literal(0, { description: "0 on success (kie's docs show null; Hookline sends 0)" }),
    errorMessage: Type.String({ description: failed ? "why it failed" : '"" on success' }),
  });

const DISAGREE =
  "The resellers' docs disagree: the failure code (400 in sunoapi's examples, 500 in kie's; Hookline: 400 for anything about the input, 500 internal) and `errorCode` on success (0 or null; Hookline: 0). The task id is at the top and as `data.taskId` and `data.task_id`.";

/** The validate / regenerate callback in the reference (spec 6.9). */
export const validateWebhook = callbackWebhook(
  "Voice",
  "Voice validation: phrase ready (or failed)",
  `Sent by a validate or regenerate task when its phrase is ready (\`wait_validating\`, phrase in \`validateInfo\`) or when validation failed (\`processing_validate_fail\`). ${DISAGREE}`,
  callbackBody(
    {
      data: voiceData(
        [VOICE_STATUS.waiting],
        { validateInfo: Type.String({ description: "the phrase to sing" }) },
        false,
      ),
    },
    { data: voiceData([VOICE_STATUS.validateFailed], { validateInfo: Type.String() }, true) },
    VOICE_FAILURE_CODES,
  ),
);

/** The generate callback in the reference (spec 6.9). */
export const generateWebhook = callbackWebhook(
  "Voice",
  "Voice generation: voice created (or failed)",
  `Sent by a generate task when the voice exists (\`success\`, \`voiceId\` usable) or generation failed (\`fail\`, \`voiceId\` ""). ${DISAGREE}`,
  callbackBody(
    {
      data: voiceData(
        [VOICE_STATUS.success],
        { voiceId: Type.String({ description: "voice_ + 32 hex", pattern: "^voice_[0-9a-f]{32}$" }) },
        false,
      ),
    },
    { data: voiceData([VOICE_STATUS.failed], { voiceId: Type.Literal("") }, true) },
    VOICE_FAILURE_CODES,
  ),
);
