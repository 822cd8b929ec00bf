/**
 * The job families' endpoints: WAV (spec 4), cover (spec 5) and custom voice (spec 6). Each group is a plain
 * object of functions over one {@link Transport}.
 */
import type { Transport } from "./http.js";
import { OPERATIONS as O } from "./operations.js";
import type { CoverRecord, VoiceLanguage, VoiceRecord, VoiceValidateInfo, WavRecord } from "./types.js";

/** Per-call options: an `AbortSignal`, and extra headers for this request. */
type Call = { signal?: AbortSignal; headers?: Record<string, string> };
type Created = { taskId: string };

/** `POST /api/v1/wav/generate` and `GET /api/v1/wav/record-info`. */
export function wavApi(t: Transport) {
  return {
    /**
     * Asks for a WAV of a track (spec 4.1). `taskId` (the music task) may be left out. A WAV that exists already
     * throws kind `conflict`, whose `existingTaskId` names it.
     *
     * @example
     * const { taskId } = await client.wav.generate({ audioId: track.audioId, callBackUrl: "https://me.example/hook" });
     */
    generate: (input: { audioId: string; taskId?: string; callBackUrl?: string }, opts: Call = {}) =>
      t.call<typeof O.wavGenerate, Created>(O.wavGenerate, { body: input, ...opts }),
    /** The WAV record (spec 4.2): status, and `response.audioWavUrl` once done. */
    recordInfo: (taskId: string, opts: Call = {}) =>
      t.call<typeof O.wavRecordInfo, WavRecord>(O.wavRecordInfo, { query: { taskId }, ...opts }),
  };
}

/** `POST /api/v1/suno/cover/generate` and `GET /api/v1/suno/cover/record-info`. */
export function coverApi(t: Transport) {
  return {
    /**
     * Asks for the two cover images of a music task (spec 5.1). A repeat throws kind `bad_request` whose
     * `existingTaskId` names the existing cover task (spec 11 #8).
     */
    generate: (input: { taskId: string; callBackUrl?: string }, opts: Call = {}) =>
      t.call<typeof O.coverGenerate, Created>(O.coverGenerate, { body: input, ...opts }),
    /** The cover record (spec 5.2): `successFlag` 0 pending, 1 success, 2 generating, 3 failed. */
    recordInfo: (taskId: string, opts: Call = {}) =>
      t.call<typeof O.coverRecordInfo, CoverRecord>(O.coverRecordInfo, { query: { taskId }, ...opts }),
  };
}

/** The six voice endpoints (spec 6.2 to 6.7). */
export function voiceApi(t: Transport) {
  return {
    /**
     * Starts a validation task (A) from a source recording and its vocal segment (spec 6.2).
     *
     * @example
     * const { taskId } = await client.voice.validate({ voiceUrl, vocalStartS: 0, vocalEndS: 12, language: "en" });
     * const info = await client.waitForTask("voice-validate", taskId); // info.validateInfo: the phrase to record
     */
    validate: (
      input: {
        voiceUrl: string;
        vocalStartS: number;
        vocalEndS: number;
        language?: VoiceLanguage;
        callBackUrl?: string;
      },
      opts: Call = {},
    ) => t.call<typeof O.voiceValidate, Created>(O.voiceValidate, { body: input, ...opts }),
    /** The validation record (spec 6.3): the phrase in `validateInfo` once status is `wait_validating`. */
    validateInfo: (taskId: string, opts: Call = {}) =>
      t.call<typeof O.voiceValidateInfo, VoiceValidateInfo>(O.voiceValidateInfo, {
        query: { taskId },
        ...opts,
      }),
    /** A fresh phrase for validation task A (spec 6.4); sent with the reseller's `calBackUrl` spelling. */
    regenerate: (input: { taskId: string; callBackUrl?: string }, opts: Call = {}) =>
      t.call<typeof O.voiceRegenerate, Created>(O.voiceRegenerate, {
        body: { taskId: input.taskId, ...(input.callBackUrl ? { calBackUrl: input.callBackUrl } : {}) },
        ...opts,
      }),
    /** Creates the voice from task A and the user's recording of the phrase (spec 6.5): a new task B. */
    generate: (
      input: {
        taskId: string;
        verifyUrl: string;
        voiceName?: string;
        description?: string;
        style?: string;
        singerSkillLevel?: "beginner" | "intermediate" | "advanced" | "professional";
        callBackUrl?: string;
      },
      opts: Call = {},
    ) => t.call<typeof O.voiceGenerate, Created>(O.voiceGenerate, { body: input, ...opts }),
    /** The generate record (spec 6.6): `voiceId` once status is `success`. */
    recordInfo: (taskId: string, opts: Call = {}) =>
      t.call<typeof O.voiceRecordInfo, VoiceRecord>(O.voiceRecordInfo, { query: { taskId }, ...opts }),
    /** Whether the voice of a task (A or B) is usable (spec 6.7); sent as snake_case `task_id`. */
    checkVoice: (taskId: string, opts: Call = {}) =>
      t.call<typeof O.voiceCheck, { isAvailable: boolean }>(O.voiceCheck, {
        body: { task_id: taskId },
        ...opts,
      }),
  };
}
