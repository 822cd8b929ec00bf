/** Audio files for the WAV tests that the shared helpers do not make: a corrupt FLAC, and reading a served WAV. */
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { readWavInfo, type WavInfo } from "../../src/media/index.js";
import { makeAudio } from "../helpers/audio.js";

/**
 * A FLAC whose header (STREAMINFO with a duration) is intact and whose frames are random bytes: ffprobe calls it
 * audio, so the upload registers a track, but no frame decodes, so the conversion fails.
 */
export async function corruptFlac(dir: string): Promise<string> {
  const flac = await readFile(await makeAudio(dir, { format: "flac", seconds: 1, name: "whole.flac" }));
  let at = 4; // "fLaC"
  for (;;) {
    const header = flac[at]!;
    at += 4 + flac.readUIntBE(at + 1, 3);
    if (header & 0x80) break; // the last metadata block
  }
  const path = join(dir, "corrupt.flac");
  await writeFile(path, Buffer.concat([flac.subarray(0, at), randomBytes(40_000)]));
  return path;
}

/** Downloads a served WAV into `dir` and reads its header. */
export async function wavInfoAt(url: string, dir: string): Promise<WavInfo> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status}`);
  const path = join(dir, `served-${randomBytes(4).toString("hex")}.wav`);
  await writeFile(path, Buffer.from(await res.arrayBuffer()));
  return readWavInfo(path);
}
