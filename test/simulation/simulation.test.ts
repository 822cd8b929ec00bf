/**
 * Failure simulation (issue 5) observed at a real receiver, through the real server: chosen failure codes for
 * every family, a delay (under a hand-held clock), repeated deliveries with one message id, badly signed
 * callbacks that an independent verifier refuses, per-key settings that touch no other key, and the switch that
 * turns it all off.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setSimulation } from "../../src/keys/index.js";
import { ManualClock } from "../../src/lib/clock.js";
import { settledCover } from "../api/cover-support.js";
import { header, verifyReseller, verifyStandard } from "../e2e/support.js";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { waitFor } from "../helpers/wait.js";
import { settledWav, streamUpload, uploadTrack } from "../http/support.js";

describe("failure simulation", () => {
  let h: TestHookline;
  let dir: TmpDir;
  let receiver: Receiver;
  let mp3: string;
  const clock = new ManualClock(Date.now());
  const cb = (tag: string) => `${receiver.origin}/${tag}`;
  const received = (tag: string) => receiver.requests.filter((r) => r.url === `/${tag}`);
  const simulate = (value: string, key?: string) => ({
    headers: { "hookline-simulate": value },
    ...(key ? { key } : {}),
  });
  const wav = async (tag: string, value: string | null, key?: string) => {
    const track = await uploadTrack(h, mp3, key);
    const gen = await h.call("/api/v1/wav/generate", {
      json: { audioId: track.audioId, callBackUrl: cb(tag) },
      ...(value === null ? (key ? { key } : {}) : simulate(value, key)),
    });
    expect(gen.code, JSON.stringify(gen)).toBe(200);
    return gen.data.taskId as string;
  };

  beforeAll(async () => {
    h = await startTestHookline({ clock, env: { HOOKLINE_RETRY_SCHEDULE: "60" } });
    dir = await tmpDir("simulation");
    receiver = await startReceiver((req, res) => {
      res.statusCode = req.url === "/refuse" ? 401 : 200;
      res.end();
    });
    mp3 = await makeAudio(dir.path, { format: "mp3", seconds: 1 });
  });
  afterAll(async () => {
    await receiver.close();
    await h.stop();
    await dir.cleanup();
  });

  it("ends a WAV task with the code asked for, in its record and its callback", async () => {
    const taskId = await wav("wav451", "fail=451");
    const rec = await settledWav(h, taskId);
    expect(rec.data).toMatchObject({ status: "GENERATE_WAV_FAILED", errorCode: 451, response: null });
    expect(rec.data.errorMessage).toMatch(/Simulated failure 451/);
    await waitFor("the WAV callback", () => received("wav451").length === 1);
    const body = JSON.parse(received("wav451")[0]!.body);
    expect(body).toMatchObject({ code: 451, data: { task_id: taskId, audioWavUrl: null } });
    // Correctly signed: simulating a failure is not simulating a forgery.
    expect(() =>
      verifyStandard(h.webhookKey, received("wav451")[0]!.body, received("wav451")[0]!.headers),
    ).not.toThrow();
  });

  it("ends a cover task and a voice validation with the code asked for", async () => {
    const track = await uploadTrack(h, mp3);
    const cover = await h.call("/api/v1/suno/cover/generate", {
      json: { taskId: track.taskId, callBackUrl: cb("cover") },
      ...simulate("fail=531"),
    });
    expect((await settledCover(h, cover.data.taskId)).data).toMatchObject({ successFlag: 3, errorCode: 531 });
    await waitFor("the cover callback", () => received("cover").length === 1);
    expect(JSON.parse(received("cover")[0]!.body)).toMatchObject({ code: 531, data: { images: null } });

    const voice = await h.call("/api/v1/voice/validate", {
      json: { voiceUrl: track.downloadUrl, vocalStartS: 0, vocalEndS: 5, callBackUrl: cb("voice") },
      ...simulate("fail=500"),
    });
    expect(voice.code, JSON.stringify(voice)).toBe(200);
    await waitFor("the voice callback", () => received("voice").length === 1);
    expect(JSON.parse(received("voice")[0]!.body)).toMatchObject({
      code: 500,
      data: { status: "processing_validate_fail", errorCode: 500 },
    });
    const info = await h.call(`/api/v1/voice/validate-info?taskId=${voice.data.taskId}`);
    expect(info.data.errorMessage).toMatch(/Simulated failure 500/);
  });

  it("holds a task back for the delay asked for, then does the real work", async () => {
    const taskId = await wav("delayed", "delay=120");
    // Real time passes, the hand-held clock does not: the task must not start.
    await new Promise((r) => setTimeout(r, 300));
    expect((await h.call(`/api/v1/wav/record-info?taskId=${taskId}`)).data.status).toBe("PENDING");
    clock.advance(119_000);
    await new Promise((r) => setTimeout(r, 300));
    expect((await h.call(`/api/v1/wav/record-info?taskId=${taskId}`)).data.status).toBe("PENDING");
    clock.advance(1_000);
    expect((await settledWav(h, taskId)).data).toMatchObject({ status: "SUCCESS", errorCode: null });
    await waitFor("the delayed callback", () => received("delayed").length === 1);
  });

  it("delivers a callback again, with the same message id, as often as asked", async () => {
    const taskId = await wav("twice", "duplicate=2");
    const log = async () => (await h.call(`/api/v1/hookline/tasks/${taskId}/deliveries`)).data;
    for (const n of [1, 2, 3]) {
      if (n > 1) {
        // The repetition is due a second after the previous attempt ended, by the hand-held clock: move it only
        // once that attempt is recorded (the receiver sees a POST before the sender sees its answer).
        await waitFor(`attempt ${n - 1} recorded`, async () => (await log()).attempts.length === n - 1);
        clock.advance(1_000);
      }
      await waitFor(`delivery ${n}`, () => received("twice").length === n);
    }
    clock.advance(60_000);
    await new Promise((r) => setTimeout(r, 300));
    const copies = received("twice");
    expect(copies).toHaveLength(3);
    expect(new Set(copies.map((c) => header(c.headers, "webhook-id"))).size).toBe(1);
    expect(new Set(copies.map((c) => c.body)).size).toBe(1);
    await waitFor("attempt 3 recorded", async () => (await log()).attempts.length === 3);
    const logged = await log();
    expect(logged.attempts.map((a: { trigger: string }) => a.trigger)).toEqual([
      "auto",
      "duplicate",
      "duplicate",
    ]);
    expect(logged.messages[0]).toMatchObject({ state: "delivered", attempts: 3 });
    // A manual redelivery afterwards is a manual round, not another simulated one.
    expect((await h.call(`/api/v1/hookline/tasks/${taskId}/redeliver`, { method: "POST" })).code).toBe(200);
    await waitFor("the manual redelivery", () => received("twice").length === 4);
    await waitFor("the manual attempt to be logged", async () => {
      const after = await h.call(`/api/v1/hookline/tasks/${taskId}/deliveries`);
      return after.data.attempts.length === 4 && after.data.attempts[3].trigger === "manual";
    });
  });

  it("signs callbacks with a wrong key, which independent verifiers refuse; a refusal is retried", async () => {
    const taskId = await wav("refuse", "bad-signature");
    await waitFor("the badly signed callback", () => received("refuse").length === 1);
    const [first] = received("refuse");
    expect(header(first!.headers, "webhook-signature")).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(() => verifyStandard(h.webhookKey, first!.body, first!.headers)).toThrow();
    expect(verifyReseller(h.webhookKey, taskId, first!.headers)).toBe(false);
    // The retry is due a minute (±10 %) after the attempt ended: move the clock once the attempt is recorded.
    await waitFor(
      "the refused attempt recorded",
      async () => (await h.call(`/api/v1/hookline/tasks/${taskId}/deliveries`)).data.attempts.length === 1,
    );
    clock.advance(70_000);
    await waitFor("the retry", () => received("refuse").length === 2);
    expect(() =>
      verifyStandard(h.webhookKey, received("refuse")[1]!.body, received("refuse")[1]!.headers),
    ).toThrow();
  });

  it("applies a key's standing setting to that key only; the header overrides it for one request", async () => {
    const other = await h.newKey("other");
    const sim = await h.newKey("simulating");
    await setSimulation(h.running.services.store, sim.keyId, "fail=501");
    const failed = await wav("standing", null, sim.apiKey);
    expect((await settledWav(h, failed, sim.apiKey)).data).toMatchObject({ errorCode: 501 });
    const real = await wav("standing-off", "off", sim.apiKey);
    expect((await settledWav(h, real, sim.apiKey)).data).toMatchObject({ status: "SUCCESS" });
    const untouched = await wav("other", null, other.apiKey);
    expect((await settledWav(h, untouched, other.apiKey)).data).toMatchObject({ status: "SUCCESS" });
  });

  it("refuses a malformed header with the grammar, and makes no task", async () => {
    const track = await uploadTrack(h, mp3);
    const res = await h.call("/api/v1/wav/generate", {
      json: { audioId: track.audioId },
      ...simulate("fail=200"),
    });
    expect(res.code).toBe(400);
    expect(res.msg).toMatch(/fail=400\|408\|451\|500\|501\|531/);
    const again = await h.call("/api/v1/wav/generate", { json: { audioId: track.audioId } });
    expect(again.code).toBe(200);
  });
});

describe("failure simulation turned off", () => {
  it("refuses the header and ignores a key's setting", async () => {
    const h = await startTestHookline({ env: { HOOKLINE_SIMULATION: "off" } });
    const dir = await tmpDir("simulation-off");
    try {
      const mp3 = await makeAudio(dir.path, { format: "mp3", seconds: 1 });
      const a = await uploadTrack(h, mp3);
      const refused = await h.call("/api/v1/wav/generate", {
        json: { audioId: a.audioId },
        headers: { "hookline-simulate": "fail=500" },
      });
      expect(refused.code).toBe(400);
      expect(refused.msg).toMatch(/HOOKLINE_SIMULATION/);
      await setSimulation(h.running.services.store, h.keyId, "fail=500");
      const b = await uploadTrack(h, mp3);
      const gen = await h.call("/api/v1/wav/generate", { json: { audioId: b.audioId } });
      expect((await settledWav(h, gen.data.taskId)).data.status).toBe("SUCCESS");
      expect((await streamUpload(h, mp3)).code).toBe(200);
    } finally {
      await h.stop();
      await dir.cleanup();
    }
  });
});
