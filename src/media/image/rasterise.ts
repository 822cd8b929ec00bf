/**
 * SVG to PNG with resvg (Rust, via napi): chosen after measuring against sharp/librsvg and @napi-rs/canvas on this
 * machine (docs/benchmarks.md). Rendering runs on libuv's thread pool (`renderAsync`), so two covers rasterise in
 * parallel and the event loop stays free for the API and lease renewals. Text reaches resvg as outlines already
 * (see typeset.ts), so no font database is built per image.
 * @module
 */
import { renderAsync } from "@resvg/resvg-js";

/**
 * Renders an SVG document to a PNG `size` px wide (the height follows the document's aspect ratio).
 *
 * @example
 * const png = await rasterise(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>`, 1024);
 */
export async function rasterise(svg: string, size: number, signal?: AbortSignal): Promise<Buffer> {
  // resvg-js's own abort parameter refuses Node's AbortSignal (napi "InvalidArg"); a render is ~0.1 s, so the
  // signal is checked around it instead.
  signal?.throwIfAborted();
  const image = await renderAsync(svg, {
    fitTo: { mode: "width", value: size },
    font: { loadSystemFonts: false },
    logLevel: "off",
  });
  signal?.throwIfAborted();
  return image.asPng();
}
