/**
 * The local cover renderer: every style composes an SVG from the track's features and title, and resvg
 * rasterises them in parallel. Everything random is seeded from the features' digest and the title, so the same
 * audio under the same name gives byte-identical PNGs, and two tracks differ in composition, not only colour.
 */
import { createHash } from "node:crypto";
import { type AudioFeatures, featureDigest } from "../../media/analysis/index.js";
import { type FontCache, rasterise } from "../../media/image/index.js";
import {
  type CoverStyle,
  type Palette,
  paletteOf,
  STYLES,
  type StyleInput,
  type StyleLayout,
  seededRandom,
} from "./styles/index.js";

/** One rendered cover. */
export interface CoverImage {
  readonly style: string;
  readonly png: Buffer;
}

/** What a cover prints: the title, and the artist as a second line where the style has room. */
export interface CoverText {
  readonly title: string;
  readonly artist: string | null;
}

/** Options of {@link renderCovers}. */
export interface RenderOptions {
  /** Width and height in px. */
  readonly size: number;
  readonly fonts: FontCache;
  readonly signal?: AbortSignal;
  /** Default: every style. */
  readonly styles?: readonly CoverStyle[];
}

/**
 * The seed of one style: the features' digest and the text, salted with the style's name so that styles choose
 * independently. The palette's seed leaves the text out: a track's colours are its sound's.
 */
const seedOf = (digest: Buffer, salt: string, text?: CoverText) => {
  const hash = createHash("sha256").update(digest).update(salt);
  if (text) hash.update(JSON.stringify([text.title, text.artist]));
  return hash.digest();
};

/** The palette of a track (both styles share it, so a track's two covers belong together). */
export function paletteFor(features: AudioFeatures): Palette {
  return paletteOf(features, seededRandom(seedOf(featureDigest(features), "palette")));
}

function inputsOf(
  features: AudioFeatures,
  text: CoverText,
  fonts: FontCache,
  styles: readonly CoverStyle[],
): { style: CoverStyle; input: StyleInput }[] {
  const digest = featureDigest(features);
  const palette = paletteFor(features);
  return styles.map((style) => ({
    style,
    input: { features, ...text, palette, fonts, random: seededRandom(seedOf(digest, style.name, text)) },
  }));
}

/**
 * The composition of every style for a track (counts, positions, angles, variants), as its covers will draw it:
 * what tests and the contact sheet compare between tracks.
 */
export function coverLayouts(
  features: AudioFeatures,
  text: CoverText,
  fonts: FontCache,
  styles: readonly CoverStyle[] = STYLES,
): { style: string; layout: StyleLayout }[] {
  return inputsOf(features, text, fonts, styles).map(({ style, input }) => ({
    style: style.name,
    layout: style.layout(input),
  }));
}

/** The SVG documents of every style for a track (exposed for the contact sheet and tests). */
export async function composeCovers(
  features: AudioFeatures,
  text: CoverText,
  fonts: FontCache,
  styles: readonly CoverStyle[] = STYLES,
): Promise<{ style: string; svg: string }[]> {
  return Promise.all(
    inputsOf(features, text, fonts, styles).map(async ({ style, input }) => ({
      style: style.name,
      svg: await style.compose(input),
    })),
  );
}

/**
 * Renders the covers of a track as PNGs of `size` × `size`.
 *
 * @example
 * const [abstract, poster] = await renderCovers(features, { title: "Night Drive", artist: null }, { size: 1024, fonts });
 */
export async function renderCovers(
  features: AudioFeatures,
  text: CoverText,
  opts: RenderOptions,
): Promise<CoverImage[]> {
  const documents = await composeCovers(features, text, opts.fonts, opts.styles);
  return Promise.all(
    documents.map(async ({ style, svg }) => ({ style, png: await rasterise(svg, opts.size, opts.signal) })),
  );
}
