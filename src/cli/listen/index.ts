/**
 * `hookline listen`: a local callback receiver that shows each callback as it arrives, optionally forwards it,
 * and with `--save` keeps what the callbacks point at (the receiver the callback docs describe, done right). With
 * `--remote` it receives nothing itself: it pulls the key's callbacks from a server's callback stream and forwards
 * them (remote.ts).
 * @module
 */
import { createServer } from "node:http";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { CLIENT_OPTIONS, loadClientConfig, optionsTable, processEnv } from "../../config/index.js";
import { HooklineError } from "../../lib/errors.js";
import { Downloader } from "./downloader.js";
import { receive, type Seen } from "./receive.js";
import { listenRemote } from "./remote.js";
import { SaveIndex } from "./save-index.js";

/** Where `listen` receives, and how far a signing time may be from now (s), unless the flags say otherwise. */
const DEFAULTS = { port: 3001, host: "127.0.0.1", toleranceS: 300 };

const USAGE = `Usage: hookline listen [--port ${DEFAULTS.port}] [--host ${DEFAULTS.host}] [--secret whsec_…]… [--tolerance ${DEFAULTS.toleranceS}]
                       [--forward-to URL] [--save DIR] [--json]
Receives callbacks at http://HOST:PORT/ (any path; use it as callBackUrl, with the server started --dev) and
prints each one: family, task, code, signature check, a voice's phrase or voiceId.
  --secret KEY      webhook key(s) to verify with (repeat for a rotation; or ${CLIENT_OPTIONS.webhookKeys.env}=k1,k2);
                    without one, callbacks are shown as unverified. Forged or stale callbacks get 401.
  --forward-to URL  send each callback on (raw body and headers); without --save, its answer is passed back
  --save DIR        answer 2xx at once, then download the WAV or cover images in the background with retries;
                    each task once however often it is delivered; voiceIds recorded with their task;
                    DIR/hookline-index.json lists it all; a restart resumes unfinished downloads
  --tolerance S     accepted distance of the signing time from now, seconds (default ${DEFAULTS.toleranceS})
  --json            one JSON line per event instead of text

Usage: hookline listen --remote --forward-to URL [--url SERVER] [--api-key hk_…] [--json]
Pulls the key's callbacks from a Hookline server (shared or remote: no inbound port needed) over one outbound
connection and POSTs each to URL with the exact body and the headers the server signed (verify them with the
key's webhook key as usual); prints family, task, your app's status and latency, and reports each result to the
server's delivery log (trigger "stream"). The callbacks' own delivery to their callBackUrl goes on unchanged.
Reconnects by itself, resuming where it left off (up to 15 minutes / 1000 callbacks back).
${optionsTable("Connection (flag, environment variable, meaning):", { url: CLIENT_OPTIONS.url, apiKey: CLIENT_OPTIONS.apiKey })}`;

/** The flags of the local receiver, which `--remote` does not take. */
const LOCAL_ONLY = ["port", "host", "secret", "save", "tolerance"] as const;

function line(s: Seen): string {
  const verify =
    s.verification === "verified" ? `verified (${s.schemes.join("+")})` : s.verification.toUpperCase();
  const parts = [
    s.time.slice(11, 19),
    (s.family ?? "?").padEnd(14),
    s.taskId ?? "(no task id)",
    `code ${s.code ?? "?"}`,
    verify,
    s.phrase ? `phrase "${s.phrase}"` : "",
    s.voiceId ? `voiceId ${s.voiceId}` : "",
    // Whole seconds only: worth a word when a callback was signed a while before it came.
    s.signedAgoS !== null && s.signedAgoS >= 2 ? `signed ${s.signedAgoS} s before it came` : "",
    `→ ${s.status}`,
    s.saved ? `[${s.saved.replace(/_/g, " ")}]` : "",
    s.forward ? `forwarded: ${s.forward.status ?? s.forward.error} in ${s.forward.ms} ms` : "",
  ];
  return parts.filter(Boolean).join("  ");
}

