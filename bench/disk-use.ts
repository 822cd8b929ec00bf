/**
 * How much disk one key can make Hookline use with the default limits (issue 9, finding 2). The key tries the
 * attacks of the finding: a 1.5 MB FLAC of 59 minutes of 7.1-channel 192 kHz silence (a 10.9 GB WAV), then the
 * largest source the limits let through, registered as a new track again and again with a WAV asked for each,
 * until Hookline refuses. The conversions run; the data folder's size is sampled all along.
 *
 *   node dist/bench/disk-use.js [--quick]
 */
import { execFile } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { promisify } from "node:util";
import { type Running, startHookline } from "../src/app/index.js";
import { loadConfig } from "../src/config/index.js";
import { createKey } from "../src/keys/index.js";
import { silentLogger } from "../src/lib/logger.js";
import { benchTempDir } from "./lib/hookline.js";
import { note, parseArgs, printTable, writeResults } from "./lib/report.js";
import { round, sleep } from "./lib/stats.js";

const args = parseArgs();
const run = promisify(execFile);
const GiB = 2 ** 30;

interface Envelope {
  code: number;
  msg: string;
  data: { taskId?: string; audioId?: string; filePath?: string; status?: string } | null;
}

/** Bytes under `path`, as `du` counts them (what the disk really holds, not file lengths). */
async function diskUse(path: string): Promise<number> {
  const { stdout } = await run("du", ["-sb", path]);
  return Number(stdout.split("\t")[0]);
}

async function silence(path: string, seconds: number): Promise<void> {
  const lavfi = ["-f", "lavfi", "-i", "anullsrc=r=192000:cl=7.1", "-t", String(seconds)];
  await run("ffmpeg", ["-nostdin", "-v", "error", ...lavfi, "-c:a", "flac", "-y", path]);
}

const dataDir = benchTempDir("disk-use");
const config = loadConfig({
  HOOKLINE_DATA_DIR: dataDir,
  HOOKLINE_PORT: "0",
  HOOKLINE_POLL_MS: "50",
  ...(args.quick ? { HOOKLINE_KEY_QUOTA_MB: "2048", HOOKLINE_MAX_OUTPUT_MB: "512" } : {}),
});
const running: Running = await startHookline({ config, log: silentLogger });
const url = running.url ?? "";
const key = await createKey(running.services.store, running.services.clock, { name: "attacker" });

async function call(path: string, body: FormData | object): Promise<Envelope> {
  const init =
    body instanceof FormData
      ? { body }
      : { body: JSON.stringify(body), headers: { "content-type": "application/json" } };
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    ...init,
    headers: { ...init.headers, authorization: `Bearer ${key.apiKey}` },
  });
  return (await res.json()) as Envelope;
}

async function upload(path: string, name: string): Promise<Envelope> {
  const form = new FormData();
  form.set("uploadPath", "bombs");
  form.set("fileName", name);
  form.set("file", new Blob([await readFile(path)]), name);
  return call("/api/file-stream-upload", form);
}

let peak = 0;
let sampling = true;
const sampler = (async () => {
  while (sampling) {
    peak = Math.max(peak, await diskUse(dataDir).catch(() => 0));
    await sleep(250);
  }
})();

try {
  const { limits } = config;
  note("the finding's bomb: 59 min of 7.1 at 192 kHz");
  const bomb = `${dataDir}/../bomb-${process.pid}.flac`;
  await silence(bomb, 3540);
  const up = await upload(bomb, "bomb.flac");
  const refusedBomb = await call("/api/v1/wav/generate", { audioId: up.data?.audioId });
  note(`  upload ${up.code}, wav/generate ${refusedBomb.code}: ${refusedBomb.msg}`);

  // The largest WAV one task may write: 7.1 at 192 kHz, 16-bit, 3 MB a second.
  const seconds = Math.floor((limits.maxOutputBytes - 104) / (192_000 * 8 * 2));
  note(`the largest source the limits let through: ${seconds} s of 7.1 at 192 kHz`);
  await silence(bomb, seconds);
  const big = await upload(bomb, "big.flac");
  const answers: number[] = [];
  for (let i = 0; i < 50; i++) {
    const track = await call("/api/v1/hookline/tracks", { filePath: big.data?.filePath ?? "" });
    const wav = await call("/api/v1/wav/generate", { audioId: track.data?.audioId });
    answers.push(wav.code);
    if (wav.code !== 200) {
      note(`  WAV ${i + 1}: ${wav.code} ${wav.msg}`);
      break;
    }
  }
  const accepted = answers.filter((c) => c === 200).length;
  note(`  ${accepted} WAV tasks accepted; converting`);
  const { store } = running.services;
  for (;;) {
    const queued = await store.db.selectFrom("tasks").select("id").where("action", "is not", null).execute();
    if (queued.length === 0) break;
    await sleep(500);
  }
  await rm(bomb, { force: true });
  sampling = false;
  await sampler;
  const final = await diskUse(dataDir);
  const usage = await store.db.selectFrom("storage_usage").select("bytes").executeTakeFirst();
  printTable(
    args.quick ? "One key against scaled-down limits (--quick)" : "One key against the default limits",
    [
      [
        "quota GiB",
        "max output GiB",
        "bomb answer",
        "WAVs accepted",
        "key usage GiB",
        "disk peak GiB",
        "disk end GiB",
      ],
      [
        round((limits.keyQuotaBytes ?? 0) / GiB),
        round(limits.maxOutputBytes / GiB),
        refusedBomb.code,
        accepted,
        round(Number(usage?.bytes ?? 0) / GiB),
        round(peak / GiB),
        round(final / GiB),
      ],
    ],
  );
  writeResults("disk-use", {
    quotaBytes: limits.keyQuotaBytes,
    maxOutputBytes: limits.maxOutputBytes,
    bombAnswer: refusedBomb.code,
    accepted,
    usageBytes: Number(usage?.bytes ?? 0),
    peakBytes: peak,
    finalBytes: final,
  });
} finally {
  sampling = false;
  await running.stop(5_000);
  await rm(dataDir, { recursive: true, force: true });
}
