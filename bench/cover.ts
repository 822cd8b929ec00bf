/**
 * Cover art: from the claim of a cover task to both PNGs written, for a 3-minute track, through the real engine
 * (decode + analysis + two styles composed and rasterised at the configured size + blobs committed + the outcome's
 * transaction). Then the rasteriser alone against alternatives on the same SVGs, when they are installed
 * (`npm install --no-save sharp@0.35.5 @napi-rs/canvas@1.1.1`): the measurement behind choosing resvg.
 *
 *   node dist/bench/cover.js [--quick] [--rounds N]
 */
import { Resvg } from "@resvg/resvg-js";
import { composeCovers } from "../src/families/cover/index.js";
import { newTaskId } from "../src/lib/ids.js";
import { analyseTrack } from "../src/media/analysis/index.js";
import { FontCache } from "../src/media/image/index.js";
import { insertTask } from "../src/tasks/index.js";
import { benchAudio } from "./lib/audio.js";
import { openBenchHookline } from "./lib/hookline.js";
import { MemoryWatch } from "./lib/memory.js";
import { note, parseArgs, printTable, writeResults } from "./lib/report.js";
import { median, monoMs, round } from "./lib/stats.js";
import { benchRunner, registerSource } from "./lib/wav-sides.js";

const args = parseArgs();
const rounds = args.rounds ?? (args.quick ? 3 : 7);
const minutes = args.quick ? 1 : 3;
const size = 1024;
const MB = 1024 * 1024;

const h = await openBenchHookline({ env: { HOOKLINE_CONCURRENCY: "1", HOOKLINE_COVER_SIZE: String(size) } });
try {
  const src = await benchAudio("mp3", minutes);
  const track = await registerSource(h, src);
  const runner = benchRunner(h);
  const { store, clock } = h.services;

  async function once(): Promise<{
    seconds: number;
    peakBytes: number;
    nodeBytes: number;
    ffmpegBytes: number;
  }> {
    const id = newTaskId();
    await store.transact((trx) =>
      insertTask(
        trx,
        {
          id,
          ownerId: h.key.id,
          family: "cover",
          status: "PENDING",
          action: "generate",
          input: { musicTaskId: track.musicTaskId },
          callbackUrl: "http://127.0.0.1:9/bench-callback",
          parentId: track.musicTaskId,
          dedupeKey: `cover:bench:${id}`,
        },
        clock.now(),
      ),
    );
    const watch = new MemoryWatch();
    watch.start();
    const t0 = monoMs();
    const ran = await runner.runOnce();
    const seconds = (monoMs() - t0) / 1000;
    const mem = watch.stop();
    const row = await store.db.selectFrom("tasks").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    if (ran !== 1 || row.status !== "SUCCESS")
      throw new Error(`cover task ended ${row.status}: ${row.error_message}`);
    return {
      seconds,
      peakBytes: mem.nodeGrowthBytes + mem.childPeakBytes,
      nodeBytes: mem.nodeGrowthBytes,
      ffmpegBytes: mem.childPeakBytes,
    };
  }

  note("warming up: one untimed cover task (fonts, JIT)");
  await once();
  const samples = [];
  for (let r = 0; r < rounds; r++) {
    note(`round ${r + 1}/${rounds}`);
    samples.push(await once());
  }
  const wall = samples.map((s) => s.seconds);
  const result = {
    minutes,
    size,
    medianSeconds: round(median(wall), 3),
    minSeconds: round(Math.min(...wall), 3),
    maxSeconds: round(Math.max(...wall), 3),
    medianPeakMB: round(median(samples.map((s) => s.peakBytes)) / MB, 1),
    medianNodeGrowthMB: round(median(samples.map((s) => s.nodeBytes)) / MB, 1),
    medianFfmpegPeakMB: round(median(samples.map((s) => s.ffmpegBytes)) / MB, 1),
  };
  printTable(
    `Cover task, ${minutes}-minute MP3, two covers at ${size}², ${rounds} rounds (claim → both PNGs written)`,
    [
      ["median s", "min s", "max s", "target", "peak MB (node + ffmpeg)"],
      [
        result.medianSeconds,
        result.minSeconds,
        result.maxSeconds,
        "< 1 s",
        `${result.medianPeakMB} (${result.medianNodeGrowthMB} + ${result.medianFfmpegPeakMB})`,
      ],
    ],
  );

  // The rasterisers alone, on this track's two SVG documents.
  const input = await h.services.blobs.local((await registeredKey()) ?? "");
  const features = await analyseTrack(h.services.ffmpeg, input.path).finally(() => input.release());
  const documents = await composeCovers(
    features,
    { title: "Night Drive on the Ring Road", artist: null },
    new FontCache(),
  );
  const renderers: Record<string, (svg: string) => Promise<Buffer>> = {
    "@resvg/resvg-js 2.6.2": async (svg) =>
      new Resvg(svg, { fitTo: { mode: "width", value: size } }).render().asPng(),
  };
  const dynamicImport = (name: string): Promise<any> => import(name);
  try {
    const sharp = (await dynamicImport("sharp")).default;
    renderers["sharp (librsvg)"] = (svg) =>
      sharp(Buffer.from(svg), { density: (72 * size) / 1000 })
        .png()
        .toBuffer();
  } catch {
    note("sharp is not installed: skipped (npm install --no-save sharp@0.35.5)");
  }
  try {
    const { createCanvas, Image } = await dynamicImport("@napi-rs/canvas");
    renderers["@napi-rs/canvas (SVG as Image)"] = async (svg) => {
      const image = new Image();
      image.src = Buffer.from(svg.replace('width="1000" height="1000"', `width="${size}" height="${size}"`));
      const canvas = createCanvas(size, size);
      canvas.getContext("2d").drawImage(image, 0, 0);
      return canvas.encode("png");
    };
  } catch {
    note("@napi-rs/canvas is not installed: skipped (npm install --no-save @napi-rs/canvas@1.1.1)");
  }
  const rows: (string | number)[][] = [["renderer", ...documents.map((d) => `${d.style} ms`)]];
  const renderResults: Record<string, number[]> = {};
  for (const [name, render] of Object.entries(renderers)) {
    const perStyle = [];
    for (const { svg } of documents) {
      await render(svg);
      const times = [];
      for (let r = 0; r < rounds; r++) {
        const t0 = monoMs();
        await render(svg);
        times.push(monoMs() - t0);
      }
      perStyle.push(round(median(times), 1));
    }
    renderResults[name] = perStyle;
    rows.push([name, ...perStyle]);
  }
  printTable(`Rasterising the two cover SVGs at ${size}² (PNG out), median of ${rounds}`, rows);
  writeResults("cover", {
    quick: args.quick,
    rounds,
    result,
    samples: wall.map((s) => round(s, 3)),
    renderers: renderResults,
  });

  /** The blob key of the registered track's file (for the rasteriser comparison's analysis). */
  async function registeredKey(): Promise<string | undefined> {
    const row = await store.db
      .selectFrom("tracks")
      .innerJoin("files", "files.id", "tracks.file_id")
      .select("files.storage_key")
      .where("tracks.id", "=", track.audioId)
      .executeTakeFirst();
    return row?.storage_key;
  }
} finally {
  await h.close();
}
