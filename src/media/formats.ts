/**
 * Which containers Hookline will open, and the input arguments that every ffmpeg/ffprobe run shares.
 *
 * Inputs are untrusted. A playlist-like demuxer (hls, concat, …) opens the files or URLs named inside
 * the input, so a hostile upload could make ffmpeg read another local file. `-format_whitelist` makes
 * ffmpeg refuse any other demuxer right after probing, before it reads the header, so those nested
 * files are never opened; `-protocol_whitelist` keeps even an allowed demuxer to local files.
 */
import { resolve } from "node:path";

/**
 * Demuxers of plain audio containers. `mov` covers mp4/m4a/3gp (its drefs stay off by default),
 * `matroska` covers webm, `aac` is ADTS, `mp3` also reads MP1/MP2.
 */
export const AUDIO_DEMUXERS: readonly string[] = [
  "mp3",
  "aac",
  "mov",
  "flac",
  "ogg",
  "matroska",
  "wav",
  "w64",
  "aiff",
  "caf",
  "wv",
];

/** Arguments that come before every ffmpeg run: no stdin, no banner, errors only. */
export const FFMPEG_GLOBAL_ARGS: readonly string[] = ["-nostdin", "-hide_banner", "-v", "error"];

/** Arguments that come before every ffprobe run (ffprobe never reads stdin and has no `-nostdin`). */
export const FFPROBE_GLOBAL_ARGS: readonly string[] = ["-hide_banner", "-v", "error"];

/**
 * A local path as an ffmpeg input URL. The explicit `file:` keeps a name such as `concat:a|b` or
 * `subfile,,…` from being read as another protocol.
 */
export function fileUrl(path: string): string {
  return `file:${resolve(path)}`;
}

/** The guarded input options followed by `-i file:<src>`; `before` are extra input options (seek, length). */
export function inputArgs(src: string, before: readonly string[] = []): string[] {
  return [
    "-protocol_whitelist",
    "file,pipe",
    "-format_whitelist",
    AUDIO_DEMUXERS.join(","),
    ...before,
    "-i",
    fileUrl(src),
  ];
}

/** Output options that keep only the first audio stream and nothing else of the source. */
export const AUDIO_ONLY_ARGS: readonly string[] = [
  "-map",
  "0:a:0",
  "-vn",
  "-sn",
  "-dn",
  "-map_metadata",
  "-1",
  "-map_chapters",
  "-1",
];

/** The short container name reported by probes, from ffprobe's `format_name` and the sniffed MIME type. */
export function containerName(formatName: string, sniffed: string): string {
  const first = formatName.split(",")[0] ?? formatName;
  if (first === "mov") return "mp4";
  if (first === "matroska") return sniffed === "audio/webm" ? "webm" : "matroska";
  return first;
}

const MIME_BY_CONTAINER: Readonly<Record<string, string>> = {
  mp3: "audio/mpeg",
  aac: "audio/aac",
  mp4: "audio/mp4",
  flac: "audio/flac",
  ogg: "audio/ogg",
  webm: "audio/webm",
  matroska: "audio/x-matroska",
  wav: "audio/wav",
  w64: "audio/x-w64",
  aiff: "audio/aiff",
  caf: "audio/x-caf",
  wv: "audio/x-wavpack",
};

/** The MIME type for an audio container name from {@link containerName}. */
export function mimeForContainer(container: string): string {
  return MIME_BY_CONTAINER[container] ?? "application/octet-stream";
}
