/**
 * Where a cover task's images come from: the configured image service (one request per style, in parallel), or
 * the local renderer. Either way the analysis runs first: it seeds the local art and writes the service's prompt.
 */

import type { AudioFeatures } from "../../media/analysis/index.js";
import type { FontCache } from "../../media/image/index.js";
import type { Services } from "../../services/index.js";
import { type CoverText, paletteFor, renderCovers } from "./art.js";
import { coverPrompt } from "./prompt.js";
import { generateImage } from "./provider.js";
import { STYLES } from "./styles/index.js";

/** One image ready to store. */
export interface StoredImage {
  readonly style: string;
  readonly bytes: Buffer;
  readonly mimeType: string;
  readonly extension: string;
}

/** The task's images, one per style. */
export async function coverImages(
  services: Services,
  fonts: FontCache,
  features: AudioFeatures,
  text: CoverText,
  signal: AbortSignal,
): Promise<StoredImage[]> {
  const { size, provider } = services.config.cover;
  if (!provider) {
    const covers = await renderCovers(features, text, { size, fonts, signal });
    return covers.map((c) => ({ style: c.style, bytes: c.png, mimeType: "image/png", extension: "png" }));
  }
  const { hue } = paletteFor(features);
  return Promise.all(
    STYLES.map(async (style) => {
      const img = await generateImage(
        services,
        provider,
        coverPrompt(style, text, features, hue),
        size,
        signal,
      );
      return { style: style.name, bytes: img.bytes, mimeType: img.mimeType, extension: img.extension };
    }),
  );
}
