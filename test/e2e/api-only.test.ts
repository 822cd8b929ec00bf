/**
 * `hookline api` on SQLite: it serves the API, says at start that a worker on the same database file must run,
 * and runs no task itself; a `hookline worker` started next to it on the same file and data folder finds the
 * queued task by polling (SQLite has no cross-process wake-ups) and its callback arrives.
 */
import { afterEach, describe, expect, it } from "vitest";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import { createKeyWithCli, killAllChildren, startHooklineProcess } from "../helpers/process.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { client, generateWav, uploadTrack, waitFor, waitForWavRecord } from "./support.js";

describe("hookline api (API only) on SQLite", () => {
  let dir: TmpDir | null = null;
  let receiver: Receiver | null = null;

  afterEach(async () => {
    await killAllChildren();
    await receiver?.close();
    await dir?.cleanup();
  });

  it("queues work that only a worker on the same file runs", { timeout: 120_000 }, async () => {
    dir = await tmpDir("e2e-api-only");
    receiver = await startReceiver((_req, res) => res.end("ok"));
    const env = {
      HOOKLINE_DATA_DIR: `${dir.path}/data`,
      HOOKLINE_LOG_LEVEL: "warn",
      HOOKLINE_DEV: "1",
      HOOKLINE_POLL_MS: "100",
    };
    const api = await startHooklineProcess({ command: "api", env });
    await waitFor(
      "the API-only notice",
      () => (api.output().includes("API only") ? true : undefined),
      10_000,
    );
    expect(api.output()).toContain("hookline worker");
    expect(api.output()).toContain("same database file");

    const key = await createKeyWithCli(env, "api-only");
    const c = client(api.url, key.apiKey);
    const track = await makeAudio(dir.path, { format: "flac", seconds: 1 });
    const { audioId } = await uploadTrack(c, track);
    const taskId = await generateWav(c, audioId, `${receiver.origin}/hook`);

    // Nothing runs it while only the API process runs: a runner there would have been woken by the submission
    // at once, long before this second upload (probed with ffprobe) is through.
    await uploadTrack(c, track);
    const queued = await c.call(`/api/v1/wav/record-info?taskId=${taskId}`);
    expect(queued.data.status).toBe("PENDING");
    const r = receiver;
    expect(r.requests).toHaveLength(0);

    await startHooklineProcess({ command: "worker", env: { ...env, HOOKLINE_PUBLIC_URL: api.publicUrl } });
    const rec = await waitForWavRecord(c, taskId, 60_000);
    expect(rec.data.status).toBe("SUCCESS");
    await waitFor("the callback", () => (r.requests.length === 1 ? true : undefined), 30_000);
    expect(JSON.parse(r.requests[0]?.body ?? "{}").taskId).toBe(taskId);
  });
});
