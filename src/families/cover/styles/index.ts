/**
 * The cover styles. Each is a small module exporting a {@link CoverStyle}; the cover task renders every style
 * listed here, in this order (the reseller's tasks give two images of different styles).
 * @module
 */
import { contours } from "./contours.js";
import { poster } from "./poster.js";
import type { CoverStyle } from "./style.js";

export { type Palette, paletteOf } from "./palette.js";
export { type Random, seededRandom } from "./random.js";
export type { CoverStyle, StyleInput, StyleLayout } from "./style.js";

export const STYLES: readonly CoverStyle[] = [contours, poster];
