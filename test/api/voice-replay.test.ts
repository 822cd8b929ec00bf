/**
 * A replay of the source recording must not pass the voice check (issue 9, finding 8), through the real server
 * (in-process, real SQLite, real files, real audio): the source's own download link, and copies of the source
 * uploaded separately, end the generate task `fail` (code 400) with a message saying what to do, and make no
 * voice; a new take of the same speaker still succeeds, with the same validation task.
 */

import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, type TmpDir, tmpDir } from "../helpers/audio.js";
import { type Envelope, startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { speak } from "../helpers/voice.js";
import { waitFor } from "../helpers/wait.js";
import { streamUpload } from "../http/support.js";

const REPLAY = /^verifyUrl is a replay of the source recording, not a new take: .*Record the phrase yourself/;
const SOURCE = [
  "The morning light is falling softly on the river.",
  "We keep on singing a brand new song together.",
  "My sister plays the old guitar by the window.",
  "The children follow the music down the road.",
];

describe("voice generate refuses a replay of the source", () => {
  let h: TestHookline;
  let dir: TmpDir;
  let receiver: Receiver;
  let sourceUrl = "";
  const urls: Record<string, string> = {};

  const upload = async (path: string) => {
    const up = await streamUpload(h, path, { uploadPath: "voice" });
    expect(up.code, JSON.stringify(up)).toBe(200);
    return up.data.downloadUrl as string;
  };
  const settled = async (path: string, taskId: string, waiting: string[]): Promise<Envelope> => {
    let rec: Envelope | undefined;
    await waitFor(`task ${taskId} to settle`, async () => {
      rec = await h.call(`/api/v1/voice/${path}?taskId=${taskId}`);
      return !waiting.includes(rec.data?.status);
    });
    return rec!;
  };
  const validate = async () => {
    const res = await h.call("/api/v1/voice/validate", {
      json: { voiceUrl: sourceUrl, vocalStartS: 0, vocalEndS: 8 },
    });
    expect(res.code, JSON.stringify(res)).toBe(200);
    const rec = await settled("validate-info", res.data.taskId, ["wait_processing", "processing_validate"]);
    expect(rec.data.status).toBe("wait_validating");
    return res.data.taskId as string;
  };
  const generate = async (taskId: string, verifyUrl: string) => {
    const res = await h.call("/api/v1/voice/generate", {
      json: { taskId, verifyUrl, callBackUrl: `${receiver.origin}/cb` },
    });
    expect(res.code, JSON.stringify(res)).toBe(200);
    const rec = await settled("record-info", res.data.taskId, ["wait_processing", "processing_validate"]);
    return rec.data as {
      taskId: string;
      status: string;
      errorCode: number;
      errorMessage: string;
      voiceId: string;
    };
  };
  const voiceCount = async () => (await h.call("/api/v1/hookline/voices")).data.voices.length as number;

  beforeAll(async () => {
    h = await startTestHookline();
    dir = await tmpDir("voice-replay");
    receiver = await startReceiver((_req, res) => res.end("ok"));
    const source = await speak(dir.path, "en+m7", SOURCE, { format: "mp3" });
    sourceUrl = await upload(source);
    const copy = async (name: string, args: string[]) => {
      const out = join(dir.path, name);
      await run("ffmpeg", ["-nostdin", "-v", "error", "-y", "-i", source, ...args, out]);
      urls[name] = await upload(out);
    };
    await copy("copy-64k.mp3", ["-c:a", "libmp3lame", "-b:a", "64k"]);
    await copy("copy.webm", ["-c:a", "libopus", "-b:a", "32k", "-f", "webm"]);
    // The segment cut out, 0.3 s of silence before it, a little quieter, at 44.1 kHz.
    await copy("segment.wav", ["-af", "atrim=start=2:end=7,adelay=300:all=1,volume=0.5", "-ar", "44100"]);
    const phrase = ["Every evening, the birds repeat our chorus with a smile near the ocean waves."];
    urls.take = await upload(
      await speak(dir.path, "en+m7", phrase, { format: "webm", pitch: 46, speed: 185 }),
    );
    // The source's first two sentences said again, at another pitch and speed.
    urls.again = await upload(await speak(dir.path, "en+m7", SOURCE.slice(0, 2), { pitch: 44, speed: 160 }));
  });
  afterAll(async () => {
    await receiver.close();
    await h.stop();
    await dir.cleanup();
  });

  it("the source's own download link: fail, code 400, the replay message, no voice; the callback says so", async () => {
    const a = await validate();
    const before = await voiceCount();
    const rec = await generate(a, sourceUrl);
    expect(rec).toMatchObject({ status: "fail", errorCode: 400, voiceId: "" });
    expect(rec.errorMessage).toMatch(REPLAY);
    expect(rec.errorMessage).toContain("the very file given as voiceUrl");
    expect(await voiceCount()).toBe(before);
    expect((await h.call("/api/v1/voice/check-voice", { json: { task_id: rec.taskId } })).data).toEqual({
      isAvailable: false,
    });
    await waitFor("the callback", () =>
      receiver.requests.some((r) => JSON.parse(r.body).taskId === rec.taskId),
    );
    const body = JSON.parse(receiver.requests.find((r) => JSON.parse(r.body).taskId === rec.taskId)!.body);
    expect(body).toMatchObject({ code: 400, data: { status: "fail", errorCode: 400, voiceId: "" } });
    expect(body.data.errorMessage).toBe(rec.errorMessage);
  });

  for (const [name, what] of [
    ["copy-64k.mp3", "re-encoded as MP3 at 64 kb/s"],
    ["copy.webm", "re-encoded as Opus in WebM"],
    ["segment.wav", "the segment cut out, shifted, quieter, resampled"],
  ] as const) {
    it(`a copy of the source ${what}, uploaded separately: fail, the replay message`, async () => {
      const rec = await generate(await validate(), urls[name]!);
      expect(rec).toMatchObject({ status: "fail", errorCode: 400, voiceId: "" });
      expect(rec.errorMessage).toMatch(REPLAY);
      expect(rec.errorMessage).toMatch(/fingerprint bit error rate 0(\.\d+)?;/);
    });
  }

  it("after a refused replay, a new take of the same speaker succeeds with the same validation task", async () => {
    const a = await validate();
    const refused = await generate(a, urls["copy-64k.mp3"]!);
    expect(refused.status).toBe("fail");
    const rec = await generate(a, urls.take!);
    expect(rec, JSON.stringify(rec)).toMatchObject({ status: "success", errorCode: 0 });
    expect(rec.voiceId).toMatch(/^voice_[0-9a-f]{32}$/);
  });

  it("the source's words said again, at another pitch and speed, are a new take", async () => {
    const rec = await generate(await validate(), urls.again!);
    expect(rec, JSON.stringify(rec)).toMatchObject({ status: "success", errorCode: 0 });
  });
});
