/**
 * Finding ffmpeg and ffprobe, and telling an operator how to install them when they are missing: the
 * server refuses to start without them (spec 13), because every audio job needs them. Also finding how to
 * tie their lives to ours: a `kill -9` of Hookline runs no handler, so only the kernel can end its children.
 */
import type { Logger } from "../lib/logger.js";
import { runTool } from "./process.js";

/** Where ffmpeg and ffprobe are, and ffmpeg's version string. */
export interface Ffmpeg {
  /** Command or path used to start ffmpeg. */
  ffmpeg: string;
  /** Command or path used to start ffprobe. */
  ffprobe: string;
  /** ffmpeg's version, e.g. "5.1.9-0+deb12u1". */
  version: string;
  /**
   * Put before every ffmpeg/ffprobe command: {@link PDEATHSIG_LAUNCHER} on Linux, so that the kernel kills
   * the child when Hookline dies, however it dies; empty where that is not available (macOS, Windows).
   */
  launcher: readonly string[];
}

/**
 * `setpriv` (util-linux) sets PR_SET_PDEATHSIG and then execs the tool in the same process: the tool is
 * SIGKILLed when the thread that spawned it exits. Node spawns from its main thread, so that is when this
 * process exits. The setting survives the exec (ffmpeg is not set-user-ID), and costs no process of its own.
 */
export const PDEATHSIG_LAUNCHER: readonly string[] = ["setpriv", "--pdeathsig", "SIGKILL", "--"];

/** A `-version` run that takes longer than this means a broken install, not a slow machine. */
const VERSION_TIMEOUT_MS = 15_000;

async function versionOf(bin: string, launcher: readonly string[] = []): Promise<string | null> {
  try {
    const out = await runTool(bin, ["-hide_banner", "-version"], {
      launcher,
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
 * PATH by the OS. Both must run `-version` successfully. On Linux, ffprobe is also run once through
 * {@link PDEATHSIG_LAUNCHER}: when that works, every later run goes through it (`launcher`); when it does not
 * (no setpriv, or a sandbox that refuses the prctl), the tools run plainly and a debug line says so.
 *
 * @returns the tools, or null when either is absent or broken.
 * @example
 * const ff = await findFfmpeg(config.ffmpeg, { log });
 * if (!ff) { console.error(ffmpegInstallHelp()); process.exitCode = 1; return; }
 */
export async function findFfmpeg(
  paths?: { ffmpeg?: string; ffprobe?: string },
  opts: { log?: Pick<Logger, "debug"> } = {},
): Promise<Ffmpeg | null> {
  const ffmpeg = paths?.ffmpeg ?? "ffmpeg";
  const ffprobe = paths?.ffprobe ?? "ffprobe";
  const linux = process.platform === "linux";
  const [version, probeVersion, launched] = await Promise.all([
    versionOf(ffmpeg),
    versionOf(ffprobe),
    linux ? versionOf(ffprobe, PDEATHSIG_LAUNCHER) : Promise.resolve(null),
  ]);
  if (version === null || probeVersion === null) return null;
  const launcher = launched === null ? [] : PDEATHSIG_LAUNCHER;
  if (launched !== null) {
    opts.log?.debug("ffmpeg and ffprobe run under setpriv --pdeathsig SIGKILL: they die with this process");
  } else {
    const why = linux ? "setpriv (util-linux) did not run" : `no parent-death signal on ${process.platform}`;
    opts.log?.debug(`ffmpeg and ffprobe run plainly (${why}): a killed Hookline may leave them running`);
  }
  return { ffmpeg, ffprobe, version, launcher };
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
