/**
 * A track's own name, from its container's metadata as ffprobe reports it: ID3 frames, Vorbis comments (FLAC,
 * Ogg, Opus), MP4 atoms. Tag text is whatever the file's author (or an attacker) wrote, so it is cleaned before
 * anything stores or draws it.
 * @module
 */

/** The tags Hookline uses, cleaned; null when absent or empty. */
export interface AudioTags {
  readonly title: string | null;
  readonly artist: string | null;
}

/** The longest tag text kept, in characters (code points): more than a cover or a record can show. */
export const MAX_TAG_CHARS = 200;

/** Control characters (C0, DEL, C1): line breaks and tabs among them become spaces. */
const CONTROL = /\p{Cc}/gu;
/**
 * Invisible format characters, dropped: bidirectional overrides and isolates (which can reorder the text around a
 * title in a record or a log), zero-width characters, byte-order marks; and lone surrogates.
 */
const INVISIBLE = /[\p{Cf}\p{Cs}]/gu;

/**
 * Untrusted text made safe to store and draw: NFC, without control or invisible formatting characters, runs of
 * white space as one space, at most `max` characters (never cutting a character in two); null when nothing is
 * left or the value is not a string.
 *
 * @example
 * cleanTagText("  Night\u0000 Drive\n\n") // "Night Drive"
 */
export function cleanTagText(value: unknown, max = MAX_TAG_CHARS): string | null {
  if (typeof value !== "string") return null;
  // A tag can be megabytes long: cut early (generously) so that the work below is bounded too.
  const head = value.slice(0, max * 8);
  const text = head
    .normalize("NFC")
    .replace(CONTROL, " ")
    .replace(INVISIBLE, "")
    .replace(/\s+/gu, " ")
    .trim();
  const kept = Array.from(text).slice(0, max).join("").trim();
  return kept === "" ? null : kept;
}

/** Tags in ffprobe's JSON: keys vary in case by format (`title`, `TITLE`, `©nam` mapped to `title`). */
type TagBag = Record<string, unknown> | undefined;

function tagOf(bags: readonly TagBag[], name: string): string | null {
  for (const bag of bags) {
    if (bag === undefined || bag === null || typeof bag !== "object") continue;
    for (const [key, value] of Object.entries(bag)) {
      if (key.toLowerCase() !== name) continue;
      const clean = cleanTagText(value);
      if (clean !== null) return clean;
    }
  }
  return null;
}

/**
 * The title and artist from ffprobe's `format.tags` (ID3, FLAC, MP4) and the audio stream's `tags` (Ogg keeps its
 * Vorbis comments there), the container's first.
 */
export function tagsOf(formatTags: TagBag, streamTags: TagBag): AudioTags {
  const bags = [formatTags, streamTags];
  return { title: tagOf(bags, "title"), artist: tagOf(bags, "artist") };
}