/** `hookline listen …` */
export async function listen(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      secret: { type: "string", multiple: true },
      "forward-to": { type: "string" },
      save: { type: "string" },
      tolerance: { type: "string" },
      json: { type: "boolean" },
      remote: { type: "boolean" },
      [CLIENT_OPTIONS.url.flag]: { type: "string" },
      [CLIENT_OPTIONS.apiKey.flag]: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const json = values.json === true;
  const emit = (event: Record<string, unknown>, text: string) =>
    process.stdout.write(json ? `${JSON.stringify(event)}\n` : `${text}\n`);
  if (values.remote) return remote(values, emit);
  if (values.url !== undefined || values["api-key"] !== undefined)
    throw new HooklineError(
      "bad_request",
      "--url and --api-key are for --remote (see hookline listen --help)",
    );
  const port = Number(values.port ?? DEFAULTS.port);
  if (!Number.isInteger(port) || port < 0) throw new HooklineError("bad_request", "--port N");
  const { webhookKeys } = loadClientConfig(processEnv(), { secrets: values.secret ?? [] });
  const forwardTo = values["forward-to"] ?? null;
  if (forwardTo && !/^https?:\/\//.test(forwardTo))
    throw new HooklineError("bad_request", "--forward-to needs an http(s) URL");

  let index: SaveIndex | null = null;
  let downloader: Downloader | null = null;
  if (values.save) {
    index = new SaveIndex(resolve(values.save));
    await index.load();
    downloader = new Downloader(index, {
      report: ({ taskId, file, ok, retryInMs, error }) =>
        emit(
          {
            event: "download",
            taskId,
            path: file.path,
            state: file.state,
            attempts: file.attempts,
            bytes: file.bytes ?? null,
            retryInMs,
            error: error ?? null,
          },
          ok
            ? `  saved ${file.path} (${file.bytes} bytes)`
            : `  download of ${file.path} failed (${error})${retryInMs !== null ? `, retry in ${retryInMs / 1000} s` : file.state === "failed" ? ", giving up" : ", left pending for the next run"}`,
        ),
    });
  }
  const opts = {
    keys: webhookKeys,
    toleranceS: Number(values.tolerance ?? DEFAULTS.toleranceS),
    forwardTo,
    index,
    downloader,
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      // Callbacks are small: a body over 1 MiB is refused rather than held in memory.
      if (size <= 1 << 20) chunks.push(c);
    });
    req.on("end", () => {
      if (size > 1 << 20) return void res.writeHead(413).end();
      receive(opts, req.headers, Buffer.concat(chunks)).then(
        (seen) => {
          res.writeHead(seen.status, { "content-type": "application/json" });
          // As the SDK's receivers answer: a refusal says why, so that the sender's log explains it.
          const answer =
            seen.status < 300
              ? { ok: true, duplicate: seen.saved === "duplicate_message" }
              : {
                  ok: false,
                  error: seen.verification,
                  message: seen.error ?? `refused: ${seen.verification}`,
                };
          res.end(JSON.stringify(answer));
          emit({ ...seen }, line(seen));
        },
        (error: unknown) => {
          res.writeHead(500).end();
          process.stderr.write(`hookline listen: ${(error as Error).stack ?? error}\n`);
        },
      );
    });
  });
  await new Promise<void>((r, reject) => {
    server.once("error", reject);
    server.listen(port, values.host ?? DEFAULTS.host, r);
  });
  const { port: bound } = server.address() as { port: number };
  const url = `http://${values.host ?? DEFAULTS.host}:${bound}/`;
  const resumed = index?.pending().length ?? 0;
  emit(
    { event: "listening", url, verifying: webhookKeys.length > 0, save: index?.dir ?? null, resumed },
    [
      `Listening for callbacks on ${url}  (use it as callBackUrl; the server needs --dev for loopback)`,
      webhookKeys.length > 0
        ? `Verifying with ${webhookKeys.length} key(s).`
        : "No --secret: callbacks are NOT verified.",
      index
        ? `Saving into ${index.dir}${resumed ? `; resuming ${resumed} unfinished download(s)` : ""}.`
        : "",
      forwardTo ? `Forwarding to ${forwardTo}.` : "",
    ]
      .filter(Boolean)
      .join("\n"),
  );
  downloader?.kick();
  await new Promise<void>((r) => {
    const stop = () => {
      downloader?.stop();
      server.closeAllConnections();
      server.close(() => r());
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  return 0;
}

/** `hookline listen --remote …`: checks the flags, then forwards from the server's stream until Ctrl+C. */
async function remote(
  values: Readonly<Record<string, unknown>>,
  emit: (event: Record<string, unknown>, text: string) => void,
): Promise<number> {
  const local = LOCAL_ONLY.filter((f) => values[f] !== undefined);
  if (local.length > 0)
    throw new HooklineError(
      "bad_request",
      `--remote does not take --${local.join(", --")} (flags of the local receiver)`,
    );
  const forwardTo = values["forward-to"];
  if (typeof forwardTo !== "string" || !/^https?:\/\//.test(forwardTo))
    throw new HooklineError(
      "bad_request",
      "--remote needs --forward-to with an http(s) URL (your local app)",
    );
  const url = values[CLIENT_OPTIONS.url.flag];
  const apiKey = values[CLIENT_OPTIONS.apiKey.flag];
  const config = loadClientConfig(processEnv(), {
    ...(typeof url === "string" ? { url } : {}),
    ...(typeof apiKey === "string" ? { apiKey } : {}),
  });
  if (!config.apiKey)
    throw new HooklineError(
      "unauthorized",
      `--remote needs the key whose callbacks to forward: set ${CLIENT_OPTIONS.apiKey.env} or --${CLIENT_OPTIONS.apiKey.flag}`,
    );
  const stop = new AbortController();
  const end = () => stop.abort();
  process.once("SIGINT", end);
  process.once("SIGTERM", end);
  try {
    return await listenRemote({
      url: config.url,
      apiKey: config.apiKey,
      forwardTo,
      emit,
      signal: stop.signal,
    });
  } finally {
    process.off("SIGINT", end);
    process.off("SIGTERM", end);
  }
}
