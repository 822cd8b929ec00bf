/**
 * The callback stream (`GET /api/v1/hookline/callbacks/stream`, issue 13) through the real server on SQLite and
 * PostgreSQL: a callback enqueued after the stream opened arrives as an event whose body is the exact text the
 * real delivery carried and whose headers the `standardwebhooks` package verifies with the key's webhook key; the
 * real delivery goes on untouched; another key's stream sees nothing; a reported result shows in the delivery log
 * as a `stream` attempt; a foreign message id is refused; a resumed stream (Last-Event-ID) replays what was enqueued
 * while it was closed; a simulated bad signature reaches the stream too; a revoked key's stream ends.
 */

import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { revokeKey } from "../../src/keys/index.js";
import { openCallbackStreams } from "../../src/routes/callback-stream.js";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import { dialects, freshDatabase, type TestDb } from "../helpers/db.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { waitFor } from "../helpers/wait.js";
import { uploadTrack } from "../http/support.js";

interface CallbackEvent {
  messageId: string;
  taskId: string;
  event: string;
  headers: Record<string, string>;
  body: string;
}

/** An open stream read in the background: its frames (event name, id, parsed data) and whether it ended. */
interface Stream {
  readonly status: number;
  readonly contentType: string | null;
  readonly frames: { event: string; id: string | null; data: unknown }[];
  ended: boolean;
  callbacks(): (CallbackEvent & { id: string | null })[];
  close(): void;
}

async function openStream(url: string, apiKey: string, lastEventId?: string): Promise<Stream> {
  const stop = new AbortController();
  const res = await fetch(`${url}/api/v1/hookline/callbacks/stream`, {
    headers: {
      authorization: `Bearer ${apiKey}`,
      ...(lastEventId === undefined ? {} : { "last-event-id": lastEventId }),
    },
    signal: stop.signal,
  });
  const stream: Stream = {
    status: res.status,
    contentType: res.headers.get("content-type"),
    frames: [],
    ended: false,
    callbacks: () =>
      stream.frames
        .filter((f) => f.event === "callback")
        .map((f) => ({ ...(f.data as CallbackEvent), id: f.id })),
    close: () => stop.abort(),
  };
  if (!stream.contentType?.startsWith("text/event-stream")) {
    stream.frames.push({ event: "answer", id: null, data: await res.json() });
    stream.ended = true;
    return stream;
  }
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let pending = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        pending += value;
        for (let end = pending.indexOf("\n\n"); end !== -1; end = pending.indexOf("\n\n")) {
          const lines = pending.slice(0, end).split("\n");
          pending = pending.slice(end + 2);
          const field = (name: string) =>
            lines.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2) ?? null;
          const event = field("event");
          const data = field("data");
          if (event !== null && data !== null)
            stream.frames.push({ event, id: field("id"), data: JSON.parse(data) });
        }
      }
    } catch {
      // Closed by the test.
    }
    stream.ended = true;
  })();
  return stream;
}

/** The Standard Webhooks check of the `standardwebhooks` package (throws on a bad signature). */
const verify = (webhookKey: string, e: CallbackEvent) =>
  new Webhook(webhookKey).verify(e.body, {
    "webhook-id": e.headers["webhook-id"] ?? "",
    "webhook-timestamp": e.headers["webhook-timestamp"] ?? "",
    "webhook-signature": e.headers["webhook-signature"] ?? "",
  });

