import { basename } from "node:path";
import { readHead } from "../files/index.js";
import { HooklineError } from "../lib/errors.js";
import type { Ffmpeg } from "./ffmpeg.js";
import {
  AUDIO_DEMUXERS,
  containerName,
  FFMPEG_GLOBAL_ARGS,
  FFPROBE_GLOBAL_ARGS,
  inputArgs,
  mimeForContainer,
} from "./formats.js";
import { durationCap } from "./limits.js";
import { decoderMessage, formatLimit, pathForms, refusedFormat } from "./messages.js";
import { runTool } from "./process.js";
import { sniffMime } from "./sniff.js";
import { type AudioTags, tagsOf } from "./tags.js";

/** What a probe found. */
export type ProbeResult =
  | {
      kind: "audio";
      container: string;
      codec: string;
      durationS: number;
      sampleRate: number;
      channels: number;
      bitRate: number | null;
      mimeType: string;
      /** The file's own title and artist, cleaned (untrusted text); null each when it has none. */
      tags: AudioTags;
    }
  | { kind: "other"; mimeType: string; reason: string };

/** Options for {@link probeAudio}. */
export interface ProbeOptions {
  signal?: AbortSignal;
  /** Per ffprobe/ffmpeg process; default 60 s. A file that takes longer is reported as not audio. */
  timeoutMs?: number;
  /**
   * The caller's duration cap. A file that states no duration is timed by a decode, which then stops a
   * little past this (plus `DURATION_SLACK_S`) and reports where it stopped: a `durationS` over the cap.
   */
  maxDurationS?: number;
}

/** A probe's audio answer before any decode: the duration may be unknown (e.g. a browser's WebM). */
type HeaderProbe =
  | (Omit<Extract<ProbeResult, { kind: "audio" }>, "durationS"> & { durationS: number | null })
  | Extract<ProbeResult, { kind: "other" }>;

const DEFAULT_TIMEOUT_MS = 60_000;
const ENTRIES =
  "format=format_name,duration,bit_rate:stream=codec_type,codec_name,sample_rate,channels,duration,bit_rate";
/** Only the tags used (ffprobe matches these names in any case): a file's lyrics or notes stay out of the JSON. */
const TAG_ENTRIES = ":format_tags=title,artist:stream_tags=title,artist";
const NO_TAGS: AudioTags = { title: null, artist: null };

interface FfprobeJson {
  format?: { format_name?: string; duration?: string; bit_rate?: string; tags?: Record<string, unknown> };
  streams?: Array<{
    tags?: Record<string, unknown>;
    codec_name?: string;
    sample_rate?: string;
    channels?: number;
    duration?: string;
    bit_rate?: string;
  }>;
}

const positive = (value: string | number | undefined): number | null => {
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) && n > 0 ? n : null;
};

/** The head of the source for sniffing; a source that cannot be read is the caller's "unavailable". */
async function sourceHead(path: string): Promise<Uint8Array> {
  try {
    return await readHead(path);
  } catch (err) {
    throw new HooklineError("source_unavailable", "the source file is missing or unreadable", { cause: err });
  }
}

function abortReason(signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new DOMException("This operation was aborted", "AbortError");
}

/**
 * ffprobe only: container, codec, rate, channels, tags and the duration the container states (null if none).
 * `withTags: false` is the retry for a file whose tags alone overflow the answer's size cap.
 */
