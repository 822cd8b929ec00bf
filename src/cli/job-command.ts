import { existsSync, statSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import type { HooklineClient, UploadedFile } from "../client/index.js";
import { HooklineError } from "../lib/errors.js";
import { CONNECTION_HELP, connect, interruptSignal, parseClientArgs } from "./connect.js";
import { type Progress, progress } from "./progress.js";

/** What the job commands (`convert`, `cover`) share once their arguments are read. */
export interface JobCommand {
  readonly values: Record<string, unknown>;
  /** The FILE|URL|TASK_ID argument. */
  readonly source: string;
  /** `{ callBackUrl }` when `--callback-url` was given, else `{}`: spread into the request. */
  readonly callBackUrl: { callBackUrl?: string };
  readonly json: boolean;
  readonly client: HooklineClient;
  readonly signal: AbortSignal;
  readonly bar: Progress;
}

/**
 * Reads a job command's flags (`--out`, `--timeout`, `--callback-url` and the client flags) and connects; answers
 * the exit code instead when only the usage was asked for or the source is missing (after printing the usage,
 * followed by the connection settings).
 */
export function startJobCommand(args: string[], usage: string): JobCommand | number {
  const { values, positionals } = parseClientArgs(args, {
    out: { type: "string" },
    timeout: { type: "string" },
    "callback-url": { type: "string" },
  });
  const [source] = positionals;
  if (values.help || !source) {
    process.stdout.write(`${usage}\n${CONNECTION_HELP}\n`);
    return values.help ? 0 : 2;
  }
  const json = values.json === true;
  return {
    values,
    source,
    callBackUrl: typeof values["callback-url"] === "string" ? { callBackUrl: values["callback-url"] } : {},
    json,
    client: connect(values),
    signal: interruptSignal(),
    bar: progress(!json),
  };
}

/** Uploads a local file or a URL, as the source of a conversion; fails when the server did not see audio. */
export async function uploadSource(
  client: HooklineClient,
  source: string,
  signal: AbortSignal,
): Promise<UploadedFile & { taskId: string; audioId: string }> {
  let up: UploadedFile;
  if (/^https?:\/\//i.test(source)) {
    up = await client.uploads.fromUrl({ fileUrl: source, uploadPath: "cli" }, { signal });
  } else {
    if (!existsSync(source)) throw new HooklineError("bad_request", `no such file: ${source}`);
    up = await client.uploads.stream({ path: source }, { uploadPath: "cli" }, { signal });
  }
  if (!up.taskId || !up.audioId) {
    throw new HooklineError(
      "unsupported_media",
      `${source} is not audio the server can decode (${up.mimeType})`,
    );
  }
  return up as UploadedFile & { taskId: string; audioId: string };
}

/** Long waits: `--timeout` seconds (default 30 minutes), Ctrl+C, and a spinner on a TTY. */
export function waitOptions(
  values: Record<string, unknown>,
  signal: AbortSignal,
  bar: Progress,
  what: string,
) {
  const timeout = typeof values.timeout === "string" ? Number(values.timeout) : 1800;
  if (!Number.isFinite(timeout) || timeout <= 0) throw new HooklineError("bad_request", "--timeout SECONDS");
  return {
    signal,
    timeoutMs: timeout * 1000,
    intervalMs: 250,
    maxIntervalMs: 3_000,
    onPoll: (record: unknown) => bar.update(`${what}: ${(record as { status?: unknown }).status ?? "…"}`),
  };
}

/**
 * Where a downloaded file goes: `--out` itself, or `fileName` inside it when it names a folder (one that exists,
 * or any path ending in a slash, created by the download), since renaming the download onto a folder fails.
 */
export function outputPath(out: unknown, fileName: string): string {
  if (typeof out !== "string") return resolve(fileName);
  const folder =
    out.endsWith("/") || out.endsWith(sep) || statSync(out, { throwIfNoEntry: false })?.isDirectory();
  return resolve(folder ? join(out, fileName) : out);
}
