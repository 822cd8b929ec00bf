import { basename, extname } from "node:path";
import { isHooklineApiError } from "../client/index.js";
import { output } from "./connect.js";
import { outputPath, startJobCommand, uploadSource, waitOptions } from "./job-command.js";

const USAGE = `Usage: hookline convert FILE|URL [--out PATH|DIR/] [--timeout SECONDS] [--callback-url URL] [--json] [--url URL] [--api-key KEY]
Uploads the audio (a local file by stream, a URL by the server's fetch), asks for a WAV, waits for it and
downloads it to PATH (default: the source's name with .wav, in the current folder, or in DIR when --out names a
folder). --callback-url also has the callback sent there (e.g. to \`hookline listen\`).`;

/** `hookline convert FILE|URL`: upload, WAV generate, wait, download. */
export async function convert(args: string[]): Promise<number> {
  const started = startJobCommand(args, USAGE);
  if (typeof started === "number") return started;
  const { values, source, callBackUrl, json, client, signal, bar } = started;
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
    const out = outputPath(values.out, `${basename(name, extname(name))}.wav`);
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