async function probeHeader(
  ff: Ffmpeg,
  path: string,
  opts: ProbeOptions = {},
  withTags = true,
): Promise<HeaderProbe> {
  if (opts.signal?.aborted) throw abortReason(opts.signal);
  const sniffed = sniffMime(await sourceHead(path), basename(path));
  const other = (reason: string): HeaderProbe => ({ kind: "other", mimeType: sniffed, reason });
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const entries = withTags ? ENTRIES + TAG_ENTRIES : ENTRIES;
  const args = [...FFPROBE_GLOBAL_ARGS, "-of", "json", "-show_entries", entries, "-select_streams", "a:0"];
  const out = await runTool(ff.ffprobe, [...args, ...inputArgs(path)], {
    launcher: ff.launcher,
    signal: opts.signal,
    timeoutMs,
  });
  if (withTags && out.stdoutTruncated && out.ended === "exit") return probeHeader(ff, path, opts, false);
  if (out.ended === "spawn_failed") {
    throw new HooklineError(
      "internal",
      `ffprobe could not run: ${out.spawnError?.message ?? "unknown error"}`,
    );
  }
  if (out.ended === "aborted") throw abortReason(opts.signal);
  if (out.ended === "timeout") return other(`probing took longer than ${formatLimit(timeoutMs)}`);
  const refused = refusedFormat(out.stderr);
  if (refused !== null) return other(`unsupported container format "${refused}" (only plain audio files)`);
  if (out.code !== 0)
    return other(
      `not a readable audio file: ${decoderMessage(out.stderr, pathForms(path)) || "unknown error"}`,
    );
  let json: FfprobeJson;
  try {
    json = JSON.parse(out.stdout) as FfprobeJson;
  } catch {
    return other("ffprobe gave no readable answer");
  }
  const formatName = json.format?.format_name ?? "";
  if (!formatName.split(",").some((name) => AUDIO_DEMUXERS.includes(name))) {
    return other(`unsupported container format "${formatName || "unknown"}"`);
  }
  const stream = json.streams?.[0];
  if (stream === undefined) return other("the file holds no audio stream");
  const sampleRate = positive(stream.sample_rate);
  const channels = positive(stream.channels);
  const codec = stream.codec_name ?? "";
  if (sampleRate === null || channels === null || codec === "" || codec === "none") {
    const why = decoderMessage(out.stderr, pathForms(path));
    return other(
      `no decodable audio stream${why ? `: ${why}` : " (unknown codec, sample rate or channels)"}`,
    );
  }
  const container = containerName(formatName, sniffed);
  return {
    kind: "audio",
    container,
    codec,
    durationS: positive(json.format?.duration) ?? positive(stream.duration),
    sampleRate,
    channels,
    bitRate: positive(json.format?.bit_rate) ?? positive(stream.bit_rate),
    mimeType: sniffed.startsWith("audio/") ? sniffed : mimeForContainer(container),
    tags: withTags ? tagsOf(json.format?.tags, stream.tags) : NO_TAGS,
  };
}

/**
 * Decodes the first audio stream to nothing and reports how long it played, in seconds: at most a little
 * past the cap, since the caller refuses anything over it anyway.
 */
async function decodedDuration(
  ff: Ffmpeg,
  path: string,
  opts: ProbeOptions,
): Promise<{ durationS: number } | { reason: string }> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const cap = durationCap(opts.maxDurationS);
  const bound = cap === null ? [] : ["-t", cap.readS.toFixed(3)];
  const args = [...FFMPEG_GLOBAL_ARGS, "-nostats", ...inputArgs(path, bound)];
  const tail = ["-map", "0:a:0", "-vn", "-sn", "-dn", "-f", "null", "-progress", "pipe:1", "-"];
  const out = await runTool(ff.ffmpeg, [...args, ...tail], {
    launcher: ff.launcher,
    signal: opts.signal,
    timeoutMs,
    maxStdout: 4 << 20,
  });
  if (out.ended === "spawn_failed") {
    throw new HooklineError(
      "internal",
      `ffmpeg could not run: ${out.spawnError?.message ?? "unknown error"}`,
    );
  }
  if (out.ended === "aborted") throw abortReason(opts.signal);
  if (out.ended === "timeout") return { reason: `decoding took longer than ${formatLimit(timeoutMs)}` };
  const times = [...out.stdout.matchAll(/^out_time_us=(\d+)$/gm)];
  const last = Number(times.at(-1)?.[1] ?? 0) / 1e6;
  if (out.code !== 0 || last <= 0) {
    return {
      reason: `no audio could be decoded: ${decoderMessage(out.stderr, pathForms(path)) || "empty stream"}`,
    };
  }
  return { durationS: last };
}

/**
 * Probes a file on disk.
 *
 * Never throws for bad input: that is `kind: "other"` with the reason (no file paths in it). Throws
 * HooklineError("internal") when ffprobe itself cannot run, HooklineError("source_unavailable") when the
 * file cannot be opened at all, and the signal's reason on abort. Durations come from the container or,
 * where it states none (browser recordings), from a decode bounded by `maxDurationS`. A stated duration
 * is not proof: the decoders (`convertToWav`, `decodePcm`) enforce the cap again on what they decode.
 *
 * @example
 * const p = await probeAudio(ff, upload.path, { maxDurationS: config.limits.maxSourceSeconds });
 * if (p.kind === "audio") registerTrack(p.durationS);
 */
export async function probeAudio(ff: Ffmpeg, path: string, opts: ProbeOptions = {}): Promise<ProbeResult> {
  durationCap(opts.maxDurationS); // a bad cap is the caller's error, whichever path the probe takes
  const head = await probeHeader(ff, path, opts);
  if (head.kind === "other") return head;
  if (head.durationS !== null) return { ...head, durationS: head.durationS };
  const decoded = await decodedDuration(ff, path, opts);
  if ("reason" in decoded) return { kind: "other", mimeType: head.mimeType, reason: decoded.reason };
  return { ...head, durationS: decoded.durationS };
}
