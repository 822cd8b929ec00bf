/**
 * The answers of the API as the client returns them (the envelope's `data`), written from the spec. Fields the
 * resellers spell two ways are typed with both spellings, as Hookline sends both (spec 11).
 */

/** The job families and the two kinds of voice task, as {@link HooklineClient.waitForTask} names them. */
export type TaskKind = "wav" | "cover" | "voice-validate" | "voice-generate" | "music";

/** `data` of an upload (spec 7.1, 13); `taskId`/`audioId` only when the file is audio (a source track). */
export interface UploadedFile {
  fileName: string;
  filePath: string;
  downloadUrl: string;
  fileUrl: string;
  fileSize: number;
  mimeType: string;
  uploadedAt: string;
  taskId?: string;
  audioId?: string;
}

/** A source track: the music task and the track id that WAV and cover requests name (spec 12.1). */
export interface SourceTrack {
  taskId: string;
  audioId: string;
}

/** The music record of a source track (spec 3, 12.1). */
export interface MusicRecord {
  taskId: string;
  parentMusicId: string;
  param: string;
  response: {
    taskId: string;
    sunoData: {
      id: string;
      audioUrl: string | null;
      streamAudioUrl: string | null;
      imageUrl: string | null;
      prompt: string;
      modelName: string;
      title: string;
      tags: string;
      createTime: string;
      duration: number;
    }[];
  };
  status: string;
  type: string;
  errorCode: number | null;
  errorMessage: string | null;
  createTime?: string;
}

/** WAV statuses (spec 4.2); `GENERATE_AUDIO_FAILED` appears in one kie example. */
export type WavStatus =
  | "PENDING"
  | "SUCCESS"
  | "CREATE_TASK_FAILED"
  | "GENERATE_WAV_FAILED"
  | "GENERATE_AUDIO_FAILED"
  | "CALLBACK_EXCEPTION";

/** The WAV record (spec 4.2). */
export interface WavRecord {
  taskId: string;
  musicId: string | null;
  musicIndex?: number | string;
  callbackUrl: string;
  createTime: string | null;
  completeTime: string | null;
  response: { audioWavUrl?: string; audio_wav_url?: string } | null;
  status: WavStatus | string;
  successFlag?: WavStatus | string;
  errorCode: number | null;
  errorMessage: string | null;
}

/** The cover record (spec 5.2, 13): `successFlag` 0 pending, 1 success, 2 generating, 3 failed. */
export interface CoverRecord {
  taskId: string;
  parentTaskId: string;
  callbackUrl: string;
  createTime: string | null;
  completeTime: string | null;
  response: { images: string[] } | null;
  successFlag: 0 | 1 | 2 | 3 | number;
  status?: "PENDING" | "SUCCESS" | "CREATE_TASK_FAILED" | "GENERATE_COVER_FAILED" | string;
  errorCode: number | null;
  errorMessage: string | null;
}

/** Voice statuses (spec 6.8). */
export type VoiceStatus =
  | "wait_processing"
  | "processing_validate"
  | "processing_validate_fail"
  | "wait_validating"
  | "success"
  | "fail";

/** The phrase languages of voice validation (spec 6.2). */
export type VoiceLanguage = "en" | "zh" | "es" | "fr" | "pt" | "de" | "ja" | "ko" | "hi" | "ru";

/** The record of a validation task, A (spec 6.3). */
export interface VoiceValidateInfo {
  taskId: string;
  validateInfo: string | null;
  status: VoiceStatus | string;
  errorCode: number | null;
  errorMessage: string | null;
}

/** The record of a voice generate task, B (spec 6.6). */
export interface VoiceRecord {
  taskId: string;
  voiceId: string | null;
  status: VoiceStatus | string;
  errorCode: number | null;
  errorMessage: string | null;
}

/** A voice of the key (spec 13, `GET /api/v1/hookline/voices`); fields beyond `voiceId` as the server sends them. */
export interface Voice {
  voiceId: string;
  [field: string]: unknown;
}

