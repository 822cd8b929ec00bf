/**
 * The server side of the submit benchmark, in its own process so that the load generator does not share its
 * event loop: `submit-server.js hookline` runs the real Hookline API (runner and sender off, SQLite, a key, and
 * source tracks registered on request); `submit-server.js bare` runs a bare Fastify app whose
 * `POST /api/v1/wav/generate` answers a constant. Driven over IPC (see submit-client.ts).
 */
import { execFile } from "node:child_process";
import { createReadStream, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import Fastify from "fastify";
import { startHookline } from "../../src/app/index.js";
import { loadConfig } from "../../src/config/index.js";
import { getFile } from "../../src/files/index.js";
import { createKey } from "../../src/keys/index.js";
import { silentLogger } from "../../src/lib/logger.js";
import { probeAudio } from "../../src/media/index.js";
import { getTrack, registerTrack } from "../../src/tracks/index.js";
import { ingest } from "../../src/uploads/index.js";
import { benchTempDir } from "./hookline.js";
import type { ServerReply, ServerRequest } from "./submit-client.js";

const send = (m: ServerReply): void => {
  process.send?.(m);
};

async function bare(): Promise<void> {
  const app = Fastify({ logger: false });
  const answer = { code: 200, msg: "success", data: { taskId: "0123456789abcdef0123456789abcdef" } };
  app.post("/api/v1/wav/generate", async () => answer);
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  send({ type: "ready", url, apiKey: "none" });
  process.on("message", async (m: ServerRequest) => {
    if (m.type === "register") send({ type: "registered", audioIds: [] });
    if (m.type === "close") {
      await app.close();
      process.exit(0);
    }
  });
}

async function hookline(): Promise<void> {
  const dataDir = benchTempDir("submit");
  // A quota far above what the run stores: its check runs on every submission, as in production.
  const config = loadConfig({
    HOOKLINE_DATA_DIR: dataDir,
    HOOKLINE_PORT: "0",
    HOOKLINE_DEV: "1",
    HOOKLINE_KEY_QUOTA_MB: String(2 ** 40),
  });
  const running = await startHookline({
    config,
    log: silentLogger,
    roles: { api: true, runner: false, sender: false },
  });
  const { services } = running;
  const { store, clock, blobs } = services;
  const key = await createKey(store, clock, { name: "bench" });
  // One real upload; every further track reuses its file row and probe (as re-registering the file would).
  const src = join(dataDir, "source.mp3");
  const tone = ["-v", "error", "-f", "lavfi", "-i", "sine=f=440:d=5", "-c:a", "libmp3lame", "-y", src];
  await promisify(execFile)("ffmpeg", ["-nostdin", ...tone]);
  const stored = await blobs.writeTemp(createReadStream(src), { maxBytes: 1 << 30 });
  const first = await ingest(
    services,
    { temp: stored.path, size: stored.size, head: stored.head, nameHint: "source.mp3" },
    { ownerId: key.id, uploadPath: "bench" },
  );
  const track = (await getTrack(store.db, key.id, first.audioId!))!;
  const file = (await getFile(store.db, track.file_id))!;
  const copy = await blobs.local(file.storage_key);
  const probe = await probeAudio(services.ffmpeg, copy.path, { timeoutMs: 30_000 }).finally(() =>
    copy.release(),
  );
  if (probe.kind !== "audio") throw new Error("the benchmark's source is not audio");

  send({ type: "ready", url: running.url!, apiKey: key.apiKey });
  process.on("message", async (m: ServerRequest) => {
    if (m.type === "register") {
      const audioIds: string[] = [];
      for (let done = 0; done < m.count; done += 1000) {
        const n = Math.min(1000, m.count - done);
        await store.transact(async (trx) => {
          for (let i = 0; i < n; i++)
            audioIds.push(
              (await registerTrack(trx, file, probe, { title: "bench", fileNames: [] }, clock.now())).audioId,
            );
        });
      }
      send({ type: "registered", audioIds });
    }
    if (m.type === "close") {
      await running.stop(2_000);
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    }
  });
}

await (process.argv[2] === "bare" ? bare() : hookline());
