import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { readWavInfo } from "../../src/media/index.js";
import { type TmpDir, tmpDir } from "../helpers/audio.js";

let dir: TmpDir;
beforeAll(async () => {
  dir = await tmpDir("media-wavinfo");
});
afterAll(() => dir.cleanup());

function chunk(id: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, "latin1");
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body, body.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

function fmt(tag: number, channels: number, rate: number, bits: number, subFormat?: number): Buffer {
  const b = Buffer.alloc(subFormat === undefined ? 16 : 40);
  const align = (channels * bits) / 8;
  b.writeUInt16LE(tag, 0);
  b.writeUInt16LE(channels, 2);
  b.writeUInt32LE(rate, 4);
  b.writeUInt32LE(rate * align, 8);
  b.writeUInt16LE(align, 12);
  b.writeUInt16LE(bits, 14);
  if (subFormat !== undefined) {
    b.writeUInt16LE(22, 16);
    b.writeUInt16LE(bits, 18);
    b.writeUInt16LE(subFormat, 24);
  }
  return b;
}

async function write(name: string, magic: string, chunks: Buffer[]): Promise<string> {
  const body = Buffer.concat(chunks);
  const head = Buffer.alloc(12);
  head.write(magic, 0, "latin1");
  head.writeUInt32LE(magic === "RIFF" ? body.length + 4 : 0xffffffff, 4);
  head.write("WAVE", 8, "latin1");
  const path = join(dir.path, name);
  await writeFile(path, Buffer.concat([head, body]));
  return path;
}

it("reads a plain RIFF header, skipping an odd-sized chunk and its pad byte", async () => {
  const data = Buffer.alloc(4 * 1000);
  const path = await write("plain.wav", "RIFF", [
    chunk("LIST", Buffer.from("INFOodd")),
    chunk("fmt ", fmt(1, 2, 8000, 16)),
    chunk("data", data),
  ]);
  expect(await readWavInfo(path)).toEqual({
    format: 1,
    sampleRate: 8000,
    channels: 2,
    bitDepth: 16,
    dataBytes: 4000,
    frames: 1000,
    durationS: 0.125,
  });
});

it("reads RF64: the data size comes from ds64", async () => {
  const ds64 = Buffer.alloc(28);
  ds64.writeBigUInt64LE(0n, 0);
  ds64.writeBigUInt64LE(6000n, 8);
  const data = Buffer.alloc(6000);
  const dataChunk = Buffer.concat([Buffer.from("data"), Buffer.from([0xff, 0xff, 0xff, 0xff]), data]);
  const path = await write("big.wav", "RF64", [
    chunk("ds64", ds64),
    chunk("fmt ", fmt(0xfffe, 2, 48000, 24, 1)),
    dataChunk,
  ]);
  expect(await readWavInfo(path)).toMatchObject({
    format: 1,
    bitDepth: 24,
    channels: 2,
    dataBytes: 6000,
    frames: 1000,
  });
});

it("caps the data size at the bytes present (a truncated file)", async () => {
  const dataChunk = Buffer.concat([Buffer.from("data"), Buffer.from([0x40, 0x1f, 0, 0]), Buffer.alloc(100)]);
  const path = await write("cut.wav", "RIFF", [chunk("fmt ", fmt(1, 1, 8000, 16)), dataChunk]);
  expect(await readWavInfo(path)).toMatchObject({ dataBytes: 100, frames: 50 });
});

it("refuses what is not a WAV with unsupported_media", async () => {
  const notWav = join(dir.path, "x.wav");
  await writeFile(notWav, "hello, I am not a wave file at all");
  await expect(readWavInfo(notWav)).rejects.toMatchObject({ code: "unsupported_media" });
  const noData = await write("nodata.wav", "RIFF", [chunk("fmt ", fmt(1, 1, 8000, 16))]);
  await expect(readWavInfo(noData)).rejects.toMatchObject({ code: "unsupported_media" });
});
