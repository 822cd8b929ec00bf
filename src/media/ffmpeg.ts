/**
 * Finding ffmpeg and ffprobe, and telling an operator how to install them when they are missing: the
 * server refuses to start without them (spec 13), because every audio job needs them.
 */
import { runTool } from "./process.js";

/** Where ffmpeg and ffprobe are, and ffmpeg's version string. */
export interface Ffmpeg {
  /** Command or path used to start ffmpeg. */
  ffmpeg: string;
  /** Command or path used to start ffprobe. */
  ffprobe: string;
  /** ffmpeg's version, e.g. "5.1.9-0+deb12u1". */
  version: string;
}

/** A `-version` run that takes longer than this means a broken install, not a slow machine. */
const VERSION_TIMEOUT_MS = 15_000;

async function versionOf(bin: string): Promise<string | null> {
  try {
    const out = await runTool(bin, ["-hide_banner", "-version"], {
      timeoutMs: VERSION_TIMEOUT_MS,
      maxStdout: 64 * 1024,
    });
    if (out.code !== 0) return null;
    const m = /^\S+ version (\S+)/m.exec(out.stdout);
    return m?.[1] ?? "unknown";
  } catch {
    // spawn() itself can throw synchronously on malformed arguments (e.g. a NUL byte in the path).
    return null;
  }
}

/**
 * Finds ffmpeg and ffprobe: the given paths, else the commands `ffmpeg` and `ffprobe` looked up on the
 * PATH by the OS. Both must run `-version` successfully.
 *
 * @returns the tools, or null when either is absent or broken.
 * @example
 * const ff = await findFfmpeg(config.ffmpeg);
 * if (!ff) { console.error(ffmpegInstallHelp()); process.exitCode = 1; return; }
 */
export async function findFfmpeg(paths?: { ffmpeg?: string; ffprobe?: string }): Promise<Ffmpeg | null> {
  const ffmpeg = paths?.ffmpeg ?? "ffmpeg";
  const ffprobe = paths?.ffprobe ?? "ffprobe";
  const [version, probeVersion] = await Promise.all([versionOf(ffmpeg), versionOf(ffprobe)]);
  if (version === null || probeVersion === null) return null;
  return { ffmpeg, ffprobe, version };
}

/** The start-up refusal's text: what is missing and how to install it on common systems. */
export function ffmpegInstallHelp(): string {
  return [
    "Hookline needs ffmpeg and ffprobe to probe and convert audio, and could not run them.",
    "Install them, then start Hookline again:",
    "  Debian / Ubuntu:  sudo apt-get update && sudo apt-get install -y ffmpeg",
    "  Fedora:           sudo dnf install -y ffmpeg   (from RPM Fusion; or ffmpeg-free from Fedora)",
    "  Alpine:           apk add ffmpeg",
    "  macOS (Homebrew): brew install ffmpeg",
    "  Windows:          winget install --id Gyan.FFmpeg   (or: choco install ffmpeg)",
    "If they are installed outside the PATH, give their locations in the configuration (ffmpeg and ffprobe paths).",
  ].join("\n");
}
