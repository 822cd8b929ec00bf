/**
 * Music-like test tracks with known traits, made by ffmpeg: a chord pulsing at the tempo, a bass note on the
 * tonic, noise "hats" on the off-beats whose level sets the brightness, and an optional fade-in that shapes the
 * loudness envelope. Different options give audibly and measurably different tracks; the same options give the
 * same samples (every noise source is seeded).
 */
import { join } from "node:path";
import { run } from "./audio.js";

/** Equal-tempered frequency of a MIDI note (69 = A4 = 440 Hz). */
export const midiHz = (note: number): number => 440 * 2 ** ((note - 69) / 12);

/** Options of {@link makeSong}. */
export interface SongOptions {
  /** File name with extension (.mp3, .flac, .ogg, .wav). */
  readonly name: string;
  readonly seconds: number;
  readonly bpm: number;
  /** MIDI notes of the chord; the first is the tonic (the bass plays it two octaves down). */
  readonly chord: readonly number[];
  /** Level of the noise hats, 0–1: 0 is a dark, tonal track; 1 a bright, noisy one. */
  readonly hats?: number;
  /** Seconds of fade-in (a crescendo), default none. */
  readonly fadeInS?: number;
  readonly seed?: number;
}

const CODECS: Record<string, readonly string[]> = {
  mp3: ["-c:a", "libmp3lame", "-b:a", "160k"],
  flac: ["-c:a", "flac", "-sample_fmt", "s16"],
  ogg: ["-c:a", "libvorbis", "-q:a", "4"],
  wav: ["-c:a", "pcm_s16le"],
};

/** Writes the song into `dir`; answers its path. */
export async function makeSong(dir: string, o: SongOptions): Promise<string> {
  const ext = o.name.split(".").pop() ?? "";
  const codec = CODECS[ext];
  if (!codec) throw new Error(`makeSong: unsupported extension .${ext}`);
  const src = `r=44100:d=${o.seconds}`;
  const beat = o.bpm / 60;
  const hats = o.hats ?? 0.3;
  const parts = o.chord.map((note, i) => `sine=f=${midiHz(note).toFixed(3)}:${src}[t${i}]`);
  const tones = o.chord.map((_, i) => `[t${i}]`).join("");
  parts.push(
    `${tones}amix=inputs=${o.chord.length}:normalize=0,volume=${(0.5 / o.chord.length).toFixed(3)},tremolo=f=${beat}:d=0.8[pad]`,
    `sine=f=${midiHz(o.chord[0]! - 24).toFixed(3)}:${src},volume=0.5,tremolo=f=${beat}:d=0.9[bass]`,
    `anoisesrc=color=white:amplitude=${hats.toFixed(3)}:seed=${o.seed ?? 7}:${src},highpass=f=5000,tremolo=f=${beat * 2}:d=1[hat]`,
    `[pad][bass][hat]amix=inputs=3:normalize=0${o.fadeInS ? `,afade=t=in:d=${o.fadeInS}` : ""},aformat=channel_layouts=stereo[out]`,
  );
  const path = join(dir, o.name);
  await run("ffmpeg", [
    "-nostdin",
    "-v",
    "error",
    "-filter_complex",
    parts.join(";"),
    "-map",
    "[out]",
    "-fflags",
    "+bitexact",
    ...codec,
    "-y",
    path,
  ]);
  return path;
}
