/**
 * The `listen --save` index on real files: what each family's callback records, each task processed once, voiceIds
 * kept with their task, and the atomic write (a reload sees exactly what was saved; no temporary file is left).
 */
import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Downloader, expiryOf } from "../../src/cli/listen/downloader.js";
import { SaveIndex } from "../../src/cli/listen/save-index.js";
import { type Callback, parseCallback } from "../../src/client/index.js";
import { type TmpDir, tmpDir } from "../helpers/audio.js";
import { startReceiver } from "../helpers/receiver.js";
import { waitFor } from "../helpers/wait.js";

const T = "0123456789abcdef0123456789abcdef";
const cb = (body: unknown): Callback => {
  const r = parseCallback(body as object);
  if (!r.ok) throw new Error(r.message);
  return r.callback;
};
const at = new Date("2026-01-01T00:00:00Z");

describe("listen --save index", () => {
  let dir: TmpDir;
  beforeAll(async () => {
    dir = await tmpDir("save-index");
  });
  afterAll(() => dir.cleanup());

  it("schedules both cover images once; a second message for a finished task is not processed again", async () => {
    const index = new SaveIndex(`${dir.path}/a`);
    await index.load();
    const cover = cb({
      code: 200,
      msg: "ok",
      data: { taskId: T, images: ["http://h/files/1/a.png?s=1", "http://h/files/2/b.png"] },
    });
    expect(index.record(cover, "msg_1", at)).toBe("new");
    expect(index.pending().map((p) => p.file.path)).toEqual([`cover/${T}-1.png`, `cover/${T}-2.png`]);
    expect(index.record(cover, "msg_1", at)).toBe("duplicate_message");
    expect(index.record(cover, "msg_2", at)).toBe("task_already_processed");
    expect(index.pending()).toHaveLength(2);
    expect(index.data.tasks[T]).toMatchObject({ deliveries: 3, messages: ["msg_1", "msg_2"] });
  });

  it("records the phrase of a validation task, newest first, and each voiceId with its task", async () => {
    const index = new SaveIndex(`${dir.path}/b`);
    await index.load();
    const a = "a".repeat(32);
    const b = "b".repeat(32);
    const validate = (phrase: string) =>
      cb({
        code: 200,
        msg: "ok",
        data: { taskId: a, validateInfo: phrase, status: "wait_validating", errorCode: 0 },
      });
    expect(index.record(validate("first phrase"), "msg_a1", at)).toBe("new");
    expect(index.record(validate("second phrase"), "msg_a2", at)).toBe("updated");
    expect(index.data.tasks[a]).toMatchObject({ family: "voice-validate", validateInfo: "second phrase" });
    index.record(
      cb({ code: 200, msg: "ok", data: { taskId: b, voiceId: "voice_x", status: "success" } }),
      "msg_b",
      at,
    );
    expect(index.data.voices).toEqual({ voice_x: b });
    expect(index.data.tasks[b]).toMatchObject({
      family: "voice-generate",
      voiceId: "voice_x",
      status: "success",
    });
    // A failed WAV is recorded, with nothing to download.
    index.record(
      cb({ code: 451, msg: "source", data: { task_id: "c".repeat(32), audioWavUrl: null } }),
      "msg_c",
      at,
    );
    expect(index.pending()).toHaveLength(0);

    await index.save();
    await Promise.all([index.save(), index.save()]);
    const again = new SaveIndex(`${dir.path}/b`);
    await again.load();
    expect(again.data).toEqual(index.data);
    expect(readdirSync(`${dir.path}/b`)).toEqual(["hookline-index.json"]);
  });

  it("downloads with retries: a 5xx is retried, an expired link (410, or past its expires) is given up", async () => {
    let calls = 0;
    const files = await startReceiver((req, res) => {
      if (req.url?.startsWith("/gone")) return void res.writeHead(410).end();
      if (req.url?.startsWith("/flaky") && ++calls === 1) return void res.writeHead(503).end();
      if (req.url?.startsWith("/stale")) return void res.writeHead(503).end();
      res.end("RIFFdata");
    });
    try {
      const index = new SaveIndex(`${dir.path}/c`);
      await index.load();
      const wav = (id: string, url: string) =>
        cb({ code: 200, msg: "ok", data: { task_id: id.repeat(32), audioWavUrl: `${files.origin}${url}` } });
      const past = Math.floor(Date.now() / 1000) - 1;
      index.record(wav("1", "/flaky/a.wav"), "m1", at);
      index.record(wav("2", "/gone/b.wav"), "m2", at);
      index.record(wav("3", `/stale/c.wav?expires=${past}&signature=x`), "m3", at);
      expect(expiryOf(`${files.origin}/x?expires=${past}`)).toBe(past * 1000);
      const events: { path: string; state: string; retryInMs: number | null }[] = [];
      const downloader = new Downloader(index, {
        baseDelayMs: 20,
        report: ({ file, retryInMs }) => events.push({ path: file.path, state: file.state, retryInMs }),
      });
      downloader.kick();
      await waitFor("four download reports", () => events.length >= 4, {
        state: () => events,
        intervalMs: 20,
      });
      downloader.stop();
      const last = (p: string) => events.filter((e) => e.path.includes(p)).at(-1);
      expect(last("1".repeat(32))).toMatchObject({ state: "done" });
      expect(events.filter((e) => e.path.includes("1".repeat(32)))).toHaveLength(2);
      expect(last("2".repeat(32))).toMatchObject({ state: "failed", retryInMs: null });
      expect(last("3".repeat(32))).toMatchObject({ state: "failed", retryInMs: null });
      const saved = new SaveIndex(`${dir.path}/c`);
      await saved.load();
      expect(saved.pending()).toHaveLength(0);
    } finally {
      await files.close();
    }
  });
});
