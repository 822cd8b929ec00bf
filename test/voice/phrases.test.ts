import { describe, expect, it } from "vitest";
import { drawPhrase, PHRASE_LANGUAGES, phraseCount } from "../../src/families/voice/index.js";

/** Each language's script, to be sure the phrase is really in the requested language. */
const SCRIPT: Record<string, RegExp> = {
  en: /^[A-Z][A-Za-z ,']+\.$/,
  es: /^[A-ZÁÉÍÓÚÑ][\p{Script=Latin} ,]+\.$/u,
  fr: /^[A-ZÀÉ][\p{Script=Latin} ,'’-]+\.$/u,
  pt: /^[A-ZÀÉ][\p{Script=Latin} ,-]+\.$/u,
  de: /^[A-ZÄÖÜ][\p{Script=Latin} ,]+\.$/u,
  ru: /^[А-ЯЁ][\p{Script=Cyrillic} ,]+\.$/u,
  zh: /^[\p{Script=Han}，]+。$/u,
  ja: /^[\p{Script=Hiragana}\p{Script=Katakana}ー、 ]+。$/u,
  ko: /^[\p{Script=Hangul} ]+\.$/u,
  hi: /^[\p{Script=Devanagari} -]+।$/u,
};

describe("verification phrases", () => {
  for (const language of PHRASE_LANGUAGES) {
    it(`${language}: a sentence in its script, from a book of at least 30,000`, () => {
      expect(phraseCount(language)).toBeGreaterThanOrEqual(30_000);
      for (let i = 0; i < 50; i++) expect(drawPhrase(language)).toMatch(SCRIPT[language]!);
    });
  }

  it("one phrase does not predict the next: 300 draws are (nearly) all different", () => {
    for (const language of PHRASE_LANGUAGES) {
      const seen = new Set(Array.from({ length: 300 }, () => drawPhrase(language)));
      // With ≥ 30,000 sentences, a few repeats in 300 draws are possible (birthday problem), many are not.
      expect(seen.size, language).toBeGreaterThanOrEqual(290);
    }
  });

  it("a regenerated phrase is never the one it replaces, even when the draw repeats it", () => {
    const first = drawPhrase("en", null, () => 0);
    let calls = 0;
    // The first draw repeats the old phrase; the next one must be taken instead.
    const next = drawPhrase("en", first, (n) => (calls++ < 4 ? 0 : n - 1));
    expect(next).not.toBe(first);
  });

  it("phrases are short enough to sing in one go", () => {
    for (const language of PHRASE_LANGUAGES) {
      for (let i = 0; i < 50; i++) {
        const p = drawPhrase(language);
        const units = /^(zh)$/.test(language) ? [...p].length / 2 : p.split(/\s+/).length;
        expect(units, p).toBeLessThanOrEqual(22);
      }
    }
  });
});
