/**
 * Titles in every script the covers promise (Latin, Greek, Cyrillic, Devanagari, Chinese, Japanese, Korean) are set
 * without missing-glyph boxes: each grapheme is shaped in a font that has it, and each one, drawn alone, puts ink
 * on the page that differs from the font's missing-glyph box (.notdef, glyph 0).
 */

import { readFile } from "node:fs/promises";
import * as hb from "harfbuzzjs";
import { describe, expect, it } from "vitest";
import { FontCache, fitText, LATIN, rasterise, typeset } from "../../src/media/image/index.js";
import { decodePng } from "../helpers/png.js";

const TITLES: Record<string, { text: string; font: RegExp }> = {
  latin: { text: "Café Noir — Ælfwine’s Song", font: /DejaVu/ },
  greek: { text: "Νυχτερινό τραγούδι", font: /DejaVu/ },
  cyrillic: { text: "Москва ночью", font: /DejaVu/ },
  devanagari: { text: "संगीत की रात क्षत्रिय", font: /Devanagari/ },
  chinese: { text: "夜晚的歌声", font: /NotoSansSC/ },
  japanese: { text: "夜のうた・カタカナ", font: /NotoSansJP/ },
  korean: { text: "밤의 노래", font: /NotoSansKR/ },
};

const fonts = new FontCache();
const graphemes = (s: string) =>
  [...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(s)].map((g) => g.segment);

/** Ink per pixel of black-on-white text: 0 = white, 1 = black. */
async function inkOf(svgBody: string): Promise<Float64Array> {
  const png = decodePng(
    await rasterise(
      `<svg xmlns="http://www.w3.org/2000/svg" width="160" height="160"><rect width="160" height="160" fill="#fff"/>${svgBody}</svg>`,
      160,
    ),
  );
  const ink = new Float64Array(png.width * png.height);
  for (let i = 0; i < ink.length; i++) ink[i] = 1 - png.rgba[4 * i]! / 255;
  return ink;
}

const total = (ink: Float64Array) => ink.reduce((a, b) => a + b, 0);
const difference = (a: Float64Array, b: Float64Array) => a.reduce((s, x, i) => s + Math.abs(x - b[i]!), 0);

describe("typeset", () => {
  for (const [script, { text, font }] of Object.entries(TITLES)) {
    it(`${script}: every grapheme shaped in a font that has it, none drawn as a missing-glyph box`, async () => {
      const line = await typeset(fonts, text, 96, "bold");
      expect(line.missing).toBe(0);
      expect(line.fonts.join(",")).toMatch(font);
      expect(line.width).toBeGreaterThan(96);
      // The reference box: glyph 0 of the first font in the fallback order, drawn by HarfBuzz directly.
      const face = new hb.Face(new hb.Blob(await readFile(fonts.pathOf(LATIN.bold))));
      const scale = 96 / face.upem;
      const tofu = await inkOf(
        `<path transform="translate(20 120) scale(${scale} ${-scale})" d="${new hb.Font(face).glyphToPath(0)}"/>`,
      );
      expect(total(tofu)).toBeGreaterThan(100);
      for (const g of graphemes(text).filter((g) => g.trim() !== "")) {
        const glyph = await typeset(fonts, g, 96, "bold");
        expect(glyph.missing, g).toBe(0);
        const ink = await inkOf(glyph.svg(20, 120, `fill="#000"`));
        expect(total(ink), `no ink for ${g}`).toBeGreaterThan(20);
        expect(difference(ink, tofu), `${g} looks like the missing-glyph box`).toBeGreaterThan(200);
      }
    });
  }

  it("leaves out a character no shipped font has, instead of drawing a box", async () => {
    const line = await typeset(fonts, "A\u{1F9FF}B", 40, "regular");
    expect(line.missing).toBe(1);
    expect(line.text).toBe("A\u{1F9FF}B");
  });

  it("fits a long title into at most the given lines, breaking between words", async () => {
    const lines = await fitText(fonts, "The Long Night Drive Through the Sleeping City Lights", {
      maxWidth: 800,
      maxHeight: 260,
      maxLines: 3,
      maxSize: 150,
      minSize: 40,
      weight: "bold",
    });
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.length).toBeLessThanOrEqual(3);
    for (const l of lines) expect(l.width).toBeLessThanOrEqual(800);
    expect(lines.map((l) => l.text).join(" ")).toBe("The Long Night Drive Through the Sleeping City Lights");
  });
});
