/**
 * What `hookline listen` does with one request: verify it (when it has keys), parse it, print a line, then either
 * save it (answering 2xx at once, downloads in the background) or forward it, or both.
 */
import { createHash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { type Callback, parseCallback, type VerifyResult, verifyCallback } from "../../client/index.js";
import type { Downloader } from "./downloader.js";
import type { Recorded, SaveIndex } from "./save-index.js";

/** One callback as `listen` prints it (the `--json` line has these fields). */
export interface Seen {
  event: "callback";
  time: string;
  family: Callback["family"] | null;
  taskId: string | null;
  code: number | null;
  messageId: string | null;
  /** `verified`, `unverified` (no key given) or the refusal's code. */
  verification: string;
  schemes: string[];
  /**
   * Whole seconds from the signing timestamp to arrival. The timestamp has 1 s resolution and each attempt is
   * signed afresh, so this is no latency: it shows a sender's queue or a clock skew of seconds, nothing finer.
   */
  signedAgoS: number | null;
  /** A voice callback's phrase to sing (validate) or voiceId (generate). */
  phrase?: string | null;
  voiceId?: string | null;
  /** Why it was refused (the verifier's words), as the SDK's receivers say it. */
  error?: string;
  /** What `--save` did with it. */
  saved: Recorded | null;
  forward: { status: number | null; ms: number; error?: string } | null;
  status: number;
}

/** What `listen` was started with: keys, tolerance, where to forward, and the save machinery when `--save`. */
export interface ReceiveOptions {
  keys: readonly string[];
  toleranceS: number;
  forwardTo: string | null;
  index: SaveIndex | null;
  downloader: Downloader | null;
}

/** Headers that belong to one hop, not to the message: not forwarded. */
const HOP = new Set(["host", "connection", "content-length", "transfer-encoding", "keep-alive", "expect"]);

async function forward(
  url: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
): Promise<NonNullable<Seen["forward"]>> {
  const t0 = performance.now();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers))
    if (v !== undefined && !HOP.has(k)) out[k] = Array.isArray(v) ? v.join(", ") : v;
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: out,
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(15_000),
    });
    await res.arrayBuffer();
    return { status: res.status, ms: Math.round(performance.now() - t0) };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    return { status: null, ms: Math.round(performance.now() - t0), error: cause };
  }
}

/** Handles one request; answers the status to send back and what to print. */
export async function receive(
  opts: ReceiveOptions,
  headers: IncomingHttpHeaders,
  body: Buffer,
): Promise<Seen> {
  const now = Date.now();
  const seen: Seen = {
    event: "callback",
    time: new Date(now).toISOString(),
    family: null,
    taskId: null,
    code: null,
    messageId: typeof headers["webhook-id"] === "string" ? headers["webhook-id"] : null,
    verification: "unverified",
    schemes: [],
    signedAgoS: null,
    saved: null,
    forward: null,
    status: 200,
  };
  const ts = Number(headers["webhook-timestamp"] ?? headers["x-webhook-timestamp"]);
  // Shown for plausible timestamps only: a forged one may say anything.
  if (Number.isFinite(ts) && Math.abs(now - ts * 1000) < 86_400_000)
    seen.signedAgoS = Math.max(0, Math.floor(now / 1000) - Math.trunc(ts));
  const parsed = parseCallback(body);
  if (parsed.ok) {
    const cb = parsed.callback;
    Object.assign(seen, { family: cb.family, taskId: cb.taskId, code: cb.code });
    if (cb.family === "voice-validate") seen.phrase = cb.validateInfo;
    if (cb.family === "voice-generate") seen.voiceId = cb.voiceId;
  }

  if (opts.keys.length > 0) {
    const v: VerifyResult = verifyCallback(headers, body, opts.keys, { toleranceS: opts.toleranceS, now });
    if (!v.ok) return { ...seen, verification: v.code, error: v.message, status: 401 };
    Object.assign(seen, { verification: "verified", schemes: [...v.schemes] });
  }
  if (!parsed.ok) return { ...seen, verification: `${seen.verification}, ${parsed.code}`, status: 400 };

  if (opts.index && opts.downloader) {
    const id =
      seen.messageId ??
      `task:${parsed.callback.taskId}:${createHash("sha256").update(body).digest("base64url")}`;
    seen.saved = opts.index.record(parsed.callback, id, new Date(now));
    // Written before the answer: once Hookline sees 2xx, the index already holds what must be downloaded.
    await opts.index.save();
    opts.downloader.kick();
    if (opts.forwardTo && seen.saved !== "duplicate_message") void forward(opts.forwardTo, headers, body);
    return seen;
  }
  if (opts.forwardTo) {
    // Without --save the target's answer is passed back, so Hookline's retries reach the app behind.
    seen.forward = await forward(opts.forwardTo, headers, body);
    seen.status = seen.forward.status ?? 502;
  }
  return seen;
}
