/**
 * "Send a test callback" (issue 12): the task's latest callback, signed as an attempt signs it, sent once to
 * another URL; the answer shows what that receiver said and the headers sent; nothing enters the delivery log; the
 * URL is vetted as a callBackUrl is; another key's task is not found. On SQLite and PostgreSQL.
 */
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import { dialects, freshDatabase, type TestDb } from "../helpers/db.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { waitFor } from "../helpers/wait.js";
import { settledWav, uploadTrack } from "../http/support.js";

describe.each(dialects())("test callbacks on %s", (dialect) => {
  let db: TestDb;
  let h: TestHookline;
  let dir: TmpDir;
  let real: Receiver;
  let probe: Receiver;
  let taskId: string;
  let quietTaskId: string;

  beforeAll(async () => {
    db = await freshDatabase(dialect);
    h = await startTestHookline({ database: db.target });
    dir = await tmpDir("test-callback");
    real = await startReceiver((_req, res) => res.end("ok"));
    probe = await startReceiver((_req, res) => {
      res.statusCode = 418;
      res.end("a teapot under test");
    });
    const track = await makeAudio(dir.path, { format: "mp3", seconds: 2 });
    const src = await uploadTrack(h, track);
    const wav = await h.call("/api/v1/wav/generate", {
      json: { taskId: src.taskId, audioId: src.audioId, callBackUrl: `${real.origin}/hook` },
    });
    taskId = wav.data.taskId;
    await settledWav(h, taskId);
    await waitFor("the real callback", () => real.requests.length === 1);
    const other = await makeAudio(dir.path, { format: "flac", seconds: 2 });
    const src2 = await uploadTrack(h, other);
    quietTaskId = (
      await h.call("/api/v1/wav/generate", { json: { taskId: src2.taskId, audioId: src2.audioId } })
    ).data.taskId;
  }, 60_000);
  afterAll(async () => {
    await real.close();
    await probe.close();
    await h.stop();
    await db.drop();
    await dir.cleanup();
  });

  it("sends the callback, signed, to the other URL once, and answers what that receiver said", async () => {
    const before = await h.call(`/api/v1/hookline/tasks/${taskId}/deliveries`);
    const res = await h.call(`/api/v1/hookline/tasks/${taskId}/test-callback`, {
      json: { url: `${probe.origin}/under-test` },
    });
    expect(res.code, JSON.stringify(res)).toBe(200);
    expect(res.data).toMatchObject({
      url: `${probe.origin}/under-test`,
      statusCode: 418,
      outcome: "failed",
      responseExcerpt: "a teapot under test",
    });
    expect(probe.requests).toHaveLength(1);
    const got = probe.requests[0]!;
    expect(got.body).toBe(real.requests[0]!.body);
    expect(got.headers["webhook-id"]).toBe(real.requests[0]!.headers["webhook-id"]);
    expect(res.data.headers["webhook-signature"]).toBe(got.headers["webhook-signature"]);
    const headers = {
      "webhook-id": String(got.headers["webhook-id"]),
      "webhook-timestamp": String(got.headers["webhook-timestamp"]),
      "webhook-signature": String(got.headers["webhook-signature"]),
    };
    expect(new Webhook(h.webhookKey).verify(got.body, headers)).toMatchObject({ taskId });
    // Not retried, not logged.
    const after = await h.call(`/api/v1/hookline/tasks/${taskId}/deliveries`);
    expect(after.data.attempts).toEqual(before.data.attempts);
    expect(real.requests).toHaveLength(1);
  });

  it("the delivery log shows the headers each attempt sent and which signatures they were", async () => {
    const log = await h.call(`/api/v1/hookline/tasks/${taskId}/deliveries`);
    const [first] = log.data.attempts;
    const got = real.requests[0]!.headers;
    for (const name of ["webhook-id", "webhook-timestamp", "webhook-signature", "x-webhook-signature"])
      expect(first.headers[name], name).toBe(got[name]);
    expect(first.signatures).toEqual({ standardWebhooks: 1, reseller: true });
  });

  it("refuses a URL a callBackUrl could not have, a task without a callback, and another key's task", async () => {
    const refused = await h.call(`/api/v1/hookline/tasks/${taskId}/test-callback`, {
      json: { url: "http://169.254.169.254/latest/meta-data" },
    });
    expect(refused.code).not.toBe(200);
    expect(refused.msg).toMatch(/refused|not allowed|metadata|link-local/i);
    const quiet = await h.call(`/api/v1/hookline/tasks/${quietTaskId}/test-callback`, {
      json: { url: `${probe.origin}/x` },
    });
    expect(quiet.code).toBe(400);
    expect(quiet.msg).toMatch(/no callback/);
    const other = await h.newKey("other");
    const theirs = await h.call(`/api/v1/hookline/tasks/${taskId}/test-callback`, {
      json: { url: `${probe.origin}/x` },
      key: other.apiKey,
    });
    expect(theirs.code).toBe(404);
    expect(probe.requests).toHaveLength(1);
  });
});
