import { existsSync } from "node:fs";
import { extname, join, resolve } from "node:path";
import { isHooklineApiError } from "../client/index.js";
import { HooklineError } from "../lib/errors.js";
import { output } from "./connect.js";
import { startJobCommand, uploadSource, waitOptions } from "./job-command.js";

const USAGE = `Usage: hookline cover FILE|TASK_ID [--out DIR] [--timeout SECONDS] [--callback-url URL] [--json] [--url URL] [--api-key KEY]
Asks for the two cover images of a track: FILE (or an http(s) URL) is uploaded first, TASK_ID is an existing
music task (the taskId of an audio upload). Waits, then downloads the images into DIR (default: here).`;

/** `hookline cover FILE|TASK_ID`: (upload,) cover generate, wait, download the images. */
export async function cover(args: string[]): Promise<number> {
  const started = startJobCommand(args, USAGE);
  if (typeof started === "number") return started;
  const { values, source, callBackUrl, json, client, signal, bar } = started;
  try {
    let musicTaskId: string;
    if (existsSync(source) || /^https?:\/\//i.test(source)) {
      bar.update("uploading");
      musicTaskId = (await uploadSource(client, source, signal)).taskId;
    } else if (/^[0-9a-f]{32}$/.test(source)) {
      musicTaskId = source;
    } else {
      throw new HooklineError("bad_request", `${source} is neither a file nor a music task id\n${USAGE}`);
    }
    let taskId: string;
    try {
      ({ taskId } = await client.cover.generate({ taskId: musicTaskId, ...callBackUrl }, { signal }));
    } catch (error) {
      // One cover task per music task (spec 5.1): a repeat names the existing one.
      if (!isHooklineApiError(error) || !error.existingTaskId) throw error;
      taskId = error.existingTaskId;
    }
    const record = await client.waitForTask(
      "cover",
      taskId,
      waitOptions(values, signal, bar, `cover task ${taskId}`),
    );
    const images = record.response?.images ?? [];
    if (record.successFlag !== 1 || images.length === 0) {
      bar.stop();
      if (json)
        output(
          {
            taskId,
            successFlag: record.successFlag,
            errorCode: record.errorCode,
            errorMessage: record.errorMessage,
          },
          true,
        );
      process.stderr.write(
        `hookline: cover generation failed: ${record.errorCode ?? ""} ${record.errorMessage ?? ""}\n`,
      );
      return 1;
    }
    const dir = resolve(typeof values.out === "string" ? values.out : ".");
    const files: string[] = [];
    for (const [i, url] of images.entries()) {
      const path = join(dir, `${taskId}-${i + 1}${extname(new URL(url).pathname) || ".png"}`);
      bar.update(`downloading image ${i + 1} of ${images.length}`);
      await client.files.download(url, path, { signal });
      files.push(path);
    }
    bar.stop();
    output({ taskId, musicTaskId, files }, json, files.join("\n"));
    return 0;
  } finally {
    bar.stop();
  }
}
