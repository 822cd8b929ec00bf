/**
 * Source audio to PCM WAV with one ffmpeg process writing the output file itself: no extra pass over the
 * data, no samples through Node, so memory stays flat whatever the track's length. ffmpeg seeks back to
 * fix the header sizes at the end, and `-rf64 auto` turns the header into RF64 past 4 GiB.
 */
import { constants } from "node:fs";
import { access, rm, stat } from "node:fs/promises";
import { HooklineError } from "../lib/errors.js";
import type { Ffmpeg } from "./ffmpeg.js";
import { AUDIO_ONLY_ARGS, FFMPEG_GLOBAL_ARGS, fileUrl, inputArgs } from "./formats.js";
import { durationCap, tooLarge, tooLong } from "./limits.js";
import { decoderMessage, formatLimit, pathForms, refusedFormat } from "./messages.js";
import { startTool, type ToolExit } from "./process.js";
import { readWavInfo, type WavInfo } from "./wav-info.js";

/** What a conversion wrote. */
export interface WavResult {
  durationS: number;
  sampleRate: number;
  channels: number;
  bitDepth: 16 | 24;
  /** Size of the WAV file, header included. */
  bytes: number;
}

/** Options for {@link convertToWav}. */
export interface ConvertOptions {
  bitDepth: 16 | 24;
  signal?: AbortSignal;
  /** Longer sources are refused with "payload_too_large" (with `DURATION_SLACK_S` of grace). */
  maxDurationS?: number;
  /**
   * Largest WAV written, header included (as `predictWavBytes` counts it): ffmpeg stops writing past it
   * (`-fs`), and the conversion fails with "payload_too_large". A hard stop for a source whose header lied.
   */
  maxBytes?: number;
  /** Kills ffmpeg after this long: HooklineError("timeout"). No limit by default. */
  timeoutMs?: number;
}

/** Messages of failures on the output side: the disk, not the input, is at fault. */
const OUTPUT_FAILURE =
  /No space left on device|Disk quota exceeded|Error writing trailer|Could not write header|Error opening output|Read-only file system/i;

interface Job {
  src: string;
  dst: string;
  signal: AbortSignal | undefined;
  timeoutMs: number | undefined;
}

function failure(exit: ToolExit, { src, dst, signal, timeoutMs }: Job): unknown {
  switch (exit.ended) {
    case "spawn_failed":
      return new HooklineError("internal", `ffmpeg could not run: ${exit.spawnError?.message ?? "unknown"}`);
    case "aborted":
      return signal?.reason ?? new DOMException("This operation was aborted", "AbortError");
    case "timeout":
      return new HooklineError("timeout", `the conversion took longer than ${formatLimit(timeoutMs ?? 0)}`);
    case "exit":
      break;
  }
  const refused = refusedFormat(exit.stderr);
  if (refused !== null) {
    return new HooklineError(
      "unsupported_media",
      `unsupported container format "${refused}" (only plain audio files)`,
    );
  }
  if (/Stream map '0:a:0' matches no streams/.test(exit.stderr)) {
    return new HooklineError("unsupported_media", "the file holds no audio stream");
  }
  const message = decoderMessage(exit.stderr, pathForms(src, dst)) || `ffmpeg exited with code ${exit.code}`;
  if (exit.stderr.includes(`${fileUrl(dst)}:`) || OUTPUT_FAILURE.test(exit.stderr)) {
    return new HooklineError("conversion_failed", `writing the WAV failed: ${message}`);
  }
  return new HooklineError("unsupported_media", `the audio could not be decoded: ${message}`);
}

/**
 * Decodes `src` to a PCM WAV at `dst` (overwritten), keeping the source's sample rate and channels.
 *
 * Errors: input that is not decodable audio → HooklineError("unsupported_media") with the decoder's reason
 * (no file paths); a source longer than `maxDurationS`, or a WAV past `maxBytes` → "payload_too_large"
 * (found by the decode, whatever the header said, and without decoding or writing more); a missing source →
 * "source_unavailable"; output trouble (disk full…) → "conversion_failed"; `timeoutMs` → "timeout"; an
 * abort kills ffmpeg and rejects with the signal's reason. On any failure `dst` is removed.
 *
 * @example
 * const wav = await convertToWav(ff, "in.mp3", "out.wav", {
 *   bitDepth: 16, maxDurationS: 3600, maxBytes: 2 ** 31, signal,
 * });
 */
export async function convertToWav(
  ff: Ffmpeg,
  src: string,
  dst: string,
  opts: ConvertOptions,
): Promise<WavResult> {
  const { bitDepth, signal, maxBytes, timeoutMs } = opts;
  if (bitDepth !== 16 && bitDepth !== 24) throw new HooklineError("bad_request", "bitDepth must be 16 or 24");
  const cap = durationCap(opts.maxDurationS);
  if (maxBytes !== undefined && !(Number.isSafeInteger(maxBytes) && maxBytes > 0)) {
    throw new HooklineError("bad_request", "maxBytes must be a positive integer");
  }
  if (signal?.aborted) throw signal.reason;
  try {
    await access(src, constants.R_OK);
  } catch (err) {
    throw new HooklineError("source_unavailable", "the source file is missing or unreadable", { cause: err });
  }
  // No probe first: a second process costs ~0.1 s, which the 1.1× budget against the plain ffmpeg CLI
  // cannot spare. ffmpeg's own -format_whitelist refuses what a probe would, and the caps below bound the
  // work for a source that is too long or whose container states no (or a false) duration: -t the time
  // read, -fs the bytes written (ffmpeg stops one packet past it and still finishes a valid file).
  const limits = [
    ...(cap === null ? [] : ["-t", cap.readS.toFixed(3)]),
    ...(maxBytes === undefined ? [] : ["-fs", String(maxBytes + 1)]),
  ];
  const codec = bitDepth === 24 ? "pcm_s24le" : "pcm_s16le";
  const output = ["-c:a", codec, ...limits, "-fflags", "+bitexact", "-rf64", "auto", "-f", "wav", "-y"];
  const args = [...FFMPEG_GLOBAL_ARGS, ...inputArgs(src), ...AUDIO_ONLY_ARGS, ...output, fileUrl(dst)];
  const run = startTool(ff.ffmpeg, args, { launcher: ff.launcher, signal, timeoutMs, stdout: "ignore" });
  const exit = await run.exited;
  const discard = (): Promise<void> => rm(dst, { force: true });
  if (exit.ended !== "exit" || exit.code !== 0) {
    await discard();
    throw failure(exit, { src, dst, signal, timeoutMs });
  }
  let info: WavInfo;
  try {
    info = await readWavInfo(dst);
  } catch (err) {
    await discard();
    throw new HooklineError("conversion_failed", "ffmpeg wrote no readable WAV file", { cause: err });
  }
  if (info.frames === 0) {
    await discard();
    const why = decoderMessage(exit.stderr, pathForms(src, dst));
    throw new HooklineError("unsupported_media", `no audio could be decoded${why ? `: ${why}` : ""}`);
  }
  if (cap !== null && info.durationS > cap.acceptS) {
    await discard();
    throw tooLong(cap);
  }
  const { size } = await stat(dst);
  if (maxBytes !== undefined && size > maxBytes) {
    await discard();
    throw tooLarge(maxBytes);
  }
  // An abort that lands while the result is being checked still wins: the caller has given the work up.
  if (signal?.aborted) {
    await discard();
    throw signal.reason;
  }
  return {
    durationS: info.durationS,
    sampleRate: info.sampleRate,
    channels: info.channels,
    bitDepth,
    bytes: size,
  };
}
