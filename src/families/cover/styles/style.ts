import type { AudioFeatures } from "../../../media/analysis/index.js";
import type { FontCache } from "../../../media/image/index.js";
import type { Palette } from "./palette.js";
import type { Random } from "./random.js";

/** What a style composes a cover from. */
export interface StyleInput {
  readonly features: AudioFeatures;
  /** The title to set: the track's tags, else its file name, else a fallback (see src/tracks/titles.ts). */
  readonly title: string;
  /** The artist its tags name, for a second line where the style has room; null when none. */
  readonly artist: string | null;
  readonly palette: Palette;
  /** Seeded from the features, the title and the style's name: the same track gives the same choices. */
  readonly random: Random;
  readonly fonts: FontCache;
}

/** A style's composition as plain values (counts, positions, angles, variants): what makes two covers differ. */
export type StyleLayout = Readonly<Record<string, number | string>>;

/**
 * A cover style: a name, a phrase that describes it to an image-generation service, its composition for a track
 * (made from the first draws of `random`, so that `compose` with a fresh generator of the same seed follows it),
 * and a function from the track to an SVG document of 1000 × 1000 units (rasterised to the configured size).
 * Adding a style means adding a module that exports one of these and listing it in `styles/index.ts`.
 */
export interface CoverStyle {
  readonly name: string;
  readonly prompt: string;
  layout(input: StyleInput): StyleLayout;
  compose(input: StyleInput): Promise<string>;
}

/** Numbers in SVG: two decimals are finer than a pixel at 1000 units. */
export const n = (x: number): string => String(Math.round(x * 100) / 100);

/** The SVG document around a body, in 1000 × 1000 units. */
export function svgDocument(defs: string, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="1000" viewBox="0 0 1000 1000"><defs>${defs}</defs>${body}</svg>`;
}

/** `m:ss` of a duration. */
export function clock(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
