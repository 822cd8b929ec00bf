import { execFileSync } from "node:child_process";
import { constants, existsSync } from "node:fs";
import { open, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HooklineError } from "../../src/lib/errors.js";
import { convertToWav, decodePcm, type Ffmpeg, findFfmpeg, probeAudio } from "../../src/media/index.js";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";

/**
 * Playlist-like inputs name other files. The file they name here is a FIFO with no writer: opening it to
 * read would block ffmpeg, so a prompt refusal proves the target was never opened. A second probe checks
 * that no reader ever held it (a non-blocking open for writing fails with ENXIO while nobody reads).
 */
let ff: Ffmpeg;
let dir: TmpDir;
let fifo: string;
let secret: string;

beforeAll(async () => {
  const found = await findFfmpeg();
  if (!found) throw new Error("these tests need ffmpeg and ffprobe on the PATH");
  ff = found;
  dir = await tmpDir("media-hostile");
  fifo = join(dir.path, "secret.fifo");
  execFileSync("mkfifo", [fifo]);
  secret = await makeAudio(dir.path, { format: "mp3", seconds: 1, name: "secret.mp3" });
});
afterAll(() => dir.cleanup());

/** Watches the FIFO while `work` runs; true if some process opened it for reading meanwhile. */
async function fifoWasOpened(work: () => Promise<unknown>): Promise<boolean> {
  let opened = false;
  let running = true;
  const watch = (async () => {
    while (running) {
      try {
        const fh = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
        opened = true;
        await fh.close();
      } catch {
        // ENXIO: no reader, as it should be
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  try {
    await work();
  } finally {
    running = false;
    await watch;
  }
  return opened;
}

/** `format`: the demuxer ffmpeg detects, when it is sure; a short list named .mp3 may be taken for a bad MP3. */
const PLAYLISTS: ReadonlyArray<{ name: string; format: string | null; body: (target: string) => string }> = [
  {
    name: "playlist.m3u8",
    format: "hls",
    body: (t) => `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:1.0,\n${t}\n#EXT-X-ENDLIST\n`,
  },
  {
    name: "full-playlist.mp3",
    format: "hls",
    body: (t) => `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXTINF:1.0,\n${t}\n#EXT-X-ENDLIST\n`,
  },
  { name: "disguised-playlist.mp3", format: null, body: (t) => `#EXTM3U\n#EXTINF:1.0,\n${t}\n` },
  { name: "list.ffconcat", format: "concat", body: (t) => `ffconcat version 1.0\nfile '${t}'\n` },
];

describe.each(PLAYLISTS)("$name ($format) naming another local file", ({ name, format, body }) => {
  for (const target of ["fifo", "audio"] as const) {
    it(`is refused by probe and conversion without opening the ${target}`, async () => {
      const path = join(dir.path, `${target}-${name}`);
      await writeFile(path, body(target === "fifo" ? fifo : secret));
      let probe: Awaited<ReturnType<typeof probeAudio>> | undefined;
      let err: unknown;
      const opened = await fifoWasOpened(async () => {
        probe = await probeAudio(ff, path, { timeoutMs: 10_000 });
        err = await convertToWav(ff, path, `${path}.wav`, { bitDepth: 16 }).catch((e: unknown) => e);
      });
      expect(opened).toBe(false);
      expect(probe).toMatchObject({ kind: "other" });
      if (probe?.kind === "other" && format)
        expect(probe.reason).toContain(`unsupported container format "${format}"`);
      expect(err).toBeInstanceOf(HooklineError);
      expect(err).toMatchObject({ code: "unsupported_media" });
      if (format) expect((err as Error).message).toContain(format);
      expect(existsSync(`${path}.wav`)).toBe(false);
    });
  }

  it("is refused by decodePcm too", async () => {
    const path = join(dir.path, `pcm-${name}`);
    await writeFile(path, body(fifo));
    const read = async () => {
      for await (const _ of decodePcm(ff, path, { sampleRate: 8000, channels: 1, timeoutMs: 10_000 })) {
        // nothing should come
      }
    };
    await expect(read()).rejects.toMatchObject({ code: "unsupported_media" });
  });
});

it("a file whose name looks like a protocol is read as a plain file", async () => {
  const odd = join(dir.path, "concat:secret.mp3|secret.mp3");
  await writeFile(odd, "not audio");
  const probe = await probeAudio(ff, odd);
  expect(probe.kind).toBe("other");
});
