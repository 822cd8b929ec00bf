/**
 * Receivers at a glance (`GET /api/v1/hookline/receivers`, issue 12) through the real server: per callback URL,
 * the last day's attempts, deliveries, failures, success rate, latency percentiles and the last answer, the most
 * recently tried first; another key sees none; attempts older than a day drop out. A hand-held clock moves the
 * retries and the day along.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/lib/clock.js";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import { dialects, freshDatabase, type TestDb } from "../helpers/db.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { waitFor } from "../helpers/wait.js";
import { uploadTrack } from "../http/support.js";

describe.each(dialects())("receivers on %s", (dialect) => {
  let db: TestDb;
  let h: TestHookline;
  let dir: TmpDir;
  let ok: Receiver;
  let failing: Receiver;
  let mp3: string;
  const clock = new ManualClock(Date.now());

  beforeAll(async () => {
    db = await freshDatabase(dialect);
    // One retry, a minute after the first attempt: the clock is moved past it.
    h = await startTestHookline({ clock, database: db.target, env: { HOOKLINE_RETRY_SCHEDULE: "60" } });
    dir = await tmpDir("receivers");
    ok = await startReceiver((_req, res) => res.end("ok"));
    failing = await startReceiver((_req, res) => res.writeHead(500).end("broken"));
    mp3 = await makeAudio(dir.path, { format: "mp3", seconds: 1 });
  });
  afterAll(async () => {
    await ok.close();
    await failing.close();
    await h.stop();
    await db.drop();
    await dir.cleanup();
  });

  const submit = async (url: string) => {
    const track = await uploadTrack(h, mp3);
    const gen = await h.call("/api/v1/wav/generate", { json: { audioId: track.audioId, callBackUrl: url } });
    expect(gen.code, JSON.stringify(gen)).toBe(200);
    return gen.data.taskId as string;
  };
  const callbackState = async (taskId: string) =>
    (await h.call(`/api/v1/hookline/tasks/${taskId}`)).data.callbackState as string;

  it("sums up each receiver's last day, the most recently tried first", async () => {
    const delivered = [await submit(`${ok.origin}/a`), await submit(`${ok.origin}/a`)];
    for (const id of delivered)
      await waitFor("delivered", async () => (await callbackState(id)) === "delivered");
    clock.advance(1_000);
    const broken = await submit(`${failing.origin}/b`);
    await waitFor("the first failed attempt", async () => (await callbackState(broken)) === "retrying");
    clock.advance(70_000);
    await waitFor("the callback given up", async () => (await callbackState(broken)) === "failed");

    const res = await h.call("/api/v1/hookline/receivers");
    expect(res.code, JSON.stringify(res)).toBe(200);
    const [first, second] = res.data.receivers;
    expect(res.data.receivers).toHaveLength(2);
    expect(first).toMatchObject({
      url: `${failing.origin}/b`,
      host: `127.0.0.1:${failing.port}`,
      attempts: 2,
      delivered: 0,
      failedAttempts: 2,
      successRate: 0,
      lastStatusCode: 500,
    });
    expect(Date.parse(first.lastAttemptTime)).toBeGreaterThan(Date.parse(second.lastAttemptTime));
    expect(second).toMatchObject({
      url: `${ok.origin}/a`,
      host: `127.0.0.1:${ok.port}`,
      attempts: 2,
      delivered: 2,
      failedAttempts: 0,
      successRate: 1,
      lastStatusCode: 200,
      lastError: null,
    });
    for (const r of [first, second]) {
      expect(r.p50LatencyMs).toBeTypeOf("number");
      expect(r.p95LatencyMs).toBeGreaterThanOrEqual(r.p50LatencyMs);
    }

    const other = await h.newKey("other");
    expect((await h.call("/api/v1/hookline/receivers", { key: other.apiKey })).data.receivers).toEqual([]);

    clock.advance(25 * 3600_000);
    expect((await h.call("/api/v1/hookline/receivers")).data.receivers).toEqual([]);
  }, 60_000);
});