/** One task in the key's task list (spec 13). */
export interface TaskSummary {
  taskId: string;
  family: string;
  status: string;
  callbackUrl: string | null;
  /** Where its callback stands, from its latest message. */
  callbackState: CallbackState;
  /** What it worked on, in a few words (the uploaded file, the voice's source recording). */
  source: string | null;
  errorCode: number | null;
  errorMessage: string | null;
  createTime: string | null;
  updateTime: string | null;
  completeTime: string | null;
}

/** A page of the task list; pass `nextCursor` back as `cursor` for the next one. */
export interface TaskPage {
  tasks: TaskSummary[];
  nextCursor: string | null;
}

/** The callback messages of a task and every attempt to deliver them (spec 12.4). */
/** What a test callback answered (`tasks.testCallback`): nothing of it is retried or logged. */
export interface TestCallbackResult {
  readonly url: string;
  readonly statusCode: number | null;
  readonly latencyMs: number;
  readonly outcome: "delivered" | "failed";
  readonly errorClass: string | null;
  readonly error: string | null;
  readonly responseExcerpt: string;
  /** The headers sent, signatures included. */
  readonly headers: Record<string, string>;
}

export interface Deliveries {
  taskId: string;
  messages: {
    messageId: string;
    event: string;
    url: string;
    state: string;
    attempts: number;
    nextAttemptTime: string | null;
    createTime: string | null;
    deliveredTime: string | null;
  }[];
  attempts: {
    messageId: string;
    number: number;
    /** `auto`, `manual` (a redelivery), `duplicate` (a simulated repetition) or `stream` (forwarded by `listen --remote`). */
    trigger: string;
    time: string | null;
    statusCode: number | null;
    latencyMs: number | null;
    errorClass: string | null;
    error: string | null;
    responseExcerpt: string | null;
    outcome: string;
    nextAttemptTime: string | null;
    /**
     * Where the attempt went when not to the message's URL: a `stream` attempt (trigger) is a copy forwarded by
     * `hookline listen --remote`, and this is its forward URL (null when the client did not say).
     */
    target: string | null;
    /** The headers the attempt sent (null for attempts recorded before Hookline kept them). */
    headers: Record<string, string> | null;
    /** How many Standard Webhooks signatures it carried (2 during a key rotation), and the resellers' or not. */
    signatures: { standardWebhooks: number; reseller: boolean } | null;
  }[];
}

/** Where a task's callback stands: none asked for, waiting, failed before and waiting again, delivered, given up. */
export type CallbackState = "none" | "pending" | "retrying" | "delivered" | "failed";

/** A task in full (`GET /api/v1/hookline/tasks/{taskId}`). */
export interface TaskDetails extends TaskSummary {
  /** The task's input as it was received. */
  request: Record<string, unknown>;
  result: Record<string, unknown> | null;
  runs: number;
  timeline: { time: string; event: "submitted" | "started" | "finished" | "callback"; detail: string }[];
  /** Signed links to its outputs and source while they are kept. */
  files: { kind: "wav" | "image" | "source"; name: string; url: string }[];
  /** What the family's record-info endpoint answers for it (null for an unknown family). */
  record: Record<string, unknown> | null;
}

/** One callback URL of the key over the last 24 hours (`GET /api/v1/hookline/receivers`). */
export interface ReceiverSummary {
  url: string;
  host: string;
  attempts: number;
  delivered: number;
  failedAttempts: number;
  /** delivered / attempts, 0..1. */
  successRate: number;
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  lastAttemptTime: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
}

/**
 * One `callback` event of the callback stream (`GET /api/v1/hookline/callbacks/stream`): a message of the key as it
 * was enqueued, signed by the server as an attempt of that moment is. Forward `body` byte for byte with `headers`.
 */
export interface StreamedCallback {
  readonly messageId: string;
  readonly taskId: string;
  readonly event: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** What a forwarding client reports of one streamed callback (`POST …/callbacks/stream/results`). */
export interface StreamResult {
  messageId: string;
  /** The local app's HTTP status, or null when it could not be reached (then `error` says why). */
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  /** The start of the local app's answer (at most 4096 characters). */
  responseExcerpt: string;
  /** Where it was forwarded. */
  target?: string;
  /** The headers sent. */
  headers?: Record<string, string>;
}
