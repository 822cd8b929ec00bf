/**
 * The server's error table (`apiCodeFor`: error code → envelope code) and the SDK's (`kindOfCode`: envelope code →
 * kind) are kept by hand in two places; this suite keeps them in agreement, in both dialects and in both directions:
 * every error code reaches the client as the kind written down here, and every envelope code the SDK knows is one
 * that Hookline answers or one the spec lists for the hosted services (named below with its reason).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type Dialect, type ErrorKind, kindOfCode } from "../../src/client/index.js";
import { apiCodeFor, type ErrorCode } from "../../src/lib/errors.js";

const DIALECTS: readonly Dialect[] = ["sunoapi", "kie"];

/**
 * The kind a client sees for each error code. Several codes share the envelope's validation code (400 / 422) and so
 * read as `bad_request`; in the kie dialect, which has no 413, a body too large is a validation failure (spec 13).
 */
const KIND_OF_ERROR = {
  bad_request: "bad_request",
  malformed_body: "bad_request",
  unauthorized: "unauthorized",
  not_found: "not_found",
  conflict: "conflict",
  duplicate: "bad_request",
  payload_too_large: { sunoapi: "payload_too_large", kie: "bad_request" },
  insufficient_credits: "insufficient_credits",
  rate_limited: "rate_limited",
  target_refused: "bad_request",
  unsupported_media: "bad_request",
  source_unavailable: "source_unavailable",
  conversion_failed: "generation_failed",
  timeout: "timeout",
  wrong_state: "bad_request",
  unavailable: "unavailable",
  internal: "internal",
} satisfies Record<ErrorCode, ErrorKind | Record<Dialect, ErrorKind>>;

/**
 * Envelope codes the SDK reads although Hookline answers them in neither dialect: the hosted services send them
 * (spec 2.1 and the endpoint tables), and the SDK speaks to those too.
 */
const HOSTED_ONLY: Record<number, string> = {
  405: "sunoapi.org's 'rate limit exceeded'; Hookline answers 430",
  433: "kie.ai's sub-key usage over its cap",
  505: "kie.ai's 'feature disabled'",
  531: "sunoapi.org's cover 'generation failed, credits refunded'",
};

/**
 * The members of the `ErrorCode` union, read from its source: types are gone at run time, and without the list a
 * code added to the union (and to `apiCodeFor`) but not to the table above would pass unseen here.
 */
function errorCodesInSource(): string[] {
  const text = readFileSync(new URL("../../src/lib/errors.ts", import.meta.url), "utf8");
  const union = /export type ErrorCode =([^;]*);/.exec(text)?.[1];
  if (union === undefined) throw new Error("no `export type ErrorCode = …;` in src/lib/errors.ts");
  return [...union.matchAll(/\|\s*"([a-z_]+)"/g)].map((m) => m[1] ?? "");
}

/** The envelope codes the SDK gives a kind other than `unknown` to, in a dialect. */
function codesTheSdkKnows(dialect: Dialect): number[] {
  const known: number[] = [];
  for (let code = 100; code < 1000; code++) if (kindOfCode(code, dialect) !== "unknown") known.push(code);
  return known;
}

const isErrorCode = (c: string): c is ErrorCode => Object.hasOwn(KIND_OF_ERROR, c);
const inSource = errorCodesInSource();
const errorCodes: ErrorCode[] = inSource.filter(isErrorCode);

function expectedKind(code: ErrorCode, dialect: Dialect): ErrorKind {
  const kind: ErrorKind | Record<Dialect, ErrorKind> = KIND_OF_ERROR[code];
  return typeof kind === "string" ? kind : kind[dialect];
}

describe("apiCodeFor and the SDK's kindOfCode agree", () => {
  it("the table here names every error code of the server, and no other", () => {
    expect(inSource.length).toBeGreaterThan(10);
    expect(inSource.filter((c) => !isErrorCode(c))).toEqual([]);
    expect(Object.keys(KIND_OF_ERROR).filter((c) => !inSource.includes(c))).toEqual([]);
  });

  for (const dialect of DIALECTS) {
    it(`${dialect}: every error code reaches the client as its kind`, () => {
      const got = Object.fromEntries(errorCodes.map((c) => [c, kindOfCode(apiCodeFor(c, dialect), dialect)]));
      const want = Object.fromEntries(errorCodes.map((c) => [c, expectedKind(c, dialect)]));
      expect(got).toEqual(want);
    });

    it(`${dialect}: every envelope code the SDK knows is one Hookline answers, or a hosted service's`, () => {
      const answered = new Set(DIALECTS.flatMap((d) => errorCodes.map((c) => apiCodeFor(c, d))));
      const strangers = codesTheSdkKnows(dialect).filter(
        (code) => !answered.has(code) && !(code in HOSTED_ONLY),
      );
      expect(strangers).toEqual([]);
    });
  }

  it("the hosted services' codes are known to the SDK and never answered by Hookline", () => {
    const answered = new Set(DIALECTS.flatMap((d) => errorCodes.map((c) => apiCodeFor(c, d))));
    for (const code of Object.keys(HOSTED_ONLY).map(Number)) {
      expect(answered.has(code), `${code} is answered by Hookline: remove it from HOSTED_ONLY`).toBe(false);
      for (const dialect of DIALECTS) expect(kindOfCode(code, dialect)).not.toBe("unknown");
    }
  });
});
