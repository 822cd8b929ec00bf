/**
 * `hookline listen --remote --forward-to URL`: the key's callbacks pulled from a Hookline server over one outbound
 * connection (the callback stream, server-sent events) and POSTed to a local app exactly as the server signed them,
 * each result reported back to the server's delivery log. Reconnects with backoff, resuming with Last-Event-ID.
 */
import { HooklineClient, parseCallback, type StreamedCallback } from "../../client/index.js";
import { packageVersion } from "../version.js";
import { readEvents } from "./sse.js";

/** The local app's answer is read this far (the delivery log keeps an excerpt), and waited for this long. */
const EXCERPT_BYTES = 4096;
const FORWARD_TIMEOUT_MS = 15_000;
/** Backoff between connection attempts: 1 s doubling to 30 s, with jitter; reset once a stream is open. */
const BACKOFF_MS = { first: 1_000, most: 30_000 };
/** The server pings every 15 s: a stream silent for this long is taken for dead and opened again. */
const SILENCE_MS = 45_000;
/** Message ids forwarded lately: a resumed stream may send a message again, which is not forwarded twice. */
const REMEMBERED = 10_000;

/** What one forward gave, as printed and reported. */
interface Forwarded {
  readonly event: "callback";
  readonly time: string;
  readonly messageId: string;
  readonly taskId: string;
  readonly family: string | null;
  readonly code: number | null;
  readonly callbackEvent: string;
  readonly status: number | null;
  readonly ms: number;
  readonly error: string | null;
  readonly logged: boolean;
}

export interface RemoteOptions {
  readonly url: string;
  readonly apiKey: string;
  readonly forwardTo: string;
  /** Prints one event: a JSON line with `--json`, else the text. */
  readonly emit: (event: Record<string, unknown>, text: string) => void;
  /** Ends the listening (Ctrl+C). */
  readonly signal: AbortSignal;
}

/** The event's data, checked: an unexpected shape is skipped rather than forwarded. */
function callbackOf(data: string): StreamedCallback | null {
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof v !== "object" || v === null) return null;
  const fields = new Map<string, unknown>(Object.entries(v));
  const text = (k: string) => {
    const x = fields.get(k);
    return typeof x === "string" ? x : null;
  };
  const headers = fields.get("headers");
  if (typeof headers !== "object" || headers === null) return null;
  const pairs: [string, string][] = [];
  for (const [k, h] of Object.entries(headers)) {
    if (typeof h !== "string") return null;
    pairs.push([k, h]);
  }
  const [messageId, taskId, event, body] = [text("messageId"), text("taskId"), text("event"), text("body")];
  if (messageId === null || taskId === null || event === null || body === null) return null;
  return { messageId, taskId, event, body, headers: Object.fromEntries(pairs) };
}

/** What went wrong, in a word where Node has one (ECONNREFUSED), else the error's message. */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (typeof cause === "object" && cause !== null && "code" in cause && typeof cause.code === "string")
    return cause.code;
  return error.message;
}

/** Reads at most `limit` bytes of a response body, then lets the rest go. */
async function excerptOf(res: Response, limit: number): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, limit).toString("utf8");
}

/**
 * POSTs one callback to the local app: the exact body bytes and the server's headers (its content type and user
 * agent among them). The target is the developer's own machine, so no outbound guard; the answer is bounded.
 */
async function forward(target: string, cb: StreamedCallback, userAgent: string) {
  const headers = { "content-type": "application/json", "user-agent": userAgent, ...cb.headers };
  const t0 = performance.now();
  try {
    const res = await fetch(target, {
      method: "POST",
      headers,
      body: Buffer.from(cb.body, "utf8"),
      redirect: "manual",
      signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
    });
    const excerpt = await excerptOf(res, EXCERPT_BYTES);
    return { status: res.status, ms: Math.round(performance.now() - t0), error: null, excerpt, headers };
  } catch (error) {
    const cause = reasonOf(error);
    return { status: null, ms: Math.round(performance.now() - t0), error: cause, excerpt: "", headers };
  }
}

function line(f: Forwarded): string {
  const answer = f.status === null ? `failed (${f.error})` : String(f.status);
  return [
    f.time.slice(11, 19),
    (f.family ?? "?").padEnd(14),
    f.taskId,
    `code ${f.code ?? "?"}`,
    `→ ${answer} in ${f.ms} ms`,
    f.logged ? "" : "(not logged on the server)",
  ]
    .filter(Boolean)
    .join("  ");
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((r) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      r();
    }
    signal.addEventListener("abort", done, { once: true });
  });

