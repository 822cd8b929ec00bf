/**
 * WAV conversion with files on S3 against files on local disk, same inputs, same machine, same run.
 *
 * Both sides run the real task engine on real services (`runner.runOnce()`: claim → task row SUCCESS). The S3
 * side has its files in s3rver on 127.0.0.1, a real S3-protocol server that keeps objects on the same disk: the
 * difference is what the S3 path costs in Hookline (streaming the source into scratch, uploading the WAV,
 * HTTP and signing), not a network's. Rounds interleave the two (order alternating); figures are medians.
 *
 *   node dist/bench/storage.js [--quick] [--rounds N]
 */
import { startS3 } from "../test/helpers/s3.js";
import { type BenchFormat, benchAudio } from "./lib/audio.js";
import { openBenchHookline } from "./lib/hookline.js";
import { note, parseArgs, printTable, writeResults } from "./lib/report.js";
import { median, round } from "./lib/stats.js";
import { benchRunner, hooklineConvert, registerSource, type WavSample } from "./lib/wav-sides.js";

const args = parseArgs();
const minutesList = args.quick ? [1] : [3, 30];
const rounds = args.rounds ?? (args.quick ? 3 : 5);
const formats: BenchFormat[] = ["mp3", "flac"];

const s3 = await startS3();
const local = await openBenchHookline({ env: { HOOKLINE_CONCURRENCY: "1" } });
const remote = await openBenchHookline({ env: { HOOKLINE_CONCURRENCY: "1", ...s3.env } });
try {
  const sides = [
    { name: "local", h: local, runner: benchRunner(local) },
    { name: "s3", h: remote, runner: benchRunner(remote) },
  ] as const;
  const inputs = [];
  for (const minutes of minutesList) {
    for (const format of formats) {
      const src = await benchAudio(format, minutes);
      inputs.push({
        format,
        minutes,
        local: await registerSource(local, src),
        s3: await registerSource(remote, src),
      });
    }
  }
  note("warming up: one untimed conversion of each input on each side");
  for (const input of inputs) {
    for (const side of sides) await hooklineConvert(side.h, side.runner, input[side.name]);
  }
  const samples = inputs.map(() => ({ local: [] as WavSample[], s3: [] as WavSample[] }));
  for (let r = 0; r < rounds; r++) {
    note(`round ${r + 1}/${rounds}`);
    for (const [i, input] of inputs.entries()) {
      const order = r % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) {
        samples[i]![side.name].push(await hooklineConvert(side.h, side.runner, input[side.name]));
      }
    }
  }
  const results = inputs.map((input, i) => {
    const s = samples[i]!;
    const secs = (xs: WavSample[]) => median(xs.map((x) => x.seconds));
    const ratios = s.local.map((l, k) => s.s3[k]!.seconds / l.seconds);
    return {
      format: input.format,
      minutes: input.minutes,
      localSeconds: round(secs(s.local), 3),
      s3Seconds: round(secs(s.s3), 3),
      ratio: round(median(ratios), 3),
      ratios: ratios.map((x) => round(x, 3)),
      s3OutsideFfmpegSeconds: round(median(s.s3.map((x) => x.seconds - x.ffmpegSeconds)), 3),
      localOutsideFfmpegSeconds: round(median(s.local.map((x) => x.seconds - x.ffmpegSeconds)), 3),
    };
  });
  printTable(
    `WAV time, files on S3 (s3rver, loopback) vs local disk, ${rounds} interleaved rounds (medians)`,
    [
      ["input", "local s", "S3 s", "ratio S3/local", "outside ffmpeg: local s", "S3 s"],
      ...results.map((r) => [
        `${r.format} ${r.minutes} min`,
        r.localSeconds,
        r.s3Seconds,
        r.ratio,
        r.localOutsideFfmpegSeconds,
        r.s3OutsideFfmpegSeconds,
      ]),
    ],
  );
  writeResults("storage", { quick: args.quick, rounds, results });
} finally {
  await remote.close();
  await local.close();
  await s3.close();
}
