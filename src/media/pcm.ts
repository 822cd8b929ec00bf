/**
 * Decoded samples for analysis (cover art, voice checks), streamed from ffmpeg's stdout: the consumer
 * pulls chunk by chunk and the pipe's back-pressure pauses ffmpeg, so memory does not grow with length,
 * and a duration cap ends the decode once it is passed, so time does not either.
 */
import { endianness } from "node:os";
import { HooklineError } from "../lib/errors.js";
import type { Ffmpeg } from "./ffmpeg.js";
import { AUDIO_ONLY_ARGS, FFMPEG_GLOBAL_ARGS, inputArgs } from "./formats.js";
import { type DurationCap, durationCap, tooLong } from "./limits.js";
import { decoderMessage, pathForms } from "./messages.js";
import { startTool } from "./process.js";

/** Options for {@link decodePcm}. */
export interface PcmOptions {
  /** Output rate; the source is resampled to it. */
  sampleRate: number;
  /** 1 = mono (channels mixed down), 2 = stereo, interleaved L R L R… */
  channels: 1 | 2;
  signal?: AbortSignal;
  /** Start of the excerpt in seconds (default 0). */
  startS?: number;
  /** End of the excerpt in seconds (default: the end of the audio). */
  endS?: number;
  /** Kills ffmpeg after this long: HooklineError("timeout"). */
  timeoutMs?: number;
  /**
   * Longest audio (of the excerpt) decoded: once the samples go past it (plus `DURATION_SLACK_S`), the decode
   * stops and throws HooklineError("payload_too_large"), whatever length the file's header states.
   */
  maxDurationS?: number;
}

/** Float32Array uses the machine's byte order, so ffmpeg is asked for that one. */
const FLOAT_FORMAT = endianness() === "LE" ? "f32le" : "f32be";

function rangeArgs(startS: number | undefined, endS: number | undefined, cap: DurationCap | null): string[] {
  const start = startS ?? 0;
  if (!Number.isFinite(start) || start < 0) throw new HooklineError("bad_request", "startS must be >= 0");
  if (endS !== undefined && !(Number.isFinite(endS) && endS > start)) {
    throw new HooklineError("bad_request", "endS must be greater than startS");
  }
  // As input options: -ss seeks (then decodes accurately to the exact sample), -t bounds the read, so the
  // demuxer stops there even when the file is hours longer than its header says.
  const args = start > 0 ? ["-ss", start.toFixed(6)] : [];
  const length = Math.min(endS === undefined ? Infinity : endS - start, cap?.readS ?? Infinity);
  if (Number.isFinite(length)) args.push("-t", length.toFixed(6));
  return args;
}

/**
 * Streams the first audio stream of `src` as 32-bit float samples in [-1, 1], resampled to `sampleRate`
 * and mixed to `channels`. Chunks hold whole frames (a multiple of `channels` samples). Breaking out of
 * the loop or aborting kills ffmpeg; a decode failure throws HooklineError("unsupported_media"), audio
 * longer than `maxDurationS` HooklineError("payload_too_large") (after yielding about that much).
 *
 * @example
 * let peak = 0;
 * for await (const chunk of decodePcm(ff, path, { sampleRate: 16_000, channels: 1, endS: 30 })) {
 *   for (const s of chunk) peak = Math.max(peak, Math.abs(s));
 * }
 */
export async function* decodePcm(ff: Ffmpeg, src: string, opts: PcmOptions): AsyncGenerator<Float32Array> {
  const { sampleRate, channels, signal } = opts;
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
    throw new HooklineError("bad_request", "sampleRate must be a positive integer");
  }
  const cap = durationCap(opts.maxDurationS);
  const range = rangeArgs(opts.startS, opts.endS, cap);
  if (signal?.aborted) throw signal.reason;
  const output = ["-ac", String(channels), "-ar", String(sampleRate), "-c:a", `pcm_${FLOAT_FORMAT}`];
  const args = [
    ...FFMPEG_GLOBAL_ARGS,
    ...inputArgs(src, range),
    ...AUDIO_ONLY_ARGS,
    ...output,
    "-f",
    FLOAT_FORMAT,
    "pipe:1",
  ];
  const run = startTool(ff.ffmpeg, args, {
    launcher: ff.launcher,
    signal,
    timeoutMs: opts.timeoutMs,
    stdout: "pipe",
  });
  const frameBytes = 4 * channels;
  const maxFrames = cap === null ? Infinity : Math.floor(cap.acceptS * sampleRate);
  let frames = 0;
  let rest: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of run.stdout ?? []) {
      const bytes: Buffer = rest.length > 0 ? Buffer.concat([rest, chunk as Buffer]) : (chunk as Buffer);
      const whole = bytes.length - (bytes.length % frameBytes);
      rest = Buffer.from(bytes.subarray(whole));
      if (whole === 0) continue;
      frames += whole / frameBytes;
      if (cap !== null && frames > maxFrames) throw tooLong(cap);
      // Copy: a Buffer's offset in its pool need not be 4-aligned, which a Float32Array view requires.
      const samples = new Float32Array(whole / 4);
      new Uint8Array(samples.buffer).set(bytes.subarray(0, whole));
      yield samples;
    }
    const exit = await run.exited;
    if (exit.ended === "aborted") throw signal?.reason;
    if (exit.ended === "timeout") throw new HooklineError("timeout", "decoding took too long");
    if (exit.ended === "spawn_failed") {
      throw new HooklineError("internal", `ffmpeg could not run: ${exit.spawnError?.message ?? "unknown"}`);
    }
    if (exit.code !== 0) {
      const why = decoderMessage(exit.stderr, pathForms(src)) || `ffmpeg exited with code ${exit.code}`;
      throw new HooklineError("unsupported_media", `the audio could not be decoded: ${why}`);
    }
  } finally {
    // Runs on normal end, on error and when the consumer breaks: never leave ffmpeg running.
    run.kill();
    await run.exited;
  }
}
