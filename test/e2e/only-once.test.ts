/**
 * Only-once across processes (issue 9, finding 3): two `hookline serve` processes on one database, and identical
 * requests sent to both at once. One WAV per track, one cover per music task, one generate per validation: the
 * database decides, not a check in one process. Before the fix, 20 tracks × 4 concurrent WAV requests over two
 * processes on PostgreSQL made 34 tasks.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store, type StoreTarget } from "../../src/store/index.js";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import { dialects, freshDatabase, type TestDb } from "../helpers/db.js";
import type { Envelope } from "../helpers/hookline.js";
import { createKeyWithCli, killAllChildren, startHooklineProcess } from "../helpers/process.js";
import { speak } from "../helpers/voice.js";
import { type Client, client, uploadTrack, waitFor } from "./support.js";

const TRACKS = 20;
const COPIES = 4;

const databaseUrl = (t: StoreTarget) => (t.kind === "postgres" ? t.url : `sqlite:${t.path}`);

describe.each(dialects())("only-once with two serve processes on %s", (dialect) => {
  let dir: TmpDir;
  let db: TestDb;
  let watch: Store;
  let apis: [Client, Client];
  /** Another key on the same two servers: its voice tasks are claimed next to the first key's queued work. */
  let voiceApis: [Client, Client];
  let tracks: { audioId: string; taskId: string }[] = [];

  beforeAll(async () => {
    dir = await tmpDir(`e2e-once-${dialect}`);
    db = await freshDatabase(dialect);
    const base = {
      HOOKLINE_DATA_DIR: `${dir.path}/data`,
      HOOKLINE_DATABASE_URL: databaseUrl(db.target),
      HOOKLINE_LOG_LEVEL: "warn",
      HOOKLINE_POLL_MS: "50",
      HOOKLINE_CONCURRENCY: "1",
    };
    // Both sign links under the first one's public URL, so that each reads the other's uploads as its own.
    const first = await startHooklineProcess({ env: base });
    const second = await startHooklineProcess({ env: { ...base, HOOKLINE_PUBLIC_URL: first.publicUrl } });
    const servers = [first, second];
    const key = await createKeyWithCli(base, `once-${dialect}`);
    apis = [client(servers[0]!.url, key.apiKey), client(servers[1]!.url, key.apiKey)];
    const voiceKey = await createKeyWithCli(base, `once-voice-${dialect}`);
    voiceApis = [client(servers[0]!.url, voiceKey.apiKey), client(servers[1]!.url, voiceKey.apiKey)];
    const audio = await makeAudio(dir.path, { format: "flac", seconds: 2 });
    tracks = [];
    for (let i = 0; i < TRACKS; i++) tracks.push(await uploadTrack(apis[i % 2]!, audio));
    watch = await openStore(db.target);
  }, 120_000);

  afterAll(async () => {
    await killAllChildren();
    await watch?.close();
    await db?.drop();
    await dir?.cleanup();
  });

  /** Sends COPIES identical requests per item at once, alternating between the two servers. */
  async function burst(items: readonly unknown[], path: string, via = apis): Promise<Envelope[][]> {
    return Promise.all(
      items.map((json) =>
        Promise.all(Array.from({ length: COPIES }, (_, i) => via[i % 2]!.call(path, { json }))),
      ),
    );
  }

  const tasksOf = (family: string) =>
    watch.db.selectFrom("tasks").select(["id", "parent_id"]).where("family", "=", family).execute();

  it("one WAV task per track: one request of each burst accepted, the others 409 with its taskId", async () => {
    const answers = await burst(
      tracks.map((t) => ({ audioId: t.audioId })),
      "/api/v1/wav/generate",
    );
    for (const copies of answers) {
      const ok = copies.filter((a) => a.code === 200);
      expect(ok, JSON.stringify(copies)).toHaveLength(1);
      for (const refused of copies.filter((a) => a.code !== 200)) {
        expect(refused).toMatchObject({ code: 409, data: { taskId: ok[0]!.data.taskId } });
      }
    }
    const rows = await tasksOf("wav");
    expect(rows).toHaveLength(TRACKS);
    expect(new Set(rows.map((r) => r.parent_id)).size).toBe(TRACKS);
  });

  it("one cover task per music task: the others 400 with its taskId", async () => {
    const answers = await burst(
      tracks.map((t) => ({ taskId: t.taskId })),
      "/api/v1/suno/cover/generate",
    );
    for (const copies of answers) {
      const ok = copies.filter((a) => a.code === 200);
      expect(ok, JSON.stringify(copies)).toHaveLength(1);
      for (const refused of copies.filter((a) => a.code !== 200)) {
        expect(refused).toMatchObject({ code: 400, data: { taskId: ok[0]!.data.taskId } });
      }
    }
    expect(await tasksOf("cover")).toHaveLength(TRACKS);
  });

  it("one generate per validation task: the others 400 (wrong state)", { timeout: 120_000 }, async () => {
    const source = await speak(
      dir.path,
      "en+m3",
      ["The morning light is falling softly on the river.", "We keep on singing a brand new song together."],
      { format: "mp3" },
    );
    const take = await speak(dir.path, "en+m3", ["Every evening the birds repeat our chorus by the sea."], {
      format: "mp3",
      pitch: 55,
    });
    const [up, verify] = [await uploadTrack(voiceApis[0], source), await uploadTrack(voiceApis[1], take)];
    const urls = await Promise.all(
      [up, verify].map(async (t) => {
        const rec = await voiceApis[0].call(`/api/v1/generate/record-info?taskId=${t.taskId}`);
        return rec.data.response.sunoData[0].audioUrl as string;
      }),
    );
    const validate = await voiceApis[0].call("/api/v1/voice/validate", {
      json: { voiceUrl: urls[0], vocalStartS: 0, vocalEndS: 5 },
    });
    expect(validate.code, JSON.stringify(validate)).toBe(200);
    const validationId = validate.data.taskId as string;
    await waitFor(
      "the phrase",
      async () => {
        const r = await voiceApis[0].call(`/api/v1/voice/validate-info?taskId=${validationId}`);
        if (r.data.status === "processing_validate_fail") throw new Error(JSON.stringify(r));
        return r.data.status === "wait_validating" ? r : undefined;
      },
      60_000,
    );
    const [copies] = await burst(
      [{ taskId: validationId, verifyUrl: urls[1] }],
      "/api/v1/voice/generate",
      voiceApis,
    );
    expect(
      copies!.filter((a) => a.code === 200),
      JSON.stringify(copies),
    ).toHaveLength(1);
    expect(copies!.filter((a) => a.code === 400)).toHaveLength(COPIES - 1);
    const generates = await watch.db
      .selectFrom("tasks")
      .select("id")
      .where("parent_id", "=", validationId)
      .execute();
    expect(generates).toHaveLength(1);
  });
});
