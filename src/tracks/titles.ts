/**
 * A track's title: what its covers print and its record shows. In order: a title its registration gave
 * explicitly (`POST /api/v1/hookline/tracks` `title`), the file's own tags, the name the client gave the upload
 * (`fileName`), the name the source suggested (a multipart file name, a URL's last segment), the stored file name
 * unless Hookline made it up; else none, and covers print {@link FALLBACK_TITLE}.
 * @module
 */
import { isMadeUpName } from "../lib/ids.js";
import { type AudioTags, cleanTagText } from "../media/index.js";

/** What a cover prints for a track nothing names. */
export const FALLBACK_TITLE = "Untitled";

/**
 * A title from a file name: without extension, underscores as spaces, and the dashes of a slug
 * (`night-drive_v2.mp3`, no spaces) as spaces too, while "Artist - Title.mp3" keeps its dash; null for a name
 * Hookline made up, or nothing left.
 *
 * @example
 * titleFromFileName("night-drive_final.mp3") // "night drive final"
 * titleFromFileName("Kx9Qa2LmP0zR7tYw3BcD.mp3") // null: a name Hookline made up
 */
export function titleFromFileName(name: string | null | undefined): string | null {
  if (!name) return null;
  const base = name.replace(/\.[A-Za-z0-9]{1,8}$/, "");
  if (isMadeUpName(base)) return null;
  const spaced = base.replace(/_+/g, " ");
  return cleanTagText(base.includes(" ") ? spaced : spaced.replace(/-+/g, " "));
}

/** What names a track when it is registered. */
export interface TrackNaming {
  /** A title the registration gave explicitly; it wins over everything. */
  readonly title?: string | null;
  /** File names, best first: the client's `fileName`, the source's suggestion, the stored name. */
  readonly fileNames: readonly (string | null | undefined)[];
}

/** The title and artist stored with a new track (see the module comment for the order). */
export function nameTrack(
  naming: TrackNaming,
  tags: AudioTags,
): { title: string | null; artist: string | null } {
  const given = cleanTagText(naming.title);
  const fromFile = naming.fileNames.map(titleFromFileName).find((t) => t !== null) ?? null;
  return { title: given ?? tags.title ?? fromFile, artist: tags.artist };
}

/**
 * The title and artist a cover prints for a stored track: its title (unless it is a made-up name, as tracks
 * registered before tags were read could hold), else one from its file's name, else {@link FALLBACK_TITLE}.
 */
export function coverTitle(
  track: { readonly title: string | null; readonly artist: string | null },
  fileName: string,
): { title: string; artist: string | null } {
  const stored = track.title !== null && !isMadeUpName(track.title) ? cleanTagText(track.title) : null;
  return {
    title: stored ?? titleFromFileName(fileName) ?? FALLBACK_TITLE,
    artist: cleanTagText(track.artist),
  };
}
