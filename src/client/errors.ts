/**
 * What can go wrong when calling Hookline, as one error type with a stable `kind`: the envelope's `code` and `msg`
 * when the server answered, or a transport kind (`network`, `timeout`, `aborted`, `bad_response`) when it did not.
 */

/** The dialect a server speaks (spec 2.1): only 402/405/422/429/430 read differently. */
export type Dialect = "sunoapi" | "kie";

/** Stable names for the envelope codes and for failures that never reached an envelope. */
export type ErrorKind =
  | "bad_request"
  | "unauthorized"
  | "insufficient_credits"
  | "not_found"
  | "conflict"
  | "payload_too_large"
  | "rate_limited"
  | "timeout"
  | "source_unavailable"
  | "unavailable"
  | "internal"
  | "generation_failed"
  | "feature_disabled"
  | "unknown"
  // file downloads (real HTTP statuses, spec 13):
  | "forbidden"
  | "expired"
  // no envelope:
  | "network"
  | "aborted"
  | "bad_response";

/** The stable kind of an envelope code in a dialect (spec 2.1). */
export function kindOfCode(code: number, dialect: Dialect = "sunoapi"): ErrorKind {
  const kie = dialect === "kie";
  switch (code) {
    case 400:
      return "bad_request";
    case 401:
      return "unauthorized";
    case 402:
      return "insufficient_credits";
    case 404:
      return "not_found";
    case 405:
    case 430:
    case 433:
      return "rate_limited";
    case 408:
      return "timeout";
    case 409:
      return "conflict";
    case 413:
      return "payload_too_large";
    case 422:
      return "bad_request";
    case 429:
      return kie ? "rate_limited" : "insufficient_credits";
    case 451:
      return "source_unavailable";
    case 455:
      return "unavailable";
    case 500:
      return "internal";
    case 501:
    case 531:
      return "generation_failed";
    case 505:
      return "feature_disabled";
    default:
      return "unknown";
  }
}

/**
 * An error from the client: `code`/`msg`/`data` are the envelope's when the server answered (`code` is 0 when it
 * did not), `kind` is stable across dialects and messages.
 *
 * @example
 * try {
 *   await client.wav.generate({ audioId });
 * } catch (error) {
 *   if (isHooklineApiError(error, "conflict")) console.log("already converted:", error.existingTaskId);
 *   else throw error;
 * }
 */
export class HooklineApiError extends Error {
  /** Stable name of what went wrong. */
  readonly kind: ErrorKind;
  /** The envelope `code`, or 0 when no envelope was received. */
  readonly code: number;
  /** The envelope `msg` (or a description of the transport failure). */
  readonly msg: string;
  /** The envelope `data` (e.g. the existing `taskId` of a duplicate request), or null. */
  readonly data: unknown;
  /** The HTTP status, when a response arrived. */
  readonly httpStatus: number | null;
  /** `METHOD path` of the request that failed. */
  readonly operation: string;

  constructor(init: {
    kind: ErrorKind;
    code: number;
    msg: string;
    data?: unknown;
    httpStatus?: number | null;
    operation: string;
    cause?: unknown;
  }) {
    super(
      init.code ? `${init.operation}: ${init.code} ${init.msg}` : `${init.operation}: ${init.msg}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.name = "HooklineApiError";
    this.kind = init.kind;
    this.code = init.code;
    this.msg = init.msg;
    this.data = init.data ?? null;
    this.httpStatus = init.httpStatus ?? null;
    this.operation = init.operation;
  }

  /** The `taskId` a duplicate request answered with (WAV 409, cover 400), if any. */
  get existingTaskId(): string | null {
    const data = this.data as { taskId?: unknown } | null;
    return data && typeof data.taskId === "string" ? data.taskId : null;
  }
}

/** True when `error` is a {@link HooklineApiError} (of the given kind, when one is named). */
export function isHooklineApiError(error: unknown, kind?: ErrorKind): error is HooklineApiError {
  return error instanceof HooklineApiError && (kind === undefined || error.kind === kind);
}
