/**
 * Signing and POSTing a sample callback from the CLI, as the server's sender does (src/delivery/attempt.ts): the
 * same headers, `signatureHeaders`, and the same outbound client (no redirects followed, the answer's excerpt kept).
 */
import { CLIENT_OPTIONS, loadClientConfig, processEnv } from "../config/index.js";
import { CALLBACK_HEADERS, signatureHeaders } from "../delivery/index.js";
import { HooklineError } from "../lib/errors.js";
import { newMessageId, newWebhookKey } from "../lib/ids.js";
import { createOutbound, type PostResult } from "../net/index.js";

/** How a sample is signed. */
export interface SignAs {
  /** The webhook key (`whsec_…`). */
  readonly key: string;
  /** Whether the reseller `X-Webhook-*` headers are sent too (the per-key HMAC switch; on by default). */
  readonly hmac: boolean;
  /** The message id (`webhook-id`); a fresh `msg_…` when not given. */
  readonly messageId?: string;
  /** The signing time, Unix seconds; now when not given. */
  readonly timestamp?: number;
}

/** The headers of one signed callback POST, and the message id they carry. */
export function signedHeaders(
  taskId: string,
  body: string,
  as: SignAs,
): { messageId: string; headers: Record<string, string> } {
  const messageId = as.messageId ?? newMessageId();
  const timestamp = as.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    messageId,
    headers: {
      ...CALLBACK_HEADERS,
      ...signatureHeaders(
        { current: as.key, previous: null, hmacEnabled: as.hmac },
        messageId,
        taskId,
        body,
        timestamp,
      ),
    },
  };
}

/** POSTs callbacks to one receiver; close it when done. */
export interface ReceiverClient {
  post(body: string, headers: Record<string, string>): Promise<PostResult>;
  close(): Promise<void>;
}

/** Answer excerpts kept, bytes: enough for a one-line summary or a report. */
const EXCERPT_BYTES = 1024;

/**
 * A client for the receiver at `url` (http or https). The server's outbound guard is opened for that host, loopback
 * and private addresses included: the developer named the receiver, as `--dev` lets a local server call one.
 */
export function receiverClient(url: string, timeoutMs: number): ReceiverClient {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new HooklineError("bad_request", `not a URL: ${url}`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    throw new HooklineError("bad_request", `the receiver needs an http(s) URL, not ${parsed.protocol}`);
  const outbound = createOutbound({ allowHosts: [parsed.hostname], allowPrivate: true });
  return {
    post: (body, headers) => outbound.post(url, body, headers, { timeoutMs, excerptBytes: EXCERPT_BYTES }),
    close: () => outbound.close(),
  };
}

/** What a receiver answered, in a few words: `200`, or `timeout (no answer within 15000 ms)`. */
export function answerText(r: PostResult): string {
  return r.status !== null
    ? String(r.status)
    : `${r.errorClass ?? "error"} (${r.errorMessage ?? "no answer"})`;
}

/** The first `max` characters of an answer's body on one line. */
export function excerptLine(r: PostResult, max = 80): string {
  const one = r.excerpt.replace(/\s+/g, " ").trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/**
 * The key to sign with (the first `--secret`, else the first of HOOKLINE_WEBHOOK_KEY) and the server whose
 * `/files/` the sample URLs name (HOOKLINE_URL). No key is an error: a receiver could not verify the samples,
 * so the message offers a freshly made key to give to both sides.
 */
export function signingSetup(secrets: readonly string[]): { key: string; filesBase: string } {
  const { webhookKeys, url } = loadClientConfig(processEnv(), { secrets });
  const key = webhookKeys[0];
  if (key === undefined) {
    throw new HooklineError(
      "bad_request",
      `no webhook key: give --secret whsec_… or ${CLIENT_OPTIONS.webhookKeys.env}, the key your receiver verifies with ` +
        `(a new one, if your receiver has none yet: --secret ${newWebhookKey()})`,
    );
  }
  return { key, filesBase: url };
}

/** Parses `--timeout S` (seconds, > 0) into milliseconds. */
export function timeoutMs(text: string | undefined, fallbackS: number): number {
  const s = text === undefined ? fallbackS : Number(text);
  if (!Number.isFinite(s) || s <= 0 || s > 600)
    throw new HooklineError("bad_request", "--timeout S (0 < S ≤ 600)");
  return Math.round(s * 1000);
}
