import { spawn } from "node:child_process";
import { createReadStream } from "node:fs";
import { rm } from "node:fs/promises";
import { basename } from "node:path";
import { runnerOptions } from "../../src/app/index.js";
import { getFile } from "../../src/files/index.js";
import { newTaskId } from "../../src/lib/ids.js";
import { silentLogger } from "../../src/lib/logger.js";
import { createRunner, insertTask, type Runner } from "../../src/tasks/index.js";
import { ingest } from "../../src/uploads/index.js";
import type { BenchHookline } from "./hookline.js";
import { MemoryWatch } from "./memory.js";
import { cpuSeconds, monoMs } from "./stats.js";

/** One measured conversion. */
export interface WavSample {
  readonly seconds: number;
  /** Peak memory attributable to the conversion: Node's RSS growth + the ffmpeg child's peak RSS. */
  readonly peakBytes: number;
  readonly nodeGrowthBytes: number;
  readonly childPeakBytes: number;
  /** CPU seconds of this process and the ffmpeg child together. */
  readonly cpuSeconds: number;
  /** How long the ffmpeg child ran (from /proc polling, ±10 ms); the rest of `seconds` is Hookline's own. */
  readonly ffmpegSeconds: number;
}

const cpuTotal = (): number => {
  const c = cpuSeconds();
  return c.self + c.children;
};

/** `ffmpeg -i src -c:a pcm_s16le out.wav` as a child process, timed from spawn to exit. */
export async function cliConvert(src: string, out: string): Promise<WavSample> {
  const watch = new MemoryWatch();
  watch.start();
  const cpu0 = cpuTotal();
  const t0 = monoMs();
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn("ffmpeg", ["-nostdin", "-i", src, "-c:a", "pcm_s16le", "-y", out], {
      stdio: "ignore",
    });
    child.once("error", reject);
    child.once("close", resolve);
  });
  const seconds = (monoMs() - t0) / 1000;
  const cpu = cpuTotal() - cpu0;
  const mem = watch.stop();
  await rm(out, { force: true });
  if (code !== 0) throw new Error(`ffmpeg CLI exited with ${code} on ${src}`);
  return {
    seconds,
    peakBytes: mem.childPeakBytes,
    nodeGrowthBytes: 0,
    childPeakBytes: mem.childPeakBytes,
    cpuSeconds: cpu,
    ffmpegSeconds: mem.childSeconds,
  };
}

/** A source track registered through Hookline's real upload path (blob store, probe, file row, track). */
export interface BenchTrack {
  readonly audioId: string;
  readonly musicTaskId: string;
}

/** Stores `src` in the blob store and registers it as a source track, as an upload would. */
export async function registerSource(h: BenchHookline, src: string): Promise<BenchTrack> {
  const { blobs } = h.services;
  const stored = await blobs.writeTemp(createReadStream(src), { maxBytes: Number.MAX_SAFE_INTEGER });
  const data = await ingest(
    h.services,
    { temp: stored.path, size: stored.size, head: stored.head, nameHint: basename(src) },
    {
      ownerId: h.key.id,
      uploadPath: "bench",
    },
  );
  if (!data.audioId || !data.taskId) throw new Error(`${src} was not registered as audio`);
  return { audioId: data.audioId, musicTaskId: data.taskId };
}

/** A runner on the real services and families, one task at a time (as the CLI converts one file). */
export function benchRunner(h: BenchHookline): Runner {
  return createRunner({
    ...runnerOptions(h.services, h.families, h.owner),
    concurrency: 1,
    log: silentLogger,
  });
}

/**
 * Queues a WAV task for the track as `POST /api/v1/wav/generate` does, then times `runner.runOnce()`: the
 * claim, the conversion, storing the WAV (fsync + rename) and the outcome's transaction. The task must then
 * read SUCCESS. The produced WAV is deleted afterwards so that runs do not fill the disk.
 */
export async function hooklineConvert(
  h: BenchHookline,
  runner: Runner,
  track: BenchTrack,
): Promise<WavSample> {
  const { store, clock, blobs } = h.services;
  const id = newTaskId();
  await store.transact((trx) =>
    insertTask(
      trx,
      {
        id,
        ownerId: h.key.id,
        family: "wav",
        status: "PENDING",
        action: "convert",
        input: { audioId: track.audioId, musicTaskId: track.musicTaskId },
        // No sender runs here: the message is only written, as part of the completion's transaction.
        callbackUrl: "http://127.0.0.1:9/bench-callback",
        parentId: track.musicTaskId,
        dedupeKey: `wav:${track.audioId}`,
      },
      clock.now(),
    ),
  );
  const watch = new MemoryWatch();
  watch.start();
  const cpu0 = cpuTotal();
  const t0 = monoMs();
  const ran = await runner.runOnce();
  const seconds = (monoMs() - t0) / 1000;
  const cpu = cpuTotal() - cpu0;
  const mem = watch.stop();
  const row = await store.db.selectFrom("tasks").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  if (ran !== 1 || row.status !== "SUCCESS") {
    throw new Error(`WAV task ended ${row.status} (${row.error_message ?? "no error"}), ran ${ran}`);
  }
  const fileId = (JSON.parse(row.result ?? "{}") as { fileId?: string }).fileId;
  const file = fileId ? await getFile(store.db, fileId) : undefined;
  if (file) await blobs.delete(file.storage_key);
  return {
    seconds,
    peakBytes: mem.nodeGrowthBytes + mem.childPeakBytes,
    nodeGrowthBytes: mem.nodeGrowthBytes,
    childPeakBytes: mem.childPeakBytes,
    cpuSeconds: cpu,
    ffmpegSeconds: mem.childSeconds,
  };
}
