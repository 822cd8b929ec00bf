/**
 * The checks of `hookline check-receiver`: what each sends, what it expects, and the verdict rules. Each check is
 * one signed sample callback (or two, for the duplicate) built like `hookline trigger`'s.
 */
import { CALLBACK_HEADERS } from "../delivery/index.js";
import { newWebhookKey } from "../lib/ids.js";
import type { PostResult } from "../net/index.js";
import { SAMPLE_EVENTS, type SampleFamily, type Spelling, sampleCallback } from "./samples.js";
import { type ReceiverClient, signedHeaders } from "./send.js";

export type Verdict = "pass" | "warn" | "fail";

/** What a check needs: the client for the receiver, the key, and where sample URLs point. */
export interface CheckContext {
  readonly client: ReceiverClient;
  readonly key: string;
  readonly filesBase: string;
  /** Answers slower than this (ms) are a warning: the receiver should answer first and work later. */
  readonly warnAfterMs: number;
}

/** One check's outcome. */
export interface CheckResult {
  readonly id: string;
  readonly expected: string;
  /** The status the receiver answered, null when none came. */
  readonly status: number | null;
  /** Why no status came (`timeout`, `connect`, …), or null. */
  readonly error: string | null;
  readonly latencyMs: number;
  readonly verdict: Verdict;
  /** Why the verdict is not a pass, or what was seen; empty when there is nothing to say. */
  readonly note: string;
}

/** A check: its id, what it expects, and how it runs. */
export interface Check {
  readonly id: string;
  readonly expected: string;
  run(ctx: CheckContext): Promise<CheckResult>;
}

/** The size a large body is padded to: 256 KiB, some 300 times Hookline's largest callback. */
export const LARGE_BODY_BYTES = 256 * 1024;
/** How old the stale check's timestamp is, seconds: twice the usual 300 s tolerance. */
export const STALE_S = 600;

const is2xx = (s: number | null) => s !== null && s >= 200 && s < 300;
const errorOf = (r: PostResult) =>
  r.errorClass === null ? null : `${r.errorClass}: ${r.errorMessage ?? ""}`;

/** The result of a check from its last answer and a verdict (slow answers that did not fail become warnings). */
function result(
  ctx: CheckContext,
  id: string,
  expected: string,
  r: PostResult,
  verdict: Verdict,
  note: string,
): CheckResult {
  const slow = verdict === "pass" && r.latencyMs > ctx.warnAfterMs;
  return {
    id,
    expected,
    status: r.status,
    error: errorOf(r),
    latencyMs: r.latencyMs,
    verdict: slow ? "warn" : verdict,
    note: slow ? `answered after ${r.latencyMs} ms: answer first, work later` : note,
  };
}

const noAnswer = (r: PostResult) => `no answer (${r.errorClass}: ${r.errorMessage ?? ""})`;

/** 2xx passes; anything else (or no answer in time) fails. */
function accepted(ctx: CheckContext, id: string, r: PostResult, note = ""): CheckResult {
  if (is2xx(r.status)) return result(ctx, id, "2xx", r, "pass", note);
  return result(ctx, id, "2xx", r, "fail", r.status === null ? noAnswer(r) : `answered ${r.status}`);
}

/** A 4xx passes (401 is what the SDK answers); a 5xx warns (refused, but the sender would retry it); 2xx/3xx fail. */
function refused(ctx: CheckContext, id: string, r: PostResult, what: string): CheckResult {
  const s = r.status;
  const expected = "4xx (401)";
  if (s === null) return result(ctx, id, expected, r, "fail", noAnswer(r));
  if (s >= 400 && s < 500) return result(ctx, id, expected, r, "pass", s === 401 ? "" : "401 is usual");
  if (s >= 500) return result(ctx, id, expected, r, "warn", `refused ${what} with a server error`);
  return result(ctx, id, expected, r, "fail", `accepted ${what}`);
}

/** A fresh signed sample of `family`'s success or failure. */
function signedSample(ctx: CheckContext, family: SampleFamily, success: boolean, spelling: Spelling) {
  const event = SAMPLE_EVENTS.find((e) => e.family === family && (e.outcome === "success") === success);
  if (!event) throw new Error(`no sample event for ${family}`);
  const sample = sampleCallback(event, spelling, ctx.filesBase);
  const body = JSON.stringify(sample.body);
  return { sample, body, ...signedHeaders(sample.taskId, body, { key: ctx.key, hmac: true }) };
}

