/**
 * Fitting a title into a box: the largest size at which it fits in at most `maxLines` lines, breaking between
 * words (or between any two characters in scripts written without spaces).
 * @module
 */
import type { FontCache, Weight } from "./fonts.js";
import { type TextLine, typeset } from "./typeset.js";

/** Options of {@link fitText}. */
export interface FitOptions {
  readonly maxWidth: number;
  readonly maxHeight: number;
  readonly maxLines: number;
  readonly maxSize: number;
  readonly minSize: number;
  readonly weight: Weight;
  /** Line distance as a multiple of the size (default 1.1). */
  readonly leading?: number;
}

const words = new Intl.Segmenter(undefined, { granularity: "word" });

/** Break opportunities: word boundaries (CJK words are split by ICU's dictionary), spaces kept with the word before. */
function pieces(text: string): string[] {
  const out: string[] = [];
  for (const { segment } of words.segment(text)) {
    if (/^\s+$/u.test(segment) && out.length > 0) out[out.length - 1] += segment;
    else out.push(segment);
  }
  return out;
}

/** Greedy line breaking at a size, measuring each candidate line. */
async function breakLines(cache: FontCache, text: string, size: number, o: FitOptions): Promise<TextLine[]> {
  const lines: TextLine[] = [];
  let current = "";
  for (const piece of pieces(text)) {
    const candidate = current + piece;
    if (current !== "" && (await typeset(cache, candidate.trimEnd(), size, o.weight)).width > o.maxWidth) {
      lines.push(await typeset(cache, current.trimEnd(), size, o.weight));
      current = piece.trimStart();
    } else {
      current = candidate;
    }
  }
  if (current.trim() !== "") lines.push(await typeset(cache, current.trimEnd(), size, o.weight));
  return lines;
}

/**
 * Lines of `text` set at the largest size (from `maxSize` down to `minSize`, in steps of 6 %) that fits the box.
 * At `minSize` the last lines that do not fit are dropped and the last kept one ends with an ellipsis.
 */
export async function fitText(cache: FontCache, text: string, o: FitOptions): Promise<TextLine[]> {
  const leading = o.leading ?? 1.1;
  for (let size = o.maxSize; size >= o.minSize; size *= 0.94) {
    const single = await typeset(cache, text, size, o.weight);
    if (single.width <= o.maxWidth && size <= o.maxHeight) return [single];
    const lines = await breakLines(cache, text, size, o);
    const height = size * (1 + leading * (lines.length - 1));
    if (lines.length <= o.maxLines && height <= o.maxHeight && lines.every((l) => l.width <= o.maxWidth)) {
      return lines;
    }
  }
  const all = await breakLines(cache, text, o.minSize, o);
  const lines = all.slice(0, o.maxLines);
  const last = lines[lines.length - 1];
  if (!last || (all.length <= o.maxLines && last.width <= o.maxWidth)) return lines;
  // Cut the last kept line until it fits with an ellipsis.
  const chars = [...last.text];
  let cut = await typeset(cache, `${last.text}…`, o.minSize, o.weight);
  while (chars.length > 1 && cut.width > o.maxWidth) {
    chars.pop();
    cut = await typeset(cache, `${chars.join("").trimEnd()}…`, o.minSize, o.weight);
  }
  lines[lines.length - 1] = cut;
  return lines;
}
