/**
 * Reading a callback body into a typed value per family (spec 4.3, 5.3, 6.9), tolerant of every spelling the
 * resellers use (spec 11) and of the two brands' differences (kie's `errorCode: null` vs sunoapi's `0`, `""` vs a
 * missing `voiceId`, numbers sent as strings).
 */
import { bodyBytes } from "./headers.js";

interface Common {
  /** The task the callback is about. */
  readonly taskId: string;
  /** The callback's `code`: 200 on success (spec 4.3, 5.3, 6.9). */
  readonly code: number;
  readonly msg: string;
  /** `code === 200` (and, for voice, a status that is not a failure). */
  readonly succeeded: boolean;
  /** The whole body as parsed, for fields this type does not name. */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** A WAV conversion finished (spec 4.3); `audioWavUrl` is null on failure. */
export interface WavCallback extends Common {
  readonly family: "wav";
  readonly audioWavUrl: string | null;
}

/** Cover images are ready (spec 5.3); `images` is null on failure (codes 400, 408, 500, 501, 531). */
export interface CoverCallback extends Common {
  readonly family: "cover";
  readonly images: readonly string[] | null;
}

interface VoiceCommon extends Common {
  /** The voice status (spec 6.8). */
  readonly status: string;
  /** Null on success whichever brand (kie sends null, sunoapi 0). */
  readonly errorCode: number | null;
  /** Null when empty. */
  readonly errorMessage: string | null;
}

/** A validation task (A) reached `wait_validating` (the phrase is ready) or failed; also sent after regenerate. */
export interface VoiceValidateCallback extends VoiceCommon {
  readonly family: "voice-validate";
  /** The phrase the user must record; null when none. */
  readonly validateInfo: string | null;
}

/** A voice generate task (B) ended: `voiceId` on `success`, null on `fail`. */
export interface VoiceGenerateCallback extends VoiceCommon {
  readonly family: "voice-generate";
  readonly voiceId: string | null;
}

/** An envelope with a task id whose family this version does not know (a newer server, another product). */
export interface UnknownCallback extends Common {
  readonly family: "unknown";
}

/** Every callback, discriminated by `family`. */
export type Callback =
  | WavCallback
  | CoverCallback
  | VoiceValidateCallback
  | VoiceGenerateCallback
  | UnknownCallback;

/** What {@link parseCallback} answers: the callback, or why the body is not one. */
export type ParseResult =
  | { readonly ok: true; readonly callback: Callback }
  | { readonly ok: false; readonly code: "invalid_json" | "not_a_callback"; readonly message: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const has = (o: Obj, ...names: string[]) => names.some((n) => n in o);

function first(o: Obj, ...names: string[]): unknown {
  for (const n of names) if (o[n] !== undefined) return o[n];
  return undefined;
}

function text(v: unknown): string | null {
  return typeof v === "string" && v !== "" ? v : null;
}

function int(v: unknown): number | null {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && /^-?\d+$/.test(v.trim())) return Number(v.trim());
  return null;
}

const VOICE_FAILED = new Set(["fail", "processing_validate_fail"]);
const GENERATE_STATUSES = new Set(["success", "fail"]);

/**
 * Parses a callback body (the raw bytes or text as received, or an already parsed object).
 *
 * @example
 * const parsed = parseCallback(rawBody);
 * if (parsed.ok && parsed.callback.family === "wav" && parsed.callback.succeeded) {
 *   await download(parsed.callback.audioWavUrl!);
 * }
 */
export function parseCallback(body: string | Uint8Array | object): ParseResult {
  let value: unknown = body;
  if (typeof body === "string" || body instanceof Uint8Array) {
    try {
      value = JSON.parse(bodyBytes(body).toString("utf8"));
    } catch (error) {
      return { ok: false, code: "invalid_json", message: (error as Error).message };
    }
  }
  if (!isObj(value)) return { ok: false, code: "not_a_callback", message: "the body is not a JSON object" };
  const data = isObj(value.data) ? value.data : {};
  const taskId = text(first(data, "task_id", "taskId")) ?? text(first(value, "taskId", "task_id"));
  const code = int(value.code);
  if (taskId === null || code === null) {
    return { ok: false, code: "not_a_callback", message: "no task id or no numeric code in the body" };
  }
  const common = { taskId, code, msg: typeof value.msg === "string" ? value.msg : "", raw: value };

  if (has(data, "audioWavUrl", "audio_wav_url")) {
    const url = text(first(data, "audioWavUrl", "audio_wav_url"));
    return { ok: true, callback: { ...common, family: "wav", succeeded: code === 200, audioWavUrl: url } };
  }
  if (has(data, "images")) {
    const images = Array.isArray(data.images)
      ? data.images.filter((i): i is string => typeof i === "string")
      : null;
    return { ok: true, callback: { ...common, family: "cover", succeeded: code === 200, images } };
  }
  const status = text(first(data, "status", "state"));
  if (status !== null || has(data, "voiceId", "voice_id", "validateInfo", "validate_info")) {
    const voice = {
      ...common,
      status: status ?? "",
      succeeded: code === 200 && !VOICE_FAILED.has(status ?? ""),
      errorCode: int(first(data, "errorCode", "error_code")) || null,
      errorMessage: text(first(data, "errorMessage", "error_message")),
    };
    const isGenerate =
      has(data, "voiceId", "voice_id") ||
      (!has(data, "validateInfo", "validate_info") && GENERATE_STATUSES.has(status ?? ""));
    if (isGenerate) {
      return {
        ok: true,
        callback: { ...voice, family: "voice-generate", voiceId: text(first(data, "voiceId", "voice_id")) },
      };
    }
    return {
      ok: true,
      callback: {
        ...voice,
        family: "voice-validate",
        validateInfo: text(first(data, "validateInfo", "validate_info")),
      },
    };
  }
  return { ok: true, callback: { ...common, family: "unknown", succeeded: code === 200 } };
}