const FAMILIES: readonly SampleFamily[] = ["wav", "cover", "voice-validate", "voice-generate"];

function familyChecks(): Check[] {
  return FAMILIES.flatMap((family) =>
    [true, false].flatMap((success) =>
      (["camel", "snake"] as const).map((spelling): Check => {
        const id = `${family}.${success ? "success" : "failure"}.${spelling}`;
        return {
          id,
          expected: "2xx",
          async run(ctx) {
            const s = signedSample(ctx, family, success, spelling);
            return accepted(ctx, id, await ctx.client.post(s.body, s.headers));
          },
        };
      }),
    ),
  );
}

const duplicate: Check = {
  id: "duplicate",
  expected: "2xx",
  async run(ctx) {
    const s = signedSample(ctx, "wav", true, "both");
    const first = await ctx.client.post(s.body, s.headers);
    if (!is2xx(first.status)) {
      const why = first.status === null ? noAnswer(first) : `answered ${first.status}`;
      return result(ctx, "duplicate", "2xx", first, "fail", `the first delivery was not accepted: ${why}`);
    }
    // The same message again, as a retry sends it: same id and body, signed afresh.
    const again = signedHeaders(s.sample.taskId, s.body, {
      key: ctx.key,
      hmac: true,
      messageId: s.messageId,
    });
    return accepted(ctx, "duplicate", await ctx.client.post(s.body, again.headers));
  },
};

const forged: Check = {
  id: "forged-signature",
  expected: "4xx (401)",
  async run(ctx) {
    const s = signedSample(ctx, "wav", true, "both");
    const other = signedHeaders(s.sample.taskId, s.body, { key: newWebhookKey(), hmac: true });
    return refused(
      ctx,
      "forged-signature",
      await ctx.client.post(s.body, other.headers),
      "a forged signature",
    );
  },
};

const stale: Check = {
  id: "stale-timestamp",
  expected: "4xx (401)",
  async run(ctx) {
    const s = signedSample(ctx, "wav", true, "both");
    const old = Math.floor(Date.now() / 1000) - STALE_S;
    const signed = signedHeaders(s.sample.taskId, s.body, { key: ctx.key, hmac: true, timestamp: old });
    const what = `a callback signed ${STALE_S / 60} minutes ago`;
    return refused(ctx, "stale-timestamp", await ctx.client.post(s.body, signed.headers), what);
  },
};

const unsigned: Check = {
  id: "unsigned",
  expected: "4xx (401)",
  async run(ctx) {
    const s = signedSample(ctx, "wav", true, "both");
    return refused(
      ctx,
      "unsigned",
      await ctx.client.post(s.body, { ...CALLBACK_HEADERS }),
      "an unsigned callback",
    );
  },
};

const large: Check = {
  id: "large-body",
  expected: "2xx or 413",
  async run(ctx) {
    const { sample } = signedSample(ctx, "wav", true, "both");
    const base = JSON.stringify({ ...sample.body, padding: "" });
    const body = JSON.stringify({ ...sample.body, padding: "x".repeat(LARGE_BODY_BYTES - base.length) });
    const { headers } = signedHeaders(sample.taskId, body, { key: ctx.key, hmac: true });
    const r = await ctx.client.post(body, headers);
    const id = "large-body";
    const expected = "2xx or 413";
    if (is2xx(r.status)) return result(ctx, id, expected, r, "pass", "");
    if (r.status === 413)
      return result(ctx, id, expected, r, "pass", "refused as too large: fine for callbacks");
    if (r.status !== null && r.status < 500)
      return result(ctx, id, expected, r, "warn", `answered ${r.status}: 413 says why`);
    return result(ctx, id, expected, r, "fail", r.status === null ? noAnswer(r) : `answered ${r.status}`);
  },
};

/** Every check, in the order they run: the families, then the duplicate, the refusals, and the large body last. */
export const CHECKS: readonly Check[] = [...familyChecks(), duplicate, forged, stale, unsigned, large];
