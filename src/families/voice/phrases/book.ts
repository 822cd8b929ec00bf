/**
 * A phrase book: slots of interchangeable phrase parts and the template that joins one part of each slot into
 * a sentence. Every part of a slot fits grammatically with every part of the others (subject and verb are kept
 * together where they must agree), so any draw is a natural sentence.
 */
export interface PhraseBook {
  readonly slots: readonly (readonly string[])[];
  compose(parts: readonly string[]): string;
}
