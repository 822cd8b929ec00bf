/**
 * The size of the WAV a conversion will write, known before it starts: the submission refuses a source whose
 * result would pass the output limit (DESIGN invariant 8) instead of letting it fill the disk first.
 *
 * The header is the one `convertToWav` has ffmpeg write: `RIFF`/`WAVE` (12 bytes), a 36-byte `JUNK` chunk
 * that `-rf64 auto` reserves up front and turns into the `ds64` chunk of an RF64 file past 4 GiB (so the size
 * does not jump there), the `fmt ` chunk (16 bytes of PCMWAVEFORMAT, or 40 of WAVEFORMATEXTENSIBLE), and the
 * `data` chunk's 8-byte header; the data is padded to an even length.
 */
import { HooklineError } from "../lib/errors.js";

/** What a prediction needs of the source, as a probe reports it. */
export interface WavShape {
  readonly durationS: number;
  readonly sampleRate: number;
  readonly channels: number;
}

const RIFF = 12;
const DS64_RESERVED = 8 + 28;
const CHUNK_HEADER = 8;
const FMT_PLAIN = 16;
const FMT_EXTENSIBLE = 40;

/**
 * ffmpeg's rule (riffenc.c) for the common layouts: WAVEFORMATEXTENSIBLE for more than two channels, more
 * than 16 bits or more than 48 kHz. A mono or stereo source with an unusual channel layout gets it too,
 * which makes such a file 24 bytes larger than predicted.
 */
function extensible(shape: WavShape, bitDepth: 16 | 24): boolean {
  return shape.channels > 2 || bitDepth > 16 || shape.sampleRate > 48_000;
}

/** The bytes before the samples in the WAV of a source of this shape. */
export function wavHeaderBytes(shape: WavShape, bitDepth: 16 | 24): number {
  const fmt = extensible(shape, bitDepth) ? FMT_EXTENSIBLE : FMT_PLAIN;
  return RIFF + DS64_RESERVED + CHUNK_HEADER + fmt + CHUNK_HEADER;
}

/**
 * The size in bytes of the WAV that `convertToWav` writes for a source of this duration, rate and
 * channel count, header included: exact for a source whose duration is exact (to the frame), and as good
 * as the stated duration otherwise. Throws HooklineError("bad_request") for a shape that is not one.
 *
 * @example
 * const probe = await probeAudio(ff, path);
 * if (probe.kind === "audio" && predictWavBytes(probe, config.wavBitDepth) > config.limits.maxOutputBytes) {
 *   throw new HooklineError("payload_too_large", "the WAV would be too large");
 * }
 */
export function predictWavBytes(shape: WavShape, bitDepth: 16 | 24): number {
  const { durationS, sampleRate, channels } = shape;
  if (!(Number.isFinite(durationS) && durationS >= 0)) {
    throw new HooklineError("bad_request", "durationS must be a finite number >= 0");
  }
  if (!(Number.isInteger(sampleRate) && sampleRate > 0 && Number.isInteger(channels) && channels > 0)) {
    throw new HooklineError("bad_request", "sampleRate and channels must be positive integers");
  }
  const data = Math.round(durationS * sampleRate) * channels * (bitDepth / 8);
  return wavHeaderBytes(shape, bitDepth) + data + (data % 2);
}
