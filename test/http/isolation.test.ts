/**
 * Tenant isolation on the wire (DESIGN invariant 7, spec 13): another key's ids answer exactly like unknown ids,
 * 404 with the same message, nothing leaked.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import type { Envelope } from "../helpers/hookline.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { expectServing, settledWav, uploadTrack } from "./support.js";

const UNKNOWN_TASK = "0123456789abcdef0123456789abcdef";
const UNKNOWN_AUDIO = "6f1c2b1e-8d0a-4c55-9f3e-2a7b9c0d1e2f";

describe.each(["sunoapi", "kie"] as const)("another key's ids, %s dialect", (dialect) => {
  let h: TestHookline;
  let dir: TmpDir;
  let receiver: Receiver;
  let mine: { musicTaskId: string; audioId: string; wavTaskId: string; filePath: string };
  let otherKey: string;

  beforeAll(async () => {
    h = await startTestHookline({ env: { HOOKLINE_CODE_DIALECT: dialect } });
    dir = await tmpDir("isolation");
    receiver = await startReceiver((_req, res) => res.end("ok"));
    const track = await uploadTrack(h, await makeAudio(dir.path, { format: "mp3", seconds: 1 }));
    const gen = await h.call("/api/v1/wav/generate", {
      json: { audioId: track.audioId, callBackUrl: `${receiver.origin}/cb` },
    });
    expect(gen.code).toBe(200);
    expect((await settledWav(h, gen.data.taskId)).data.status).toBe("SUCCESS");
    mine = {
      musicTaskId: track.taskId,
      audioId: track.audioId,
      wavTaskId: gen.data.taskId,
      filePath: track.filePath,
    };
    otherKey = (await h.newKey("intruder")).apiKey;
  });
  afterAll(async () => {
    await receiver.close();
    await h.stop();
    await dir.cleanup();
  });

  /** Asks with the other key for `mine` and for an unknown id: both answers must be the same 404. */
  async function same(ask: (id: string) => Promise<Envelope>, id: string, unknown: string) {
    const theirs = await ask(id);
    const nobody = await ask(unknown);
    expect(theirs).toMatchObject({ code: 404, data: null });
    expect(theirs).toEqual(nobody);
    await expectServing(h);
  }

  it("GET /api/v1/wav/record-info", async () => {
    const ask = (id: string) => h.call(`/api/v1/wav/record-info?taskId=${id}`, { key: otherKey });
    await same(ask, mine.wavTaskId, UNKNOWN_TASK);
  });

  it("GET /api/v1/generate/record-info", async () => {
    const ask = (id: string) => h.call(`/api/v1/generate/record-info?taskId=${id}`, { key: otherKey });
    await same(ask, mine.musicTaskId, UNKNOWN_TASK);
  });

  it("POST /api/v1/wav/generate with their audioId", async () => {
    const ask = (id: string) => h.call("/api/v1/wav/generate", { key: otherKey, json: { audioId: id } });
    await same(ask, mine.audioId, UNKNOWN_AUDIO);
  });

  it("GET …/deliveries, POST …/redeliver, DELETE the task", async () => {
    for (const [method, suffix] of [
      ["GET", "/deliveries"],
      ["POST", "/redeliver"],
      ["DELETE", ""],
    ] as const) {
      const ask = (id: string) => h.call(`/api/v1/hookline/tasks/${id}${suffix}`, { key: otherKey, method });
      await same(ask, mine.wavTaskId, UNKNOWN_TASK);
    }
  });

  it("DELETE their file, and their tasks are not in the list", async () => {
    const ask = (path: string) =>
      h.call(`/api/v1/hookline/files/${path}`, { key: otherKey, method: "DELETE" });
    await same(ask, mine.filePath, "music/none.mp3");
    const list = await h.call("/api/v1/hookline/tasks", { key: otherKey });
    expect(list.data.tasks).toEqual([]);
  });

  it("the owner still sees everything afterwards", async () => {
    const rec = await h.call(`/api/v1/wav/record-info?taskId=${mine.wavTaskId}`);
    expect(rec.data).toMatchObject({ taskId: mine.wavTaskId, musicId: mine.audioId, status: "SUCCESS" });
    const wav = await fetch(rec.data.response.audioWavUrl);
    expect(wav.status).toBe(200);
    await wav.arrayBuffer();
    const deliveries = await h.call(`/api/v1/hookline/tasks/${mine.wavTaskId}/deliveries`);
    expect(deliveries.code).toBe(200);
  });
});
