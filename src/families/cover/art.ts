/**
 * The local cover renderer: every style composes an SVG from the track's features and title, and resvg
 * rasterises them in parallel. Everything random is seeded from the features' digest, so the same audio gives
 * byte-identical PNGs.
 */
import { createHash } from "node:crypto";
import { type AudioFeatures, featureDigest } from "../../media/analysis/index.js";
import { type FontCache, rasterise } from "../../media/image/index.js";
import { type CoverStyle, type Palette, paletteOf, STYLES, seededRandom } from "./styles/index.js";

/** One rendered cover. */
export interface CoverImage {
  readonly style: string;
  readonly png: Buffer;
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

/** The seed of one style: the features' digest, salted with the style's name so that styles choose independently. */
const seedOf = (digest: Buffer, salt: string) => createHash("sha256").update(digest).update(salt).digest();

/** The palette of a track (both styles share it, so a track's two covers belong together). */
export function paletteFor(features: AudioFeatures): Palette {
  return paletteOf(features, seededRandom(seedOf(featureDigest(features), "palette")));
}

/** The SVG documents of every style for a track (exposed for the contact sheet and tests). */
export async function composeCovers(
  features: AudioFeatures,
  title: string,
  fonts: FontCache,
  styles: readonly CoverStyle[] = STYLES,
): Promise<{ style: string; svg: string }[]> {
  const digest = featureDigest(features);
  const palette = paletteFor(features);
  return Promise.all(
    styles.map(async (style) => ({
      style: style.name,
      svg: await style.compose({
        features,
        title,
        palette,
        fonts,
        random: seededRandom(seedOf(digest, style.name)),
      }),
    })),
  );
}

/**
 * Renders the covers of a track as PNGs of `size` × `size`.
 *
 * @example
 * const [abstract, poster] = await renderCovers(features, "Night Drive", { size: 1024, fonts });
 */
export async function renderCovers(
  features: AudioFeatures,
  title: string,
  opts: RenderOptions,
): Promise<CoverImage[]> {
  const documents = await composeCovers(features, title, opts.fonts, opts.styles);
  return Promise.all(
    documents.map(async ({ style, svg }) => ({ style, png: await rasterise(svg, opts.size, opts.signal) })),
  );
}
