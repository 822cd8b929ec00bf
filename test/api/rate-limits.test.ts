/**
 * Per-key limits through the real server (spec 12.3; issue 9, finding 9): `HOOKLINE_RATE_LIMIT` and a key's own
 * setting answer 430 (sunoapi) / 429 (kie) with Retry-After; manual redelivery is limited per key and per message
 * (before, 300 redeliver calls sent 298 POSTs to a target of the caller's choosing in 4 s).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setRateLimit } from "../../src/keys/index.js";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { waitFor } from "../helpers/wait.js";
import { settledWav, uploadTrack } from "../http/support.js";

let dir: TmpDir;
beforeAll(async () => {
  dir = await tmpDir("rate-limits");
});
afterAll(() => dir.cleanup());

describe("HOOKLINE_RATE_LIMIT=5", () => {
  let h: TestHookline;
  beforeAll(async () => {
    h = await startTestHookline({ env: { HOOKLINE_RATE_LIMIT: "5" } });
  });
  afterAll(() => h.stop());

  it("lets five requests a minute through, then answers 430 with Retry-After; other keys count alone", async () => {
    for (let i = 0; i < 5; i++) expect((await h.call("/api/v1/generate/credit")).code).toBe(200);
    const res = await h.api("/api/v1/generate/credit");
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    const body = (await res.json()) as { code: number; msg: string };
    expect(body.code).toBe(430);
    expect(body.msg).toMatch(/^Rate limit: 5 requests per minute for this key; try again in \d+ s$/);
    const other = await h.newKey("other");
    expect((await h.call("/api/v1/generate/credit", { key: other.apiKey })).code).toBe(200);
  });

  it("a key's own setting wins: off (0) lifts it, a number replaces it", async () => {
    const free = await h.newKey("free");
    const tight = await h.newKey("tight");
    await setRateLimit(h.running.services.store, free.keyId, 0);
    await setRateLimit(h.running.services.store, tight.keyId, 1);
    for (let i = 0; i < 10; i++) {
      expect((await h.call("/api/v1/generate/credit", { key: free.apiKey })).code).toBe(200);
    }
    expect((await h.call("/api/v1/generate/credit", { key: tight.apiKey })).code).toBe(200);
    expect((await h.call("/api/v1/generate/credit", { key: tight.apiKey })).code).toBe(430);
  });
});

describe("the kie dialect", () => {
  let h: TestHookline;
  beforeAll(async () => {
    h = await startTestHookline({ env: { HOOKLINE_RATE_LIMIT: "1", HOOKLINE_CODE_DIALECT: "kie" } });
  });
  afterAll(() => h.stop());

  it("answers 429", async () => {
    await h.call("/api/v1/chat/credit");
    expect((await h.call("/api/v1/chat/credit")).code).toBe(429);
  });
});

describe("manual redelivery (HOOKLINE_REDELIVER_PER_MINUTE default 10)", () => {
  let h: TestHookline;
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver((_req, res) => res.end("ok"));
    h = await startTestHookline();
  });
  afterAll(async () => {
    await h.stop();
    await receiver.close();
  });

  it("300 calls at once send at most one POST per redelivery allowed: ≤ 10 for the key, one at a time", async () => {
    const audio = await makeAudio(dir.path, { format: "mp3", seconds: 1 });
    const { audioId } = await uploadTrack(h, audio);
    const gen = await h.call("/api/v1/wav/generate", {
      json: { audioId, callBackUrl: `${receiver.origin}/hook` },
    });
    expect((await settledWav(h, gen.data.taskId)).data.status).toBe("SUCCESS");
    await waitFor("the callback", () => receiver.requests.length > 0);
    expect(receiver.requests).toHaveLength(1);

    const path = `/api/v1/hookline/tasks/${gen.data.taskId}/redeliver`;
    const answers = await Promise.all(
      Array.from({ length: 300 }, () => h.call(path, { method: "POST", json: {} })),
    );
    const accepted = answers.filter((a) => a.code === 200);
    expect(answers.filter((a) => a.code !== 200 && a.code !== 430)).toEqual([]);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(accepted.length).toBeLessThanOrEqual(10);
    await new Promise((r) => setTimeout(r, 1_500));
    // An accepted call either queued a round or found one already due (and was answered by it): never more
    // POSTs than accepted calls, and at least the one asked for.
    expect(receiver.requests.length).toBeGreaterThanOrEqual(2);
    expect(receiver.requests.length).toBeLessThanOrEqual(1 + accepted.length);
    expect(answers.some((a) => /^Redelivery limit: 10 per minute for this key/.test(a.msg))).toBe(true);
  });
});
