/**
 * Reads a WAV file's header (RIFF or RF64/BW64) by walking its chunks, without reading the samples:
 * a 4 GiB file costs a handful of small reads.
 */
import { type FileHandle, open } from "node:fs/promises";
import { HooklineError } from "../lib/errors.js";

/** What a WAV header says. */
export interface WavInfo {
  /** The format tag; for WAVE_FORMAT_EXTENSIBLE, the sub-format's tag (1 = integer PCM, 3 = float). */
  format: number;
  sampleRate: number;
  channels: number;
  bitDepth: number;
  /** Bytes of sample data: the header's size, capped at the bytes really present after the data chunk. */
  dataBytes: number;
  frames: number;
  durationS: number;
}

const EXTENSIBLE = 0xfffe;
/** Plain RIFF and RF64 mark "size in ds64" or "unknown" this way. */
const SIZE_UNKNOWN = 0xffffffff;
/** Chunks before `data` are few (fmt, fact, LIST, JUNK, bext); more means a hostile or broken file. */
const MAX_CHUNKS = 256;

function notWav(reason: string): HooklineError {
  return new HooklineError("unsupported_media", `not a valid WAV file: ${reason}`);
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

interface Fmt {
  format: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bitDepth: number;
}

function parseFmt(body: Buffer): Fmt {
  if (body.length < 16) throw notWav("fmt chunk too short");
  let format = body.readUInt16LE(0);
  if (format === EXTENSIBLE && body.length >= 26) format = body.readUInt16LE(24);
  return {
    format,
    channels: body.readUInt16LE(2),
    sampleRate: body.readUInt32LE(4),
    blockAlign: body.readUInt16LE(12),
    bitDepth: body.readUInt16LE(14),
  };
}

/**
 * Reads a WAV header from a file.
 *
 * @throws HooklineError("unsupported_media") when the file is not a RIFF/RF64 WAVE with fmt and data chunks.
 * @example
 * const { sampleRate, channels, bitDepth, durationS } = await readWavInfo("out.wav");
 */
export async function readWavInfo(path: string): Promise<WavInfo> {
  const fh = await open(path, "r");
  try {
    const size = (await fh.stat()).size;
    const riff = await readAt(fh, 0, 12);
    const magic = riff.toString("latin1", 0, 4);
    if (riff.length < 12 || riff.toString("latin1", 8, 12) !== "WAVE") throw notWav("no RIFF/WAVE header");
    if (magic !== "RIFF" && magic !== "RF64" && magic !== "BW64") throw notWav(`unknown magic "${magic}"`);
    let ds64DataBytes: number | null = null;
    let fmt: Fmt | null = null;
    let pos = 12;
    for (let n = 0; n < MAX_CHUNKS && pos + 8 <= size; n++) {
      const header = await readAt(fh, pos, 8);
      if (header.length < 8) break;
      const id = header.toString("latin1", 0, 4);
      const chunkSize = header.readUInt32LE(4);
      const body = pos + 8;
      if (id === "ds64") {
        const ds = await readAt(fh, body, 24);
        if (ds.length >= 16) ds64DataBytes = Number(ds.readBigUInt64LE(8));
      } else if (id === "fmt ") {
        fmt = parseFmt(await readAt(fh, body, Math.min(chunkSize, 64)));
      } else if (id === "data") {
        if (fmt === null) throw notWav("data chunk before fmt chunk");
        const declared = chunkSize === SIZE_UNKNOWN && ds64DataBytes !== null ? ds64DataBytes : chunkSize;
        const dataBytes = Math.min(declared, size - body);
        if (fmt.blockAlign === 0 || fmt.sampleRate === 0) throw notWav("zero block size or sample rate");
        const frames = Math.floor(dataBytes / fmt.blockAlign);
        const { format, sampleRate, channels, bitDepth } = fmt;
        return { format, sampleRate, channels, bitDepth, dataBytes, frames, durationS: frames / sampleRate };
      }
      // Chunks are word-aligned: an odd size is followed by one pad byte.
      pos = body + chunkSize + (chunkSize % 2);
    }
    throw notWav("no data chunk");
  } finally {
    await fh.close();
  }
}
