/**
 * MIME types from content, never from the name a client chose (spec 13: `mimeType` is sniffed).
 * The file name only breaks ties between text types, where the bytes cannot tell.
 */

const ascii = (head: Uint8Array, at: number, text: string): boolean => {
  if (head.length < at + text.length) return false;
  for (let i = 0; i < text.length; i++) if (head[at + i] !== text.charCodeAt(i)) return false;
  return true;
};

const bytes = (head: Uint8Array, at: number, expected: readonly number[]): boolean =>
  head.length >= at + expected.length && expected.every((b, i) => head[at + i] === b);

/** An MPEG audio frame header (MP1/2/3) or an ADTS AAC header at `at`, else null. */
function frameSync(head: Uint8Array, at: number): "audio/mpeg" | "audio/aac" | null {
  const b1 = head[at + 1];
  const b2 = head[at + 2];
  if (head[at] !== 0xff || b1 === undefined || b2 === undefined || (b1 & 0xe0) !== 0xe0) return null;
  const layer = (b1 >> 1) & 0x03;
  if (layer === 0) {
    // ADTS: MPEG version bits free, layer 00; sampling index 13–15 is reserved.
    return (b1 & 0xf6) === 0xf0 && ((b2 >> 2) & 0x0f) < 13 ? "audio/aac" : null;
  }
  const version = (b1 >> 3) & 0x03;
  const bitrate = b2 >> 4;
  const rate = (b2 >> 2) & 0x03;
  return version !== 1 && bitrate !== 0x0f && bitrate !== 0 && rate !== 3 ? "audio/mpeg" : null;
}

/** The EBML DocType ("webm" or "matroska") within the first bytes of a Matroska file. */
function ebmlDocType(head: Uint8Array): "audio/webm" | "audio/x-matroska" {
  // DocType element id 0x4282, a one-byte size (0x8n), then the ASCII name.
  for (let i = 4; i + 7 <= head.length && i < 64; i++) {
    if (head[i] === 0x42 && head[i + 1] === 0x82 && ascii(head, i + 3, "webm")) return "audio/webm";
  }
  return "audio/x-matroska";
}

function ftypMime(head: Uint8Array): string {
  const brand = String.fromCharCode(...head.subarray(8, 12));
  if (brand === "avif" || brand === "avis") return "image/avif";
  if (brand === "heic" || brand === "heix" || brand === "mif1") return "image/heic";
  if (brand === "qt  ") return "video/quicktime";
  // M4A/M4B/mp42/isom/dash…: Hookline only takes audio, and the probe decides whether a video track is there.
  return "audio/mp4";
}

/** Decodes the head as UTF-8 text, allowing a character cut at the end of the sample; null if binary. */
function asText(head: Uint8Array): string | null {
  // Control bytes other than tab, newline, form feed and carriage return mean binary. (UTF-8 never uses
  // bytes below 0x80 inside a multi-byte character, so checking bytes is checking characters.)
  for (const b of head)
    if ((b < 0x20 && b !== 9 && b !== 10 && b !== 12 && b !== 13) || b === 0x7f) return null;
  const decoder = new TextDecoder("utf-8", { fatal: true });
  for (let cut = 0; cut <= 3 && cut < head.length; cut++) {
    try {
      return decoder.decode(head.subarray(0, head.length - cut));
    } catch {
      // try again without the last byte(s)
    }
  }
  return null;
}

function textMime(text: string, fileName: string | undefined): string {
  const trimmed = text.replace(/^\uFEFF/, "").trimStart();
  const ext = fileName?.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  if (trimmed.startsWith("#EXTM3U")) return "application/vnd.apple.mpegurl";
  if (ext === "json" || trimmed.startsWith("{") || trimmed.startsWith("[")) return "application/json";
  if (ext === "csv") return "text/csv";
  return "text/plain";
}

/**
 * Sniffs a MIME type from a file's first bytes (4 KB is plenty).
 *
 * @param head the first bytes of the file
 * @param fileName only consulted for text (e.g. `.json`, `.csv`)
 * @example
 * sniffMime(await readHead(path, 4096), "take1.mp3") // "audio/mpeg"
 */
export function sniffMime(head: Uint8Array, fileName?: string): string {
  if (ascii(head, 0, "ID3")) return "audio/mpeg";
  if (ascii(head, 0, "fLaC")) return "audio/flac";
  if (ascii(head, 0, "OggS")) return "audio/ogg";
  if (bytes(head, 0, [0x1a, 0x45, 0xdf, 0xa3])) return ebmlDocType(head);
  if ((ascii(head, 0, "RIFF") || ascii(head, 0, "RF64") || ascii(head, 0, "BW64")) && ascii(head, 8, "WAVE"))
    return "audio/wav";
  if (ascii(head, 0, "RIFF") && ascii(head, 8, "WEBP")) return "image/webp";
  if (ascii(head, 0, "FORM") && (ascii(head, 8, "AIFF") || ascii(head, 8, "AIFC"))) return "audio/aiff";
  if (ascii(head, 0, "caff")) return "audio/x-caf";
  if (ascii(head, 4, "ftyp")) return ftypMime(head);
  if (bytes(head, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (bytes(head, 0, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (ascii(head, 0, "GIF87a") || ascii(head, 0, "GIF89a")) return "image/gif";
  if (ascii(head, 0, "%PDF-")) return "application/pdf";
  if (ascii(head, 0, "PK") && (bytes(head, 2, [3, 4]) || bytes(head, 2, [5, 6]))) return "application/zip";
  const sync = frameSync(head, 0);
  if (sync !== null) return sync;
  if (head.length > 0) {
    const text = asText(head);
    if (text !== null) return textMime(text, fileName);
  }
  return "application/octet-stream";
}
