/** The cover and voice SDK methods against a real server. */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HooklineClient, isHooklineApiError } from "../../src/client/index.js";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";

let h: TestHookline;
let dir: TmpDir;
let client: HooklineClient;
const setUp = async () => {
  h = await startTestHookline();
  dir = await tmpDir("sdk-families");
  client = new HooklineClient({ baseUrl: h.url, apiKey: h.apiKey });
};
const tearDown = async () => {
  await h?.stop();
  await dir?.cleanup();
};

describe("SDK cover methods", () => {
  beforeAll(setUp);
  afterAll(tearDown);

  it("generates two cover images, waits, downloads them, and types the repeat", async () => {
    const mp3 = await makeAudio(dir.path, { format: "mp3", seconds: 3 });
    const up = await client.uploads.stream({ path: mp3 }, { uploadPath: "covers" });
    const { taskId } = await client.cover.generate({ taskId: up.taskId! });
    const record = await client.waitForTask("cover", taskId, { intervalMs: 100, timeoutMs: 60_000 });
    expect(record.successFlag).toBe(1);
    expect(record.parentTaskId).toBe(up.taskId);
    expect(record.response?.images).toHaveLength(2);
    for (const [i, url] of (record.response?.images ?? []).entries()) {
      const path = join(dir.path, `cover-${i}.png`);
      await client.files.download(url, path);
      expect((await readFile(path)).subarray(1, 4).toString("ascii")).toBe("PNG");
    }
    const again = await client.cover.generate({ taskId: up.taskId! }).catch((e: unknown) => e);
    expect(isHooklineApiError(again, "bad_request")).toBe(true);
    expect((again as { existingTaskId: string }).existingTaskId).toBe(taskId);
  });
});

describe("SDK voice methods", () => {
  beforeAll(setUp);
  afterAll(tearDown);

  /** Speech by espeak-ng (one speaker), as MP3, uploaded; answers its URL. */
  async function speech(text: string, name: string): Promise<string> {
    const wav = join(dir.path, `${name}.wav`);
    await promisify(execFile)("espeak-ng", ["-v", "en-us", "-s", "140", "-w", wav, text]);
    const up = await client.uploads.stream({ path: wav }, { uploadPath: "voice" });
    return up.downloadUrl;
  }

  it("validates, regenerates the phrase, generates the voice, checks and lists it", async () => {
    const voiceUrl = await speech(
      "The quick brown fox jumps over the lazy dog, again and again, while the sun goes slowly down.",
      "source",
    );
    const { taskId: a } = await client.voice.validate({
      voiceUrl,
      vocalStartS: 0,
      vocalEndS: 5,
      language: "en",
    });
    const info = await client.waitForTask("voice-validate", a, { intervalMs: 100, timeoutMs: 60_000 });
    expect(info.status).toBe("wait_validating");
    expect(info.validateInfo).toBeTruthy();
    const regen = await client.voice.regenerate({ taskId: a });
    expect(regen.taskId).toBeTypeOf("string");
    const fresh = await client.waitForTask("voice-validate", a, { intervalMs: 100, timeoutMs: 60_000 });
    expect(fresh.validateInfo).toBeTruthy();
    const verifyUrl = await speech(fresh.validateInfo ?? "", "verify");
    const { taskId: b } = await client.voice.generate({ taskId: a, verifyUrl, voiceName: "sdk test" });
    expect(b).not.toBe(a);
    const voice = await client.waitForTask("voice-generate", b, { intervalMs: 100, timeoutMs: 120_000 });
    expect(["success", "fail"]).toContain(voice.status);
    const check = await client.voice.checkVoice(b);
    expect(check.isAvailable).toBe(voice.status === "success");
    if (voice.status === "success") {
      expect(voice.voiceId).toMatch(/^voice_/);
      const list = await client.voices.list();
      expect(JSON.stringify(list)).toContain(voice.voiceId!);
      expect(await client.voices.get(voice.voiceId!)).toMatchObject({ voiceId: voice.voiceId });
      await client.voices.delete(voice.voiceId!);
      await expect(client.voices.get(voice.voiceId!)).rejects.toMatchObject({ kind: "not_found" });
    }
  });
});
