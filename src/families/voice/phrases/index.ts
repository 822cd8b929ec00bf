/**
 * Verification phrases: a short, singable sentence in the requested language, drawn at random (crypto-grade)
 * from a phrase book of 4–5 slots, so one phrase says nothing about the next (tens of thousands of sentences
 * per language).
 * @module
 */
import { randomInt } from "node:crypto";
import type { PhraseBook } from "./book.js";
import { de } from "./de.js";
import { en } from "./en.js";
import { es } from "./es.js";
import { fr } from "./fr.js";
import { hi } from "./hi.js";
import { ja } from "./ja.js";
import { ko } from "./ko.js";
import { pt } from "./pt.js";
import { ru } from "./ru.js";
import { zh } from "./zh.js";

export type { PhraseBook } from "./book.js";

/** The phrase languages of spec 6.2. */
export const PHRASE_LANGUAGES = ["en", "zh", "es", "fr", "pt", "de", "ja", "ko", "hi", "ru"] as const;
/** One of the ten phrase languages. */
export type PhraseLanguage = (typeof PHRASE_LANGUAGES)[number];

/** The phrase book of each language. */
export const PHRASE_BOOKS: Readonly<Record<PhraseLanguage, PhraseBook>> = {
  en,
  zh,
  es,
  fr,
  pt,
  de,
  ja,
  ko,
  hi,
  ru,
};

/** How many different sentences a language's book can make. */
export function phraseCount(language: PhraseLanguage): number {
  return PHRASE_BOOKS[language].slots.reduce((n, slot) => n * slot.length, 1);
}

/** Upper-cases the first letter (for the languages that have case). */
const capitalise = (s: string): string => s.charAt(0).toLocaleUpperCase() + s.slice(1);

/**
 * Draws a phrase. `avoid` (the previous phrase) is never returned again, and `pick` may be given a seeded
 * source for reproducible sets (the evaluation script); the default is `crypto.randomInt`.
 *
 * @example
 * drawPhrase("fr") // "Ce soir, nous chantons une nouvelle chanson doucement au bord de la rivière."
 */
export function drawPhrase(
  language: PhraseLanguage,
  avoid?: string | null,
  pick: (n: number) => number = randomInt,
): string {
  const book = PHRASE_BOOKS[language];
  for (;;) {
    const phrase = capitalise(book.compose(book.slots.map((slot) => slot[pick(slot.length)]!)));
    if (phrase !== avoid) return phrase;
  }
}
