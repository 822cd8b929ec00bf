/**
 * Text as outlines: titles are shaped with HarfBuzz (correct conjuncts and reordering for Devanagari, kerning and
 * ligatures everywhere) and drawn as SVG paths, so the rasteriser needs no fonts and every width is known exactly
 * for layout. resvg's own text layout was measured to drop characters of Devanagari clusters, hence this.
 * Each grapheme is set in the first font of the fallback order that has all its characters; one no font has
 * is left out rather than drawn as a missing-glyph box.
 * @module
 */
import * as hb from "harfbuzzjs";
import { type FontCache, fallbackOrder, type LoadedFont, type Weight } from "./fonts.js";

/** One shaped line of text at a size, its origin at the left end of the baseline. */
export interface TextLine {
  readonly text: string;
  readonly size: number;
  /** Advance width in px. */
  readonly width: number;
  /** Height above and depth below the baseline, in px (the fonts' design ascender and descender). */
  readonly ascent: number;
  readonly descent: number;
  /** Graphemes left out because no font has them (0 in every case the tests cover). */
  readonly missing: number;
  /** Names of the fonts used. */
  readonly fonts: readonly string[];
  /** SVG markup of the outlines placed at (x, y) = left end of the baseline. */
  svg(x: number, y: number, attributes?: string): string;
}

interface Run {
  readonly font: LoadedFont;
  text: string;
}

/** Joiners and variation selectors: they steer shaping and need no glyph of their own. */
const isIgnorable = (cp: number) => cp === 0x200c || cp === 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f);
const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

function covers(font: LoadedFont, grapheme: string): boolean {
  for (const ch of grapheme) {
    const cp = ch.codePointAt(0)!;
    if (!isIgnorable(cp) && !font.has(cp)) return false;
  }
  return true;
}

const num = (x: number) => Math.round(x * 100) / 100;

/** Shapes `text` into one line at `size` px. */
export async function typeset(
  cache: FontCache,
  text: string,
  size: number,
  weight: Weight,
): Promise<TextLine> {
  const order = fallbackOrder(text, weight);
  const runs: Run[] = [];
  let missing = 0;
  for (const { segment } of graphemes.segment(text)) {
    const current = runs[runs.length - 1];
    if (current && covers(current.font, segment)) {
      current.text += segment;
      continue;
    }
    // Fonts load only when a grapheme needs them: a Latin title never reads the CJK files.
    let font: LoadedFont | undefined;
    for (const spec of order) {
      const candidate = await cache.load(spec);
      if (covers(candidate, segment)) {
        font = candidate;
        break;
      }
    }
    if (font) runs.push({ font, text: segment });
    else missing++;
  }
  const glyphs: string[] = [];
  let pen = 0;
  let ascent = 0;
  let descent = 0;
  for (const run of runs) {
    const scale = size / run.font.upem;
    ascent = Math.max(ascent, run.font.ascender * scale);
    descent = Math.max(descent, run.font.descender * scale);
    const buffer = new hb.Buffer();
    buffer.addText(run.text);
    buffer.guessSegmentProperties();
    hb.shape(run.font.font, buffer);
    const infos = buffer.getGlyphInfos();
    const positions = buffer.getGlyphPositions();
    for (let i = 0; i < infos.length; i++) {
      const pos = positions[i]!;
      const d = run.font.font.glyphToPath(infos[i]!.codepoint);
      if (d !== "") {
        const gx = num(pen + pos.xOffset * scale);
        const gy = num(-pos.yOffset * scale);
        glyphs.push(
          `<path transform="translate(${gx} ${gy}) scale(${num(scale * 1e4) / 1e4} ${-num(scale * 1e4) / 1e4})" d="${d}"/>`,
        );
      }
      pen += pos.xAdvance * scale;
    }
  }
  const body = glyphs.join("");
  return {
    text,
    size,
    width: pen,
    ascent,
    descent,
    missing,
    fonts: [...new Set(runs.map((r) => r.font.spec.name))],
    svg: (x, y, attributes = "") =>
      `<g transform="translate(${num(x)} ${num(y)})"${attributes ? ` ${attributes}` : ""}>${body}</g>`,
  };
}