/** Runs until `signal` or a refusal that retrying cannot mend (a wrong or revoked key); answers the exit code. */
export async function listenRemote(opts: RemoteOptions): Promise<number> {
  const { emit, signal } = opts;
  const client = new HooklineClient({ baseUrl: opts.url, apiKey: opts.apiKey });
  const userAgent = `Hookline-Listen/${packageVersion()}`;
  const recent = new Set<string>();
  let lastEventId: string | null = null;
  let backoff = BACKOFF_MS.first;
  let connected = false;
  while (!signal.aborted) {
    const conn = new AbortController();
    const stop = () => conn.abort();
    signal.addEventListener("abort", stop, { once: true });
    let silence: NodeJS.Timeout | undefined;
    const alive = () => {
      clearTimeout(silence);
      silence = setTimeout(stop, SILENCE_MS);
    };
    let why = "";
    try {
      alive();
      const res = await fetch(`${opts.url}/api/v1/hookline/callbacks/stream`, {
        headers: {
          authorization: `Bearer ${opts.apiKey}`,
          accept: "text/event-stream",
          ...(lastEventId === null ? {} : { "last-event-id": lastEventId }),
        },
        signal: conn.signal,
      });
      if (!res.headers.get("content-type")?.startsWith("text/event-stream") || !res.body) {
        // The server's refusal, in its envelope (HTTP 200 unless it mirrors codes).
        const answer: unknown = await res.json().catch(() => null);
        const code =
          typeof answer === "object" && answer !== null && "code" in answer
            ? Number(answer.code)
            : res.status;
        const msg =
          typeof answer === "object" && answer !== null && "msg" in answer
            ? String(answer.msg)
            : res.statusText;
        if (code === 401 || code === 403) {
          emit({ event: "refused", code, message: msg }, `The server refused the key: ${msg}`);
          return 1;
        }
        // A cursor the server no longer reads is dropped: the next stream starts from now.
        if (code === 400) lastEventId = null;
        why = `${code} ${msg}`;
      } else {
        backoff = BACKOFF_MS.first;
        emit(
          {
            event: connected ? "reconnected" : "connected",
            url: opts.url,
            forwardTo: opts.forwardTo,
            resumed: lastEventId !== null,
          },
          connected
            ? "Stream open again; callbacks enqueued meanwhile follow."
            : `Forwarding the key's callbacks from ${opts.url} to ${opts.forwardTo}  (Ctrl+C to stop)`,
        );
        connected = true;
        for await (const item of readEvents(res.body)) {
          alive();
          if (item.kind === "alive") {
            // The server's place while nothing comes: a stream that drops resumes from there.
            if (item.id !== null) lastEventId = item.id;
            continue;
          }
          const e = item.value;
          if (e.event === "end") {
            const reason = /"reason":"(\w+)"/.exec(e.data)?.[1] ?? e.data;
            emit({ event: "ended", reason }, `The server ended the stream: ${reason.replace(/_/g, " ")}`);
            return 1;
          }
          if (e.event === "gap") {
            emit(
              { event: "gap" },
              "Some callbacks enqueued while disconnected were too old or too many to replay.",
            );
            continue;
          }
          if (e.event !== "callback") continue;
          const cb = callbackOf(e.data);
          if (cb && !recent.has(cb.messageId)) {
            recent.add(cb.messageId);
            if (recent.size > REMEMBERED) recent.delete(recent.values().next().value ?? "");
            emit(...(await handle(opts, client, cb, userAgent)));
          }
          // Only once its callback was handled: a stream that drops now resumes with this one again.
          if (e.id !== null) lastEventId = e.id;
        }
        why = "the stream ended";
      }
    } catch (error) {
      if (signal.aborted) break;
      why = reasonOf(error);
    } finally {
      clearTimeout(silence);
      signal.removeEventListener("abort", stop);
    }
    if (signal.aborted) break;
    const wait = Math.round(backoff * (0.5 + Math.random() / 2));
    emit(
      { event: "disconnected", reason: why, retryInMs: wait },
      `Stream lost (${why}); reconnecting in ${(wait / 1000).toFixed(1)} s`,
    );
    await sleep(wait, signal);
    backoff = Math.min(backoff * 2, BACKOFF_MS.most);
  }
  return 0;
}

/** Forwards one callback and reports the result; answers what to print. */
async function handle(
  opts: RemoteOptions,
  client: HooklineClient,
  cb: StreamedCallback,
  userAgent: string,
): Promise<[Record<string, unknown>, string]> {
  const sent = await forward(opts.forwardTo, cb, userAgent);
  let logged = true;
  try {
    await client.callbackStream.reportResult({
      messageId: cb.messageId,
      statusCode: sent.status,
      latencyMs: sent.ms,
      error: sent.error === null ? null : sent.error.slice(0, 500),
      responseExcerpt: sent.excerpt,
      target: opts.forwardTo.slice(0, 2048),
      headers: sent.headers,
    });
  } catch {
    // The forward happened; only its log entry is missing, which the line says.
    logged = false;
  }
  const parsed = parseCallback(Buffer.from(cb.body, "utf8"));
  const f: Forwarded = {
    event: "callback",
    time: new Date().toISOString(),
    messageId: cb.messageId,
    taskId: cb.taskId,
    family: parsed.ok ? parsed.callback.family : null,
    code: parsed.ok ? parsed.callback.code : null,
    callbackEvent: cb.event,
    status: sent.status,
    ms: sent.ms,
    error: sent.error,
    logged,
  };
  return [{ ...f }, line(f)];
}
