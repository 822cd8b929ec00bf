import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAudio, tmpDir } from "../helpers/audio.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { waitFor } from "../helpers/wait.js";

describe("smoke: upload, convert, callback", () => {
  let h: TestHookline;
  let receiver: Receiver;
  beforeAll(async () => {
    h = await startTestHookline();
    receiver = await startReceiver((_req, res) => res.end("ok"));
  });
  afterAll(async () => {
    await receiver.close();
    await h.stop();
  });

  it("turns an uploaded MP3 into a WAV and calls back", async () => {
    const d = await tmpDir("smoke");
    const mp3 = await makeAudio(d.path, { format: "mp3", seconds: 2 });
    const form = new FormData();
    form.set("uploadPath", "music");
    form.set("file", new Blob([await readFile(mp3)]), "tone.mp3");
    const up = await h.call("/api/file-stream-upload", { method: "POST", body: form });
    expect(up.success).toBe(true);
    const gen = await h.call("/api/v1/wav/generate", {
      json: { audioId: up.data.audioId, callBackUrl: `${receiver.origin}/cb` },
    });
    expect(gen.code).toBe(200);
    await waitFor("the callback", () => receiver.requests.length > 0);
    expect(receiver.requests).toHaveLength(1);
    const body = JSON.parse(receiver.requests[0]!.body);
    expect(body.data.task_id).toBe(gen.data.taskId);
    await d.cleanup();
  });
});
