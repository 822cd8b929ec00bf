/**
 * A palette from the music. The key sets the hue: keys a fifth apart sit 30° apart on the colour wheel (the
 * circle of fifths wrapped onto the hue circle), so related keys get related colours. Major keys lean warm and
 * light, minor keys cool and deep. Brightness (spectral centroid) raises chroma; the strongest pitch classes
 * besides the tonic give the accents, so a track's harmony shows as its colour chord.
 */
import type { AudioFeatures } from "../../../media/analysis/index.js";
import { hex, type Oklch, shift } from "./color.js";
import type { Random } from "./random.js";

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
  /** A pale version of the primary, for light grounds. */
  readonly paper: string;
  /** The hue of the key, in degrees (for prompts and tests). */
  readonly hue: number;
}

/** Hue of a pitch class on the circle of fifths, C at 20° (a warm red), G at 50°, D at 80°, … */
export const fifthsHue = (pitchClass: number): number => (20 + ((pitchClass * 7) % 12) * 30) % 360;

/** How brightness (centroid as a fraction of 8 kHz, typically 0.02–0.4) maps to 0–1. */
const brightness01 = (b: number) => Math.min(1, Math.max(0, Math.log2(b / 0.02) / Math.log2(0.4 / 0.02)));

/** The palette of a track. `random` adds a small jitter so that two tracks in one key still differ. */
export function paletteOf(f: AudioFeatures, random: Random): Palette {
  const minor = f.key.mode === "minor";
  const bright = brightness01(f.brightness);
  // Minor keys turn 25° towards blue-violet: the same tonic reads cooler.
  const hue = (fifthsHue(f.key.tonic) - (minor ? 25 : 0) + random.range(-12, 12) + 360) % 360;
  const base: Oklch = { l: minor ? 0.64 : 0.72, c: 0.13 + 0.08 * bright, h: hue };
  const ranked = f.chroma
    .map((share, pc) => ({ share, pc }))
    .filter(({ pc }) => pc !== f.key.tonic)
    .sort((a, b) => b.share - a.share)
    .slice(0, 3);
  const accents = ranked.map(({ pc }, i) =>
    hex({
      l: 0.72 + 0.06 * i - (minor ? 0.05 : 0),
      c: 0.12 + 0.07 * bright,
      h: fifthsHue(pc) + random.range(-8, 8),
    }),
  );
  // Dark yellows and olives read as mud: grounds of those hues turn towards indigo, a foil for the light.
  const groundHue = hue > 45 && hue < 150 ? hue + 160 : hue;
  return {
    ground: hex({ l: minor ? 0.17 : 0.22, c: 0.05 + 0.03 * bright, h: groundHue + 10 }),
    ground2: hex({ l: minor ? 0.3 : 0.36, c: 0.08 + 0.04 * bright, h: groundHue - 20 }),
    primary: hex(base),
    accents,
    ink: hex({ l: 0.97, c: 0.015, h: hue }),
    paper: hex(shift(base, { l: 0.93 - base.l, c: 0.035 - base.c })),
    hue,
  };
}
