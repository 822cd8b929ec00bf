/**
 * The fonts covers are set in. They ship inside npm dependencies (never fetched, never the system's): DejaVu Sans
 * for Latin, Greek and Cyrillic, and Noto Sans SC / JP / KR / Devanagari for Chinese, Japanese, Korean and
 * Devanagari. Only the weights named here are ever read; a face is loaded on first use and kept.
 * @module
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import * as hb from "harfbuzzjs";

/** Weights the covers use. */
export type Weight = "regular" | "bold";

/** One font file of the catalogue. */
export interface FontSpec {
  readonly name: string;
  /** Module path of the TTF inside its package. */
  readonly module: string;
}

const dejavu = (file: string): FontSpec => ({ name: file, module: `dejavu-fonts-ttf/ttf/${file}.ttf` });
const noto = (pkg: string, family: string, weight: "400Regular" | "700Bold"): FontSpec => ({
  name: `${family} ${weight}`,
  module: `@expo-google-fonts/${pkg}/${weight}/${family}_${weight}.ttf`,
});

/** The CJK fonts, by the script that decides their order (Han characters are in all three). */
export const CJK = {
  sc: {
    regular: noto("noto-sans-sc", "NotoSansSC", "400Regular"),
    bold: noto("noto-sans-sc", "NotoSansSC", "700Bold"),
  },
  jp: {
    regular: noto("noto-sans-jp", "NotoSansJP", "400Regular"),
    bold: noto("noto-sans-jp", "NotoSansJP", "700Bold"),
  },
  kr: {
    regular: noto("noto-sans-kr", "NotoSansKR", "400Regular"),
    bold: noto("noto-sans-kr", "NotoSansKR", "700Bold"),
  },
} as const;

export const LATIN = { regular: dejavu("DejaVuSans"), bold: dejavu("DejaVuSans-Bold") } as const;
export const DEVANAGARI = {
  regular: noto("noto-sans-devanagari", "NotoSansDevanagari", "400Regular"),
  bold: noto("noto-sans-devanagari", "NotoSansDevanagari", "700Bold"),
} as const;

const KANA = /[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]/u;
const HANGUL = /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]/u;

/**
 * The fonts to try for a text, in order: DejaVu first (Latin, Greek, Cyrillic), then the CJK fonts in the order
 * the text's script asks (kana → Japanese forms first, hangul → Korean, else Simplified Chinese), then
 * Devanagari. Each character goes to the first font that has it.
 */
export function fallbackOrder(text: string, weight: Weight): FontSpec[] {
  const cjk = KANA.test(text)
    ? [CJK.jp, CJK.sc, CJK.kr]
    : HANGUL.test(text)
      ? [CJK.kr, CJK.sc, CJK.jp]
      : [CJK.sc, CJK.jp, CJK.kr];
  return [LATIN[weight], ...cjk.map((f) => f[weight]), DEVANAGARI[weight]];
}

/** A loaded font: HarfBuzz's font object and its design units per em. */
export interface LoadedFont {
  readonly spec: FontSpec;
  readonly font: hb.Font;
  readonly upem: number;
  /** Ascender and descender (positive, below the baseline) in design units. */
  readonly ascender: number;
  readonly descender: number;
  has(codePoint: number): boolean;
}

/** Loads fonts on first use and keeps them (the CJK files are 5–11 MB; each is read once per process). */
export class FontCache {
  readonly #loaded = new Map<string, Promise<LoadedFont>>();
  readonly #require = createRequire(import.meta.url);

  /** The file path of a font (throws when its package is not installed). */
  pathOf(spec: FontSpec): string {
    return this.#require.resolve(spec.module);
  }

  load(spec: FontSpec): Promise<LoadedFont> {
    let font = this.#loaded.get(spec.module);
    if (!font) {
      font = this.#open(spec);
      this.#loaded.set(spec.module, font);
      // A failed read is not cached: the next cover tries again.
      font.catch(() => this.#loaded.delete(spec.module));
    }
    return font;
  }

  async #open(spec: FontSpec): Promise<LoadedFont> {
    const bytes = await readFile(this.pathOf(spec));
    const face = new hb.Face(new hb.Blob(bytes));
    const font = new hb.Font(face);
    const extents = font.hExtents();
    return {
      spec,
      font,
      upem: face.upem,
      ascender: extents.ascender,
      descender: Math.abs(extents.descender),
      has: (cp) => (font.nominalGlyph(cp) ?? 0) !== 0,
    };
  }
}
