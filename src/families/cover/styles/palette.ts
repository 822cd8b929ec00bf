/**
 * A palette from the music. The key sets the region of the hue: keys a fifth apart sit 30° apart on the colour
 * wheel (the circle of fifths wrapped onto the hue circle), so related keys get related colours. Major keys lean
 * warm and light, minor keys cool and deep. Brightness, loudness, dynamics and noise shape the rest (see
 * {@link paletteOf}); the strongest pitch classes besides the tonic give the accents, so a track's harmony shows
 * as its colour chord.
 */
import type { AudioFeatures } from "../../../media/analysis/index.js";
import { hex, type Oklch } from "./color.js";
import type { Random } from "./random.js";
import { traitsOf } from "./traits.js";

/** Colours of one cover, as hex. */
export interface Palette {
  /** Deepest and second background tone. */
  readonly ground: string;
  readonly ground2: string;
  /** The key's colour, strong. */
  readonly primary: string;
  /** Accents from the other strong pitch classes. */
  readonly accents: readonly string[];
  /** A near-white (or near-black on light grounds) for type. */
  readonly ink: string;
  /** A pale tint, for light grounds. */
  readonly paper: string;
  /** The hue of the key, in degrees (for prompts and tests). */
  readonly hue: number;
}

/** Hue of a pitch class on the circle of fifths, C at 20° (a warm red), G at 50°, D at 80°, … */
export const fifthsHue = (pitchClass: number): number => (20 + ((pitchClass * 7) % 12) * 30) % 360;

/**
 * The palette of a track. `random` adds a small jitter so that two tracks of one character still differ; the
 * rest is the music: the key picks the region of the colour wheel; brightness, tempo and loudness turn the hue
 * within it (up to ±40°); loudness and brightness raise lightness and chroma; the ground's hue moves round the
 * wheel with the track's energy (brightness, tempo, loudness, noise), its lightness with loudness and dynamics. Two generated tracks in A major, one slow, quiet and dark, one
 * faster and brighter, get primaries about 25° apart and distinct grounds (test/families/cover-art.test.ts).
 */
export function paletteOf(f: AudioFeatures, random: Random): Palette {
  const t = traitsOf(f);
  const minor = f.key.mode === "minor";
  const pace = t.pace ?? 0.25;
  // Within the key's region: brighter, faster, louder tracks turn one way, darker, slower, quieter ones the other.
  const turn = Math.max(-40, Math.min(40, (t.bright - 0.5) * 50 + (pace - 0.5) * 40 + (t.loud - 0.5) * 20));
  // Minor keys turn 25° towards blue-violet: the same tonic reads cooler.
  const hue = (fifthsHue(f.key.tonic) - (minor ? 25 : 0) + turn + random.range(-4, 4) + 720) % 360;
  const base: Oklch = {
    l: (minor ? 0.56 : 0.62) + 0.12 * t.loud + 0.06 * t.bright,
    c: 0.07 + 0.08 * t.bright + 0.08 * t.loud,
    h: hue,
  };
  const ranked = f.chroma
    .map((share, pc) => ({ share, pc }))
    .filter(({ pc }) => pc !== f.key.tonic)
    .sort((a, b) => b.share - a.share)
    .slice(0, 3);
  const accents = ranked.map(({ pc }, i) =>
    hex({
      l: 0.72 + 0.06 * i - (minor ? 0.05 : 0),
      c: 0.1 + 0.07 * t.bright + 0.03 * t.loud,
      h: fifthsHue(pc) + turn + random.range(-8, 8),
    }),
  );
  // The ground sits 60–300° from the primary, further round the more energetic the track: two tracks of one key
  // but different character get different grounds, not only shades of one. Dark yellows and olives read as mud:
  // grounds of those hues turn towards indigo, a foil for the light.
  const energy = Math.min(1, 0.45 * t.bright + 0.35 * pace + 0.2 * t.loud + 0.2 * t.noisy);
  const near = (hue + 60 + 240 * energy + 720) % 360;
  const groundHue = near > 45 && near < 150 ? near + 160 : near;
  const groundL = (minor ? 0.13 : 0.16) + 0.1 * t.loud - 0.04 * t.dynamic;
  return {
    ground: hex({ l: groundL, c: 0.04 + 0.03 * t.bright + 0.02 * t.dynamic, h: groundHue + 10 }),
    ground2: hex({ l: groundL + 0.13 + 0.05 * t.dynamic, c: 0.07 + 0.05 * t.bright, h: groundHue - 20 }),
    primary: hex(base),
    accents,
    ink: hex({ l: 0.97, c: 0.015, h: hue }),
    // Pale yellows are no mud: the paper keeps the ground's own hue, tinted as the ground is.
    paper: hex({ l: 0.91 + 0.04 * t.bright, c: 0.03 + 0.03 * t.loud, h: near }),
    hue,
  };
}
