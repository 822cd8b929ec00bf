/**
 * Decoded samples for analysis (cover art, voice checks), streamed from ffmpeg's stdout: the consumer
 * pulls chunk by chunk and the pipe's back-pressure pauses ffmpeg, so memory does not grow with length.
 */
import { endianness } from "node:os";
import { HooklineError } from "../lib/errors.js";
import type { Ffmpeg } from "./ffmpeg.js";
import { AUDIO_ONLY_ARGS, FFMPEG_GLOBAL_ARGS, inputArgs } from "./formats.js";
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
}

/** Float32Array uses the machine's byte order, so ffmpeg is asked for that one. */
const FLOAT_FORMAT = endianness() === "LE" ? "f32le" : "f32be";

function rangeArgs(startS: number | undefined, endS: number | undefined): string[] {
  const start = startS ?? 0;
  if (!Number.isFinite(start) || start < 0) throw new HooklineError("bad_request", "startS must be >= 0");
  if (endS !== undefined && !(Number.isFinite(endS) && endS > start)) {
    throw new HooklineError("bad_request", "endS must be greater than startS");
  }
  // As input options: -ss seeks (then decodes accurately to the exact sample), -t bounds the read.
  const args = start > 0 ? ["-ss", start.toFixed(6)] : [];
  if (endS !== undefined) args.push("-t", (endS - start).toFixed(6));
  return args;
}

/**
 * Streams the first audio stream of `src` as 32-bit float samples in [-1, 1], resampled to `sampleRate`
 * and mixed to `channels`. Chunks hold whole frames (a multiple of `channels` samples). Breaking out of
 * the loop or aborting kills ffmpeg; a decode failure throws HooklineError("unsupported_media").
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
  if (signal?.aborted) throw signal.reason;
  const output = ["-ac", String(channels), "-ar", String(sampleRate), "-c:a", `pcm_${FLOAT_FORMAT}`];
  const args = [
    ...FFMPEG_GLOBAL_ARGS,
    ...inputArgs(src, rangeArgs(opts.startS, opts.endS)),
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
  let rest: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of run.stdout ?? []) {
      const bytes: Buffer = rest.length > 0 ? Buffer.concat([rest, chunk as Buffer]) : (chunk as Buffer);
      const whole = bytes.length - (bytes.length % frameBytes);
      rest = Buffer.from(bytes.subarray(whole));
      if (whole === 0) continue;
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
