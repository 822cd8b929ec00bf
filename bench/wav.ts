/**
 * WAV conversion: Hookline's engine against the plain ffmpeg CLI, same inputs, same machine, same run.
 *
 * Hookline's side runs the real task engine: a WAV task is queued as the API queues it and a runner on the real
 * services converts it; the time is `runner.runOnce()` (claim → task row SUCCESS). The CLI side is
 * `ffmpeg -i src -c:a pcm_s16le out.wav` as a child process. Rounds interleave the two (order alternating) and
 * the figures are medians; time ratios are medians of the per-round ratios.
 *
 *   node dist/bench/wav.js [--quick] [--rounds N]
 */
import { join } from "node:path";
import { type BenchFormat, benchAudio } from "./lib/audio.js";
import { openBenchHookline } from "./lib/hookline.js";
import { note, parseArgs, printTable, writeResults } from "./lib/report.js";
import { median, round } from "./lib/stats.js";
import { benchRunner, cliConvert, hooklineConvert, registerSource, type WavSample } from "./lib/wav-sides.js";

const args = parseArgs();
const minutesList = args.quick ? [1, 3] : [3, 30];
const rounds = args.rounds ?? (args.quick ? 3 : 5);
const formats: BenchFormat[] = ["mp3", "flac"];
const MB = 1024 * 1024;
/** Time targets of the issue, by input length in minutes. */
const timeTarget = (minutes: number): number => (minutes >= 30 ? 1.1 : 1.25);

const h = await openBenchHookline({ env: { HOOKLINE_CONCURRENCY: "1" } });
try {
  const runner = benchRunner(h);
  const inputs = [];
  for (const minutes of minutesList) {
    for (const format of formats) {
      const src = await benchAudio(format, minutes);
      inputs.push({ format, minutes, src, track: await registerSource(h, src) });
    }
  }
  const cliOut = join(h.dataDir, "cli-out.wav");
  // Registration read every source once (page cache); the shortest inputs also warm up the code paths.
  note("warming up: one untimed conversion of each short input on each side");
  for (const input of inputs.filter((i) => i.minutes === minutesList[0])) {
    await cliConvert(input.src, cliOut);
    await hooklineConvert(h, runner, input.track);
  }
  const samples = inputs.map(() => ({ cli: [] as WavSample[], hookline: [] as WavSample[] }));
  for (let r = 0; r < rounds; r++) {
    note(`round ${r + 1}/${rounds}`);
    for (const [i, input] of inputs.entries()) {
      const s = samples[i]!;
      // Alternate which side goes first, so that neither always runs on a cache the other warmed.
      if (r % 2 === 0) s.cli.push(await cliConvert(input.src, cliOut));
      s.hookline.push(await hooklineConvert(h, runner, input.track));
      if (r % 2 === 1) s.cli.push(await cliConvert(input.src, cliOut));
    }
  }

  const results = inputs.map((input, i) => {
    const { cli, hookline } = samples[i]!;
    const ratios = cli.map((c, k) => hookline[k]!.seconds / c.seconds);
    const best = (xs: WavSample[]) => Math.min(...xs.map((x) => x.seconds));
    const cpu = (xs: WavSample[]) => median(xs.map((x) => x.cpuSeconds));
    return {
      format: input.format,
      minutes: input.minutes,
      cliSeconds: round(median(cli.map((c) => c.seconds)), 3),
      hooklineSeconds: round(median(hookline.map((c) => c.seconds)), 3),
      timeRatio: round(median(ratios), 3),
      timeRatios: ratios.map((x) => round(x, 3)),
      timeTarget: timeTarget(input.minutes),
      bestRatio: round(best(hookline) / best(cli), 3),
      cliCpuSeconds: round(cpu(cli), 3),
      hooklineCpuSeconds: round(cpu(hookline), 3),
      cpuRatio: round(cpu(hookline) / cpu(cli), 3),
      hooklineFfmpegSeconds: round(median(hookline.map((x) => x.ffmpegSeconds)), 3),
      hooklineOutsideFfmpegSeconds: round(median(hookline.map((x) => x.seconds - x.ffmpegSeconds)), 3),
      cliPeakMB: round(median(cli.map((c) => c.peakBytes)) / MB, 1),
      hooklinePeakMB: round(median(hookline.map((c) => c.peakBytes)) / MB, 1),
      hooklineNodeGrowthMB: round(median(hookline.map((c) => c.nodeGrowthBytes)) / MB, 1),
      hooklineFfmpegPeakMB: round(median(hookline.map((c) => c.childPeakBytes)) / MB, 1),
    };
  });
  printTable(`WAV time, ${rounds} interleaved rounds (medians; ratio = Hookline / CLI, median of rounds)`, [
    ["input", "CLI s", "Hookline s", "ratio", "target", "best/best", "CPU ratio", "outside ffmpeg s"],
    ...results.map((r) => [
      `${r.format} ${r.minutes} min`,
      r.cliSeconds,
      r.hooklineSeconds,
      r.timeRatio,
      `<= ${r.timeTarget}`,
      r.bestRatio,
      r.cpuRatio,
      r.hooklineOutsideFfmpegSeconds,
    ]),
  ]);
  printTable("WAV peak memory (medians): CLI = its ffmpeg; Hookline = Node's RSS growth + its ffmpeg", [
    ["input", "CLI MB", "Hookline MB", "node + ffmpeg MB"],
    ...results.map((r) => [
      `${r.format} ${r.minutes} min`,
      r.cliPeakMB,
      r.hooklinePeakMB,
      `${r.hooklineNodeGrowthMB} + ${r.hooklineFfmpegPeakMB}`,
    ]),
  ]);
  const [short, long] = minutesList as [number, number];
  const flatness = formats.map((format) => {
    const a = results.find((r) => r.format === format && r.minutes === short)!;
    const b = results.find((r) => r.format === format && r.minutes === long)!;
    return {
      format,
      shortMB: a.hooklinePeakMB,
      longMB: b.hooklinePeakMB,
      ratio: round(b.hooklinePeakMB / a.hooklinePeakMB, 3),
    };
  });
  printTable(`Hookline peak memory, ${long} min vs ${short} min (target: flat, ratio ~1)`, [
    ["format", `${short} min MB`, `${long} min MB`, "ratio"],
    ...flatness.map((f) => [f.format, f.shortMB, f.longMB, f.ratio]),
  ]);
  writeResults("wav", { quick: args.quick, rounds, results, memoryFlatness: flatness });
} finally {
  await h.close();
}
