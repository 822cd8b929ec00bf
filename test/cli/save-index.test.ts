/**
 * The `listen --save` index on real files: what each family's callback records, each task processed once, voiceIds
 * kept with their task, and the atomic write (a reload sees exactly what was saved; no temporary file is left).
 */
import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SaveIndex } from "../../src/cli/listen/save-index.js";
import { type Callback, parseCallback } from "../../src/client/index.js";
import { type TmpDir, tmpDir } from "../helpers/audio.js";

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
});
