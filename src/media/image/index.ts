/**
 * Image rendering for the covers: fonts shipped in npm packages, text shaped into outlines with HarfBuzz, and SVG
 * rasterised to PNG with resvg.
 * @module
 */
export {
  CJK,
  DEVANAGARI,
  FontCache,
  type FontSpec,
  fallbackOrder,
  LATIN,
  type LoadedFont,
  type Weight,
} from "./fonts.js";
export { type FitOptions, fitText } from "./layout.js";
export { rasterise } from "./rasterise.js";
export { type TextLine, typeset } from "./typeset.js";
