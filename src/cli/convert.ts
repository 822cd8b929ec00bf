import { existsSync } from "node:fs";
import { basename, extname, join, resolve } from "node:path";
import { type HooklineClient, isHooklineApiError, type UploadedFile } from "../client/index.js";
import { HooklineError } from "../lib/errors.js";
import { connect, interruptSignal, output, parseClientArgs } from "./connect.js";
import { type Progress, progress } from "./progress.js";

const USAGE = `Usage: hookline convert FILE|URL [--out PATH] [--timeout SECONDS] [--callback-url URL] [--json] [--url URL] [--api-key KEY]
Uploads the audio (a local file by stream, a URL by the server's fetch), asks for a WAV, waits for it and
downloads it to PATH (default: the source's name with .wav, in the current folder). --callback-url also has the
callback sent there (e.g. to \`hookline listen\`).`;

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

/** `hookline convert FILE|URL`: upload, WAV generate, wait, download. */
export async function convert(args: string[]): Promise<number> {
  const { values, positionals } = parseClientArgs(args, {
    out: { type: "string" },
    timeout: { type: "string" },
    "callback-url": { type: "string" },
  });
  const callBackUrl =
    typeof values["callback-url"] === "string" ? { callBackUrl: values["callback-url"] } : {};
  const [source] = positionals;
  if (values.help || !source) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const json = values.json === true;
  const client = connect(values);
  const signal = interruptSignal();
  const bar = progress(!json);
  try {
    bar.update(`uploading ${basename(source)}`);
    const up = await uploadSource(client, source, signal);
    let taskId: string;
    try {
      ({ taskId } = await client.wav.generate(
        { audioId: up.audioId, taskId: up.taskId, ...callBackUrl },
        { signal },
      ));
    } catch (error) {
      // The same track converted before: that WAV is the answer (spec 4.1: 409 with the existing taskId).
      if (!isHooklineApiError(error, "conflict") || !error.existingTaskId) throw error;
      taskId = error.existingTaskId;
    }
    const record = await client.waitForTask(
      "wav",
      taskId,
      waitOptions(values, signal, bar, `WAV task ${taskId}`),
    );
    const url = record.response?.audioWavUrl ?? record.response?.audio_wav_url;
    if (!url) {
      bar.stop();
      const why = `${record.status}${record.errorCode ? ` (${record.errorCode})` : ""}: ${record.errorMessage ?? ""}`;
      if (json)
        output(
          { taskId, status: record.status, errorCode: record.errorCode, errorMessage: record.errorMessage },
          true,
        );
      process.stderr.write(`hookline: the conversion failed, ${why}\n`);
      return 1;
    }
    const name = basename(/^https?:/i.test(source) ? new URL(source).pathname : source) || "audio";
    const out = resolve(
      typeof values.out === "string" ? values.out : join(".", `${basename(name, extname(name))}.wav`),
    );
    bar.update(`downloading ${basename(out)}`);
    const file = await client.files.download(url, out, { signal });
    bar.stop();
    output(
      { taskId, audioId: up.audioId, musicTaskId: up.taskId, file: out, bytes: file.bytes, url },
      json,
      out,
    );
    return 0;
  } finally {
    bar.stop();
  }
}
