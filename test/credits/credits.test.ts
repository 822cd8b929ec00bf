/**
 * Credits (spec 12.3) through the real server: a key with a balance pays per job at submission, is refused with
 * the dialect's code when short (429 sunoapi / 402 kie), and gets a failed job's credits back with the failure;
 * a paid cover that fails answers 531; voice pays on generate. Keys without a balance stay unlimited (999999999). Both databases.
 */

import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setCredits } from "../../src/credits/index.js";
import { settledCover } from "../api/cover-support.js";
import { corruptFlac } from "../api/wav-files.js";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import { dialects, freshDatabase, type TestDb } from "../helpers/db.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { speak } from "../helpers/voice.js";
import { waitFor } from "../helpers/wait.js";
import { settledWav, streamUpload, uploadTrack } from "../http/support.js";

for (const dialect of dialects()) {
  describe(`credits on ${dialect}`, () => {
    let db: TestDb;
    let h: TestHookline;
    let dir: TmpDir;
    let mp3: string;
    let broken: string;
    const balance = async (key?: string) =>
      (await h.call("/api/v1/generate/credit", key ? { key } : {})).data as number;

    beforeAll(async () => {
      db = await freshDatabase(dialect);
      h = await startTestHookline({ database: db.target, env: { HOOKLINE_PRICE_WAV: "2" } });
      dir = await tmpDir("credits");
      mp3 = await makeAudio(dir.path, { format: "mp3", seconds: 1 });
      broken = await corruptFlac(dir.path);
    });
    afterAll(async () => {
      await h.stop();
      await db.drop();
      await dir.cleanup();
    });

    it("leaves keys without a balance unlimited, on both credit paths", async () => {
      expect(await h.call("/api/v1/generate/credit")).toMatchObject({ code: 200, data: 999_999_999 });
      expect(await h.call("/api/v1/chat/credit")).toMatchObject({ code: 200, data: 999_999_999 });
      const track = await uploadTrack(h, mp3);
      const gen = await h.call("/api/v1/wav/generate", { json: { audioId: track.audioId } });
      expect(gen.code).toBe(200);
      expect(await balance()).toBe(999_999_999);
      // Wait for the conversion: its ffmpeg must not outlive the test that asked for it.
      expect((await settledWav(h, gen.data.taskId)).data.status).toBe("SUCCESS");
      expect(await balance()).toBe(999_999_999);
    });

    it("debits each paid job at submission and refuses one the balance cannot pay", async () => {
      const paid = await h.newKey("paid");
      await setCredits(h.running.services.store.db, paid.keyId, 3);
      const a = await uploadTrack(h, mp3, paid.apiKey);
      const b = await uploadTrack(h, mp3, paid.apiKey);
      const first = await h.call("/api/v1/wav/generate", { json: { audioId: a.audioId }, key: paid.apiKey });
      expect(first.code).toBe(200);
      expect(await balance(paid.apiKey)).toBe(1);
      const second = await h.call("/api/v1/wav/generate", { json: { audioId: b.audioId }, key: paid.apiKey });
      expect(second).toMatchObject({ code: 429, data: null });
      expect(second.msg).toMatch(/credits/i);
      expect(await balance(paid.apiKey)).toBe(1);
      // A successful conversion keeps its charge.
      expect((await settledWav(h, first.data.taskId, paid.apiKey)).data.status).toBe("SUCCESS");
      expect(await balance(paid.apiKey)).toBe(1);
    });

    it("gives a failed conversion's credits back with the failure", async () => {
      const paid = await h.newKey("refund");
      await setCredits(h.running.services.store.db, paid.keyId, 2);
      const track = await uploadTrack(h, broken, paid.apiKey);
      const gen = await h.call("/api/v1/wav/generate", {
        json: { audioId: track.audioId },
        key: paid.apiKey,
      });
      expect(gen.code).toBe(200);
      expect(await balance(paid.apiKey)).toBe(0);
      const rec = await settledWav(h, gen.data.taskId, paid.apiKey);
      expect(rec.data).toMatchObject({ status: "GENERATE_WAV_FAILED", errorCode: 400 });
      expect(await balance(paid.apiKey)).toBe(2);
    });

    it("answers a failed paid cover 531 and refunds it; a free one keeps its cause's code", async () => {
      const paid = await h.newKey("cover");
      await setCredits(h.running.services.store.db, paid.keyId, 1);
      const track = await uploadTrack(h, broken, paid.apiKey);
      const gen = await h.call("/api/v1/suno/cover/generate", {
        json: { taskId: track.taskId },
        key: paid.apiKey,
      });
      expect(gen.code).toBe(200);
      expect(await balance(paid.apiKey)).toBe(0);
      const rec = await settledCover(h, gen.data.taskId, paid.apiKey);
      expect(rec.data).toMatchObject({ successFlag: 3, errorCode: 531 });
      expect(rec.data.errorMessage).toMatch(/credits refunded/);
      expect(await balance(paid.apiKey)).toBe(1);

      const free = await uploadTrack(h, broken);
      const freeGen = await h.call("/api/v1/suno/cover/generate", { json: { taskId: free.taskId } });
      expect((await settledCover(h, freeGen.data.taskId)).data).toMatchObject({
        successFlag: 3,
        errorCode: 400,
      });
    });

    it("lets concurrent submissions spend the last credit only once", async () => {
      const paid = await h.newKey("race");
      await setCredits(h.running.services.store.db, paid.keyId, 2);
      const tracks = await Promise.all([0, 1, 2, 3].map(() => uploadTrack(h, mp3, paid.apiKey)));
      const answers = await Promise.all(
        tracks.map((t) => h.call("/api/v1/wav/generate", { json: { audioId: t.audioId }, key: paid.apiKey })),
      );
      expect(answers.filter((a) => a.code === 200)).toHaveLength(1);
      expect(answers.filter((a) => a.code === 429)).toHaveLength(3);
      expect(await balance(paid.apiKey)).toBe(0);
      const accepted = answers.find((a) => a.code === 200)!;
      // Wait for the conversion: its ffmpeg must not outlive the test that asked for it.
      expect((await settledWav(h, accepted.data.taskId, paid.apiKey)).data.status).toBe("SUCCESS");
    });
  });
}

