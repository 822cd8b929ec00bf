/**
 * Real voice recordings for the custom-voice suites, made on the spot: espeak-ng speaks (a "voice" is an espeak
 * language + variant, e.g. `en+m3`), ffmpeg encodes as a browser or a phone would, sox makes the bad takes.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { run } from "./audio.js";

/** How a recording is stored: the usual formats, and what browsers record (Chrome WebM/Opus, Safari MP4/AAC). */
export type VoiceFormat = "wav" | "mp3" | "webm" | "m4a" | "ogg" | "flac";

const ENCODE: Readonly<Record<VoiceFormat, readonly string[]>> = {
  wav: ["-c:a", "pcm_s16le", "-f", "wav"],
  mp3: ["-c:a", "libmp3lame", "-b:a", "128k", "-f", "mp3"],
  // Chrome's MediaRecorder: Opus in WebM, 48 kHz; Safari's: AAC in MP4.
  webm: ["-c:a", "libopus", "-b:a", "32k", "-ar", "48000", "-f", "webm"],
  m4a: ["-c:a", "aac", "-b:a", "96k", "-ar", "48000", "-f", "mp4"],
  ogg: ["-c:a", "libvorbis", "-q:a", "4", "-f", "ogg"],
  flac: ["-c:a", "flac", "-f", "flac"],
};

let counter = 0;

/**
 * espeak-ng speaks `texts` (one after the other, 0.3 s apart) as `voice`, with pitch 0–99 (50 is the voice's
 * own) and speed in words per minute; the result is encoded as `format`. Returns the path.
 */
export async function speak(
  dir: string,
  voice: string,
  texts: readonly string[],
  opts: { format?: VoiceFormat; pitch?: number; speed?: number; name?: string } = {},
): Promise<string> {
  const format = opts.format ?? "wav";
  const id = `${voice.replace(/\W/g, "_")}-${++counter}`;
  const parts: string[] = [];
  for (const [i, text] of texts.entries()) {
    const part = join(dir, `${id}-part${i}.wav`);
    await run("espeak-ng", [
      "-v",
      voice,
      "-p",
      String(opts.pitch ?? 50),
      "-s",
      String(opts.speed ?? 175),
      "-w",
      part,
      text,
    ]);
    parts.push(part);
  }
  const list = join(dir, `${id}.txt`);
  await writeFile(list, parts.map((p) => `file '${p}'`).join("\n"));
  const out = join(dir, opts.name ?? `${id}.${format}`);
  await run("ffmpeg", [
    "-nostdin",
    "-v",
    "error",
    "-y",
    "-f",
    "concat",
    "-safe",
    "0",
    "-i",
    list,
    ...ENCODE[format],
    out,
  ]);
  return out;
}

/** Bad takes made with sox: digital silence, loud white noise, and a voice driven 20 dB into clipping. */
export async function badTakes(dir: string, voice: string) {
  const silence = join(dir, "silence.wav");
  const noise = join(dir, "noise.wav");
  const clipped = join(dir, "clipped.wav");
  const clean = await speak(dir, voice, [
    "The morning light is falling softly on the river.",
    "We keep on singing a brand new song together.",
    "My sister plays the old guitar by the window.",
    "The children follow the music down the road.",
  ]);
  await run("sox", ["-n", "-r", "22050", "-c", "1", "-b", "16", silence, "trim", "0", "8"]);
  await run("sox", [
    "-n",
    "-r",
    "22050",
    "-c",
    "1",
    "-b",
    "16",
    noise,
    "synth",
    "8",
    "whitenoise",
    "vol",
    "0.3",
  ]);
  // sox clips (and warns) when the gain drives samples past full scale: that is the point here.
  await run("sox", ["-V1", clean, clipped, "gain", "20"]);
  const text = join(dir, "notes.txt");
  await writeFile(text, "These are my lyrics, not a recording.\n".repeat(50));
  return { clean, silence, noise, clipped, text };
}
