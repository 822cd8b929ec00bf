/**
 * Issue 9, finding 9: `kill -9` of the real server while ffmpeg converts for it. No handler of ours runs on
 * SIGKILL, so only the kernel can end the children: they must die with the server (Linux: setpriv's parent-death
 * signal), not go on writing into the data folder for minutes.
 *
 * The ffmpeg found converting is frozen (SIGSTOP) before the server is killed, so that it cannot finish on its
 * own in the meantime: the test then shows whether the server's death ended it, whatever the machine's speed.
 * SIGKILL ends a stopped process like a running one.
 */
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { processesMentioning, type TmpDir, tmpDir } from "../helpers/audio.js";
import { makeLongMp3 } from "../helpers/lying-audio.js";
import { createKeyWithCli, killAllChildren, startHooklineProcess } from "../helpers/process.js";
import { client, uploadTrack, waitFor } from "./support.js";

let dir: TmpDir;
let dataDir: string;

/** Pids of the ffmpeg/ffprobe processes working in the data folder (after their exec, so not setpriv itself). */
async function toolsIn(folder: string): Promise<number[]> {
  const pids: number[] = [];
  for (const pid of await processesMentioning(folder)) {
    const argv0 = await readFile(`/proc/${pid}/cmdline`, "utf8").then(
      (c) => c.split("\0")[0] ?? "",
      () => "",
    );
    if (["ffmpeg", "ffprobe"].includes(basename(argv0))) pids.push(pid);
  }
  return pids;
}

beforeAll(async () => {
  dir = await tmpDir("e2e-children");
  dataDir = `${dir.path}/data`;
});

afterAll(async () => {
  // Whatever a failed run left: processes working in this test's own folder, by pid.
  for (const pid of await processesMentioning(dataDir)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
  await killAllChildren();
  await dir.cleanup();
});

it.skipIf(process.platform !== "linux")(
  "ffmpeg children die with a SIGKILLed server",
  { timeout: 120_000 },
  async () => {
    // 30 minutes of MP3 (7 MB; a 317 MB WAV): its conversion runs for a while on any machine.
    const long = await makeLongMp3(dir.path, 30);
    const env = {
      HOOKLINE_DATA_DIR: dataDir,
      HOOKLINE_LOG_LEVEL: "warn",
      HOOKLINE_CONCURRENCY: "1",
      HOOKLINE_POLL_MS: "50",
    };
    const server = await startHooklineProcess({ env });
    const key = await createKeyWithCli(env, "children");
    const api = client(server.url, key.apiKey);
    const { audioId } = await uploadTrack(api, long);
    const gen = await api.call("/api/v1/wav/generate", { json: { audioId } });
    expect(gen.code, JSON.stringify(gen)).toBe(200);

    const converting = await waitFor(
      "the conversion's ffmpeg",
      async () => {
        const pids = await toolsIn(dataDir);
        return pids.length > 0 ? pids : undefined;
      },
      30_000,
      5,
    );
    for (const pid of converting) process.kill(pid, "SIGSTOP");
    const killed = await server.stop("SIGKILL");
    expect(killed.signal).toBe("SIGKILL");

    // The kernel signals the children as the server's process ends: give it a moment, not minutes.
    const t0 = performance.now();
    let left = await processesMentioning(dataDir);
    while (left.length > 0 && performance.now() - t0 < 2_000) {
      await new Promise((r) => setTimeout(r, 20));
      left = await processesMentioning(dataDir);
    }
    expect(left, `processes still working in ${dataDir} after the server died`).toEqual([]);
  },
);