describe("credits of the voice family", () => {
  it("charges generate (validate is free) and refunds a generate that fails", async () => {
    const h = await startTestHookline();
    const dir = await tmpDir("credits-voice");
    try {
      const paid = await h.newKey("voice");
      await setCredits(h.running.services.store.db, paid.keyId, 1);
      const upload = async (path: string) =>
        (await streamUpload(h, path, { uploadPath: "voice", key: paid.apiKey })).data.downloadUrl as string;
      const source = await upload(
        await speak(dir.path, "en+m3", [
          "The morning light is falling softly on the river.",
          "We keep on singing a brand new song together.",
        ]),
      );
      const notAudio = join(dir.path, "notes.txt");
      await writeFile(notAudio, "these are not the words you are looking for\n".repeat(50));
      const verify = await upload(notAudio);
      const a = await h.call("/api/v1/voice/validate", {
        json: { voiceUrl: source, vocalStartS: 0, vocalEndS: 5 },
        key: paid.apiKey,
      });
      expect(a.code, JSON.stringify(a)).toBe(200);
      const info = async (path: string, taskId: string) =>
        (await h.call(`/api/v1/voice/${path}?taskId=${taskId}`, { key: paid.apiKey })).data;
      await waitFor(
        '(await info("validate-info", a.data.taskId)).status === "wait_validating"',
        async () => (await info("validate-info", a.data.taskId)).status === "wait_validating",
      );
      expect((await h.call("/api/v1/generate/credit", { key: paid.apiKey })).data).toBe(1);

      const b = await h.call("/api/v1/voice/generate", {
        json: { taskId: a.data.taskId, verifyUrl: verify },
        key: paid.apiKey,
      });
      expect(b.code, JSON.stringify(b)).toBe(200);
      expect((await h.call("/api/v1/generate/credit", { key: paid.apiKey })).data).toBe(0);
      await waitFor(
        '(await info("record-info", b.data.taskId)).status === "fail"',
        async () => (await info("record-info", b.data.taskId)).status === "fail",
      );
      expect((await h.call("/api/v1/generate/credit", { key: paid.apiKey })).data).toBe(1);
    } finally {
      await h.stop();
      await dir.cleanup();
    }
  });
});

describe("credits in the kie dialect", () => {
  it("answers 402 when the balance is short", async () => {
    const h = await startTestHookline({ env: { HOOKLINE_CODE_DIALECT: "kie" } });
    const dir = await tmpDir("credits-kie");
    try {
      await setCredits(h.running.services.store.db, h.keyId, 0);
      const track = await uploadTrack(h, await makeAudio(dir.path, { format: "mp3", seconds: 1 }));
      expect((await h.call("/api/v1/wav/generate", { json: { audioId: track.audioId } })).code).toBe(402);
      expect((await h.call("/api/v1/chat/credit")).data).toBe(0);
    } finally {
      await h.stop();
      await dir.cleanup();
    }
  });
});