describe.each(dialects())("callback stream on %s", (dialect) => {
  let db: TestDb;
  let h: TestHookline;
  let dir: TmpDir;
  let receiver: Receiver;
  let mp3: string;
  const delivered = (taskId: string) =>
    receiver.requests.filter(
      (r) => (JSON.parse(r.body) as { data: { task_id: string } }).data.task_id === taskId,
    );

  /** A WAV task that fails at once (simulation), with a callback to the receiver; answers its task id. */
  const failingTask = async (simulate = "fail=501", key = h.apiKey) => {
    const track = await uploadTrack(h, mp3, key);
    const gen = await h.call("/api/v1/wav/generate", {
      json: { audioId: track.audioId, callBackUrl: `${receiver.origin}/cb` },
      headers: { "hookline-simulate": simulate },
      key,
    });
    expect(gen.code, JSON.stringify(gen)).toBe(200);
    return gen.data.taskId as string;
  };

  beforeAll(async () => {
    db = await freshDatabase(dialect);
    h = await startTestHookline({ database: db.target });
    dir = await tmpDir("callback-stream");
    receiver = await startReceiver((_req, res) => res.end("ok"));
    mp3 = await makeAudio(dir.path, { format: "mp3", seconds: 1 });
  });
  afterAll(async () => {
    await receiver.close();
    await h.stop();
    await db.drop();
    await dir.cleanup();
  });

  it("carries a new callback signed for the key, logs a reported result, and leaves the real delivery alone", async () => {
    const other = await h.newKey("other");
    const mine = await openStream(h.url, h.apiKey);
    const theirs = await openStream(h.url, other.apiKey);
    try {
      expect(mine.status).toBe(200);
      expect(mine.contentType).toMatch(/^text\/event-stream/);
      const taskId = await failingTask();
      const [event] = await waitFor("the streamed callback", () => {
        const got = mine.callbacks().filter((e) => e.taskId === taskId);
        return got.length > 0 && got;
      });
      await waitFor("the real delivery", () => delivered(taskId).length === 1);
      const real = delivered(taskId)[0]!;
      // The exact text the real delivery carried, the same message id, signed for this key.
      expect(event!.body).toBe(real.body);
      expect(event!.messageId).toBe(real.headers["webhook-id"]);
      expect(event!.event).toBe("wav.failed");
      expect(verify(h.webhookKey, event!)).toMatchObject({ code: 501, data: { task_id: taskId } });
      expect(event!.headers["content-type"]).toBe("application/json");
      expect(event!.id).toMatch(/^[\w-]+$/);

      const report = {
        messageId: event!.messageId,
        statusCode: 204,
        latencyMs: 12,
        error: null,
        responseExcerpt: "",
        target: "http://localhost:8080/hook",
        headers: event!.headers,
      };
      const logged = await h.call("/api/v1/hookline/callbacks/stream/results", { json: report });
      expect(logged).toMatchObject({ code: 200, data: { messageId: event!.messageId, number: 1 } });
      // Another key's report of the same message is refused as not found, and logs nothing.
      const foreign = await h.call("/api/v1/hookline/callbacks/stream/results", {
        json: report,
        key: other.apiKey,
      });
      expect(foreign.code).toBe(404);
      const malformed = await h.call("/api/v1/hookline/callbacks/stream/results", {
        json: { ...report, latencyMs: -1 },
      });
      expect(malformed.code).not.toBe(200);

      const log = await h.call(`/api/v1/hookline/tasks/${taskId}/deliveries`);
      expect(log.data.messages).toEqual([
        expect.objectContaining({ messageId: event!.messageId, state: "delivered", attempts: 1 }),
      ]);
      const attempts = log.data.attempts as Record<string, unknown>[];
      expect(attempts).toHaveLength(2);
      expect(attempts[0]).toMatchObject({
        trigger: "auto",
        outcome: "delivered",
        statusCode: 200,
        target: null,
      });
      expect(attempts[1]).toMatchObject({
        trigger: "stream",
        number: 1,
        outcome: "delivered",
        statusCode: 204,
        latencyMs: 12,
        target: "http://localhost:8080/hook",
        signatures: { standardWebhooks: 1 },
      });
      // The receivers view counts the real deliveries only.
      const receivers = await h.call("/api/v1/hookline/receivers");
      expect(receivers.data.receivers).toEqual([
        expect.objectContaining({ url: `${receiver.origin}/cb`, attempts: 1, delivered: 1 }),
      ]);
      // One more look's time for the other stream: it has seen nothing of this key.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(theirs.callbacks()).toEqual([]);
    } finally {
      mine.close();
      theirs.close();
    }
    await waitFor("the streams to be released", () => openCallbackStreams(h.running.services) === 0);
  }, 30_000);

  it("replays what was enqueued while it was closed when resumed with Last-Event-ID", async () => {
    const first = await openStream(h.url, h.apiKey);
    const before = await failingTask();
    const seen = await waitFor("the first callback", () =>
      first.callbacks().find((e) => e.taskId === before),
    );
    first.close();
    const missed = [await failingTask(), await failingTask()];
    await waitFor("the missed tasks' real deliveries", () => missed.every((t) => delivered(t).length === 1));
    const resumed = await openStream(h.url, h.apiKey, seen.id!);
    try {
      const replayed = await waitFor("the replay", () => {
        const got = resumed.callbacks().filter((e) => missed.includes(e.taskId));
        return got.length === 2 && got;
      });
      for (const e of replayed) {
        expect(e.body).toBe(delivered(e.taskId)[0]!.body);
        expect(verify(h.webhookKey, e)).toBeTruthy();
      }
      // Each event has a place of its own to resume from, past the one resumed from: of two read in the same
      // look, resuming after the first does not skip the second.
      const ids = replayed.map((e) => e.id);
      expect(new Set([seen.id, ...ids]).size).toBe(3);
    } finally {
      resumed.close();
    }
    const bad = await openStream(h.url, h.apiKey, "not a cursor");
    expect(bad.frames[0]?.data).toMatchObject({ code: 400 });
  }, 30_000);

  it("sends a simulated bad signature as it is delivered: refused by the key", async () => {
    const stream = await openStream(h.url, h.apiKey);
    try {
      const taskId = await failingTask("fail=501,bad-signature");
      const event = await waitFor("the streamed callback", () =>
        stream.callbacks().find((e) => e.taskId === taskId),
      );
      expect(() => verify(h.webhookKey, event)).toThrow();
      expect(event.headers["webhook-id"]).toBe(event.messageId);
    } finally {
      stream.close();
    }
  }, 30_000);

  it("ends the stream of a key revoked while it is open; a revoked key gets no stream", async () => {
    const doomed = await h.newKey("doomed");
    const stream = await openStream(h.url, doomed.apiKey);
    await waitFor("the stream to open", () => openCallbackStreams(h.running.services) === 1);
    const { store, clock } = h.running.services;
    await revokeKey(store, clock, { id: doomed.keyId });
    await waitFor("the stream to end", () => stream.ended);
    expect(stream.frames.at(-1)).toEqual({ event: "end", id: null, data: { reason: "key_revoked" } });
    const again = await openStream(h.url, doomed.apiKey);
    expect(again.frames[0]?.data).toMatchObject({ code: 401 });
    await waitFor("the stream to be released", () => openCallbackStreams(h.running.services) === 0);
  }, 30_000);
});
