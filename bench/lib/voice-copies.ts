/**
 * Copies of a source recording, as someone would make them to pass a replay off as a new take (re-encoded,
 * resampled, louder or quieter, under a little noise, shifted and padded, cut to the segment, all at once, or
 * played in a room), and new takes of the same voice (the same words again with another pitch or speed, other
 * words, the same words in another variant). All with the system's tools and a seeded generator.
 */
import { join } from "node:path";
import { addNoise, readWav, run, speak, writeWav } from "./voice-audio.js";

/** The copies of the source the replay check must refuse; `room` is measured, not promised. */
export const COPIES = [
  "same-file",
  "mp3-64k",
  "mp3-32k",
  "webm-opus-24k",
  "m4a-aac-64k",
  "resampled-8kHz",
  "resampled-44.1kHz",
  "gain-minus-20dB",
  "white-noise-20dB",
  "pink-noise-15dB",
  "shifted-padded",
  "segment-cut",
  "all-at-once",
  "room",
] as const;
export type Copy = (typeof COPIES)[number];

const ffmpeg = (args: readonly string[]) => run("ffmpeg", ["-nostdin", "-v", "error", "-y", ...args]);

/** Writes one copy of `source` (an MP3; `wav` is its decode at 22.05 kHz) into `dir`; returns its path. */
export async function makeCopy(
  source: string,
  wav: string,
  kind: Copy,
  dir: string,
  rnd: () => number,
): Promise<string> {
  const out = (ext: string) => join(dir, `copy-${kind}.${ext}`);
  const enc = async (args: string[], ext: string, input = wav) => {
    await ffmpeg(["-i", input, ...args, out(ext)]);
    return out(ext);
  };
  // Silence before (not a whole number of 10 ms frames) and after.
  const shift = () => `adelay=delays=${Math.round((0.05 + rnd() * 0.85) * 22_050)}S:all=1,apad=pad_dur=0.8`;
  switch (kind) {
    case "same-file":
      return source;
    case "mp3-64k":
      return enc(["-c:a", "libmp3lame", "-b:a", "64k"], "mp3");
    case "mp3-32k":
      return enc(["-c:a", "libmp3lame", "-b:a", "32k"], "mp3");
    case "webm-opus-24k":
      return enc(["-c:a", "libopus", "-b:a", "24k", "-f", "webm"], "webm");
    case "m4a-aac-64k":
      return enc(["-c:a", "aac", "-b:a", "64k", "-f", "mp4"], "m4a");
    case "resampled-8kHz":
      return enc(["-ar", "8000", "-c:a", "pcm_s16le"], "wav");
    case "resampled-44.1kHz":
      return enc(["-ar", "44100", "-c:a", "pcm_s16le"], "wav");
    case "gain-minus-20dB":
    case "white-noise-20dB":
    case "pink-noise-15dB": {
      const { rate, samples } = await readWav(wav);
      const copy =
        kind === "gain-minus-20dB"
          ? samples.map((v) => v * 0.1)
          : addNoise(
              samples,
              rate,
              kind === "white-noise-20dB" ? 20 : 15,
              kind.startsWith("white") ? "white" : "pink",
              rnd,
            );
      await writeWav(out("wav"), rate, copy);
      return out("wav");
    }
    case "shifted-padded":
      return enc(["-af", shift(), "-c:a", "pcm_s16le"], "wav");
    case "segment-cut": {
      // What a person would cut: a few seconds from inside the recording, at no frame boundary.
      const start = 0.3 + rnd();
      return enc(["-af", `atrim=start=${start.toFixed(4)}:duration=${(3 + rnd() * 1.5).toFixed(4)}`], "wav");
    }
    case "all-at-once": {
      const { rate, samples } = await readWav(wav);
      const noisy = join(dir, "all-at-once-noisy.wav");
      await writeWav(noisy, rate, addNoise(samples, rate, 20, "white", rnd));
      return enc(["-af", shift(), "-ar", "8000", "-c:a", "libmp3lame", "-b:a", "32k"], "mp3", noisy);
    }
    case "room":
      // Played through a small speaker in a room and recorded: reverberation and a narrower band.
      await run("sox", ["-V1", wav, out("wav"), "reverb", "40", "highpass", "200", "lowpass", "5000"]);
      return out("wav");
  }
}

/** A new take of the voice, and how it differs from the source's first sentence. */
export interface Retake {
  readonly kind: string;
  readonly voice: string;
  readonly text: string;
  readonly pitch: number;
  readonly speed: number;
}

/**
 * The new takes measured against a source whose first sentence is `first` at `pitch` and `speed`: that sentence
 * again with the pitch raised by 1, 2, 4, 8 steps (1 step ≈ 0.9 %) or the speed by 2, 4, 8 %; again with a pitch
 * and speed drawn as the evaluation set draws them (±10 %); other words; the same words by the next variant in
 * the list, at the same pitch and speed (often of the same family, klatt2 after klatt: nearly the same synthesis).
 */
export function retakes(
  voice: string,
  otherVoice: string,
  first: { text: string; pitch: number; speed: number },
  otherText: string,
  rnd: () => number,
): Retake[] {
  const same = (kind: string, pitch: number, speed: number): Retake => ({
    kind,
    voice,
    text: first.text,
    pitch,
    speed,
  });
  return [
    ...[1, 2, 4, 8].map((d) => same(`same words, pitch +${d}`, first.pitch + d, first.speed)),
    ...[2, 4, 8].map((d) =>
      same(`same words, speed +${d} %`, first.pitch, Math.round(first.speed * (1 + d / 100))),
    ),
    same("same words, new pitch and speed", 41 + Math.floor(rnd() * 19), 158 + Math.floor(rnd() * 35)),
    { kind: "other words", voice, text: otherText, pitch: 41 + Math.floor(rnd() * 19), speed: 175 },
    { ...first, kind: "same words, next variant (list order)", voice: otherVoice },
  ];
}

/** Renders a retake as a WAV (espeak-ng's own output, as a clean recording). */
export async function renderRetake(r: Retake, path: string): Promise<string> {
  await speak(r.voice, r.text, r.pitch, r.speed, path);
  return path;
}
