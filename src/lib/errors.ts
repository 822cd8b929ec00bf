/**
 * Errors are values with a stable snake_case code. The code decides the API's numeric code through
 * one table (`apiCodeFor`), so a message can change without breaking a client that matches codes.
 */
export type ErrorCode =
  | "bad_request" // wrong types, missing fields, invalid values
  | "malformed_body" // a body that is not JSON at all: 400 in both dialects (spec 13)
  | "unauthorized"
  | "not_found"
  | "conflict" // a record exists already (WAV 409)
  | "duplicate" // a record exists already, answered 400 (cover)
  | "payload_too_large"
  | "insufficient_credits"
  | "rate_limited"
  | "target_refused" // the outbound guard refused a URL
  | "unsupported_media" // the input is not audio we can decode
  | "source_unavailable" // the source is missing, expired or could not be fetched
  | "conversion_failed"
  | "timeout"
  | "wrong_state"
  | "unavailable"
  | "internal";

export type CodeDialect = "sunoapi" | "kie";

export class HooklineError extends Error {
  readonly code: ErrorCode;
  /** Extra fields for the envelope's `data` (e.g. the existing taskId of a duplicate). */
  readonly data: Record<string, unknown> | null;
  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; data?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "HooklineError";
    this.code = code;
    this.data = options?.data ?? null;
  }
}

/**
 * A failure of something the server depends on (file storage, say) rather than of the request or the task: a task
 * that meets one is run again later instead of failing.
 */
export function isTransient(thrown: unknown): boolean {
  return thrown instanceof HooklineError && thrown.code === "unavailable";
}

/** Turns anything thrown into a HooklineError, keeping the original as `cause`. */
export function toError(thrown: unknown): HooklineError {
  if (thrown instanceof HooklineError) return thrown;
  if (thrown instanceof Error) return new HooklineError("internal", thrown.message, { cause: thrown });
  return new HooklineError("internal", String(thrown));
}

/**
 * The envelope code for an error code in a dialect (spec 2.1 and 13). Only a handful differ between
 * the two brands: validation (400/422), too large (413/422), credits (429/402), rate limit (430/429).
 */
export function apiCodeFor(code: ErrorCode, dialect: CodeDialect): number {
  const kie = dialect === "kie";
  switch (code) {
    case "bad_request":
    case "target_refused":
      return kie ? 422 : 400;
    case "malformed_body":
      return 400;
    case "unauthorized":
      return 401;
    case "not_found":
      return 404;
    case "conflict":
      return 409;
    case "duplicate":
    case "wrong_state":
    case "unsupported_media":
      return 400;
    case "payload_too_large":
      return kie ? 422 : 413;
    case "insufficient_credits":
      return kie ? 402 : 429;
    case "rate_limited":
      return kie ? 429 : 430;
    case "source_unavailable":
      return 451;
    case "conversion_failed":
      return 501;
    case "timeout":
      return 408;
    case "unavailable":
      return 455;
    case "internal":
      return 500;
  }
}
