/**
 * The live event stream (`GET /api/v1/hookline/events`, issue 12) through the real server: `task` events for a
 * task's creation, its end and its callback; another key's stream sees none of them; a change made by another
 * server on the same database arrives too (the stream polls the database); at most 4 streams per key; a client
 * that leaves releases its stream.
 */
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openEventStreams } from "../../src/routes/events.js";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import { dialects, freshDatabase, type TestDb } from "../helpers/db.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { waitFor } from "../helpers/wait.js";
import { uploadTrack } from "../http/support.js";

interface TaskEvent {
  taskId: string;
  status: string;
  callbackState: string;
}

/** An open stream, read in the background: its raw text and the `task` events parsed from it. */
interface Stream {
  readonly status: number;
  readonly contentType: string | null;
  readonly events: TaskEvent[];
  text: string;
  close(): void;
}

async function openStream(url: string, apiKey: string): Promise<Stream> {
  const stop = new AbortController();
  const res = await fetch(`${url}/api/v1/hookline/events`, {
    headers: { authorization: `Bearer ${apiKey}` },
    signal: stop.signal,
  });
  const stream: Stream = {
    status: res.status,
    contentType: res.headers.get("content-type"),
    events: [],
    text: "",
    close: () => stop.abort(),
  };
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let pending = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        stream.text += value;
        pending += value;
        let end = pending.indexOf("\n\n");
        while (end !== -1) {
          const frame = pending.slice(0, end);
          pending = pending.slice(end + 2);
          const lines = frame.split("\n");
          const data = lines.find((l) => l.startsWith("data: "));
          if (lines.includes("event: task") && data) stream.events.push(JSON.parse(data.slice(6)));
          end = pending.indexOf("\n\n");
        }
      }
    } catch {
      // Closed by the test.
    }
  })();
  return stream;
}

describe.each(dialects())("event stream on %s", (dialect) => {
  let db: TestDb;
  let h: TestHookline;
  let dir: TmpDir;
  let receiver: Receiver;
  let mp3: string;

  beforeAll(async () => {
    db = await freshDatabase(dialect);
    h = await startTestHookline({ database: db.target });
    dir = await tmpDir("events");
    receiver = await startReceiver((_req, res) => res.end("ok"));
    mp3 = await makeAudio(dir.path, { format: "mp3", seconds: 1 });
  });
  afterAll(async () => {
    await receiver.close();
    await h.stop();
    await db.drop();
    await dir.cleanup();
  });

  it("sends task events for a task's creation, end and callback; another key's stream sees none", async () => {
    const other = await h.newKey("other");
    const mine = await openStream(h.url, h.apiKey);
    const theirs = await openStream(h.url, other.apiKey);
    try {
      expect(mine.status).toBe(200);
      expect(mine.contentType).toMatch(/^text\/event-stream/);
      await waitFor("the retry line", () => mine.text.startsWith("retry: 2000\n\n"));
      const track = await uploadTrack(h, mp3);
      // Held back a second before it may run, so that its PENDING state is there to be seen, however busy the machine.
      const gen = await h.call("/api/v1/wav/generate", {
        json: { audioId: track.audioId, callBackUrl: `${receiver.origin}/cb` },
        headers: { "hookline-simulate": "delay=1" },
      });
      expect(gen.code, JSON.stringify(gen)).toBe(200);
      const taskId: string = gen.data.taskId;
      const of = (s: Stream) => s.events.filter((e) => e.taskId === taskId);
      await waitFor("the delivered event", () => of(mine).some((e) => e.callbackState === "delivered"), {
        timeoutMs: 20_000,
      });
      const seen = of(mine);
      expect(seen[0]).toEqual({ taskId, status: "PENDING", callbackState: "none" });
      expect(seen.at(-1)).toEqual({ taskId, status: "SUCCESS", callbackState: "delivered" });
      // The upload's music task is a task of the key too.
      expect(mine.events.some((e) => e.taskId === track.taskId && e.status === "SUCCESS")).toBe(true);
      expect(receiver.requests).toHaveLength(1);
      // One more poll's time for the other stream: it has seen nothing of this key.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(theirs.events).toEqual([]);
    } finally {
      mine.close();
      theirs.close();
    }
    await waitFor("the streams to be released", () => openEventStreams(h.running.services) === 0);
  }, 30_000);

  it("sees a change another server made on the same database", async () => {
    const peer = await startTestHookline({
      database: db.target,
      roles: { api: true, runner: false, sender: false },
    });
    const stream = await openStream(h.url, h.apiKey);
    let stopped = false;
    try {
      const track = await uploadTrack(peer, mp3, h.apiKey);
      await waitFor("the peer's music task", () => stream.events.some((e) => e.taskId === track.taskId), {
        timeoutMs: 5_000,
      });
      // A stream open on a server that stops is ended by it, rather than holding the stop for its grace period.
      const onPeer = await openStream(peer.url, h.apiKey);
      const stopping = performance.now();
      stopped = true;
      await peer.running.stop(30_000);
      expect(performance.now() - stopping).toBeLessThan(20_000);
      expect(openEventStreams(peer.running.services)).toBe(0);
      expect(onPeer.text).toContain("retry: 2000");
    } finally {
      stream.close();
      if (stopped) rmSync(peer.dataDir, { recursive: true, force: true });
      else await peer.stop();
    }
    await waitFor("the stream to be released", () => openEventStreams(h.running.services) === 0);
  }, 30_000);

  it("allows 4 streams per key; a closed one makes room and is no longer counted", async () => {
    const streams = await Promise.all([1, 2, 3, 4].map(() => openStream(h.url, h.apiKey)));
    try {
      expect(streams.map((s) => s.status)).toEqual([200, 200, 200, 200]);
      expect(openEventStreams(h.running.services)).toBe(4);
      const fifth = await h.call("/api/v1/hookline/events");
      expect([429, 430]).toContain(fifth.code);
      expect(fifth.msg).toContain("4 event streams per key");
      // Another key has its own four.
      const other = await h.newKey("other-limit");
      const theirs = await openStream(h.url, other.apiKey);
      expect(theirs.status).toBe(200);
      theirs.close();
      streams[0]!.close();
      await waitFor("the closed streams to be released", () => openEventStreams(h.running.services) === 3);
      const again = await openStream(h.url, h.apiKey);
      expect(again.status).toBe(200);
      streams[0] = again;
    } finally {
      for (const s of streams) s.close();
    }
    await waitFor("every stream to be released", () => openEventStreams(h.running.services) === 0);
  }, 30_000);
});
