import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import type { CodeDialect } from "../lib/errors.js";
import { OPTIONS, type OptionName, type OptionSpec } from "./options.js";

/** The whole typed configuration. Everything else receives (a part of) this object. */
export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly database:
    | { readonly kind: "sqlite"; readonly path: string }
    | { readonly kind: "postgres"; readonly url: string };
  readonly publicUrl: string;
  /** True when the public URL is the default one made from the port (it then follows the port really bound). */
  readonly publicUrlFromPort: boolean;
  readonly delivery: {
    /** Gaps between attempts, ms; attempts = 1 + length. */
    readonly retryScheduleMs: readonly number[];
    readonly timeoutMs: number;
    readonly concurrency: number;
    readonly jitter: number;
    readonly excerptBytes: number;
    readonly rotationGraceMs: number;
  };
  readonly outbound: { readonly allowHosts: readonly string[]; readonly allowPrivate: boolean };
  readonly dev: boolean;
  readonly runner: { readonly concurrency: number; readonly leaseMs: number; readonly pollMs: number };
  readonly codeDialect: CodeDialect;
  readonly httpStatusMirrorsCode: boolean;
  readonly wavBitDepth: 16 | 24;
  readonly limits: {
    readonly uploadBytes: number;
    readonly base64Bytes: number;
    readonly maxSourceSeconds: number;
    readonly downloadTimeoutMs: number;
    /** Sources with more channels, or a higher sample rate, are refused before any work. */
    readonly maxChannels: number;
    readonly maxSampleRate: number;
    /** The largest result file one task may write (a WAV's size is predicted before it starts). */
    readonly maxOutputBytes: number;
    /** Bytes one key may hold: live files plus the predicted output of its queued work; null = no quota. */
    readonly keyQuotaBytes: number | null;
    /** Free space kept on the data folder's disk: new work that would go below it is refused. */
    readonly minFreeDiskBytes: number;
  };
  /** Time limits and per-key limits of the HTTP server. */
  readonly http: {
    readonly headersTimeoutMs: number;
    readonly requestTimeoutMs: number;
    readonly idleTimeoutMs: number;
    /** The slowest request body accepted, bytes per second averaged over 20 s windows; 0 = no floor. */
    readonly minBodyBytesPerS: number;
    readonly maxUploadsPerKey: number;
    readonly maxConnections: number;
  };
  /** Per-key request rates (spec 12.3): null = no default limit. */
  readonly rateLimit: {
    readonly perMinute: number | null;
    readonly redeliverPerMinute: number;
  };
  readonly retention: {
    readonly wavMs: number;
    readonly coverMs: number;
    readonly uploadMs: number;
    readonly downloadUrlMs: number;
  };
  readonly trustProxy: boolean;
  readonly ffmpeg: { readonly ffmpeg?: string; readonly ffprobe?: string };
  readonly logLevel: string;
  /** Whether failure simulation (src/simulation) is honoured; when off, the request header is refused. */
  readonly simulation: boolean;
  /** Credits each paid job costs a key that has a balance (spec 12.3). */
  readonly prices: { readonly wav: number; readonly cover: number; readonly voice: number };
  /** Cover art (spec 5): image size, and the optional external image service. */
  readonly cover: {
    readonly size: number;
    readonly provider: {
      readonly url: string;
      readonly key: string | null;
      readonly model: string;
      readonly timeoutMs: number;
    } | null;
  };
  /** Voice family: the same-voice threshold, or null for the calibrated one. */
  readonly voice: { readonly sameVoiceThreshold: number | null };
}

export type Env = Readonly<Record<string, string | undefined>>;
export type Flags = Readonly<Record<string, string | boolean | undefined>>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

const DAY = 86_400_000;

function raw(name: OptionName, env: Env, flags: Flags): string | boolean | undefined {
  const spec: OptionSpec = OPTIONS[name];
  const flag = flags[spec.flag];
  if (flag !== undefined) return flag;
  const value = env[spec.env];
  return value === undefined || value === "" ? undefined : value;
}

function where(name: OptionName): string {
  return `${OPTIONS[name].env} / --${OPTIONS[name].flag}`;
}

function num(name: OptionName, env: Env, flags: Flags, fallback: number, min: number, int = false): number {
  const value = raw(name, env, flags);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value === "boolean" || !Number.isFinite(n) || n < min || (int && !Number.isInteger(n))) {
    throw new ConfigError(
      `${where(name)}: expected ${int ? "an integer" : "a number"} >= ${min}, got "${value}"`,
    );
  }
  return n;
}

function bool(name: OptionName, env: Env, flags: Flags): boolean {
  const value = raw(name, env, flags);
  if (value === undefined) return false;
  if (typeof value === "boolean") return value;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(`${where(name)}: expected on/off, got "${value}"`);
}

function str(name: OptionName, env: Env, flags: Flags): string | undefined {
  const value = raw(name, env, flags);
  if (typeof value === "boolean") throw new ConfigError(`${where(name)} needs a value`);
  return value;
}

function list(name: OptionName, env: Env, flags: Flags): string[] {
  return (str(name, env, flags) ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function schedule(env: Env, flags: Flags): number[] {
  const text = str("retrySchedule", env, flags);
  if (text === undefined) return [60_000, 300_000, 900_000];
  if (text.trim() === "") return [];
  return text.split(",").map((part) => {
    const n = Number(part.trim());
    if (!Number.isFinite(n) || n < 0)
      throw new ConfigError(`${where("retrySchedule")}: "${part}" is not seconds`);
    return Math.round(n * 1000);
  });
}

function database(dataDir: string, env: Env, flags: Flags): Config["database"] {
  const url = str("databaseUrl", env, flags);
  if (url === undefined) return { kind: "sqlite", path: resolve(dataDir, "hookline.db") };
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: "postgres", url };
  if (url.startsWith("sqlite:")) return { kind: "sqlite", path: resolve(url.slice("sqlite:".length)) };
  throw new ConfigError(`${where("databaseUrl")}: expected postgres://… or sqlite:/path, got "${url}"`);
}

/**
 * Builds the configuration from environment variables and command-line flags (flags win), applying the
 * defaults of spec section 13. Throws ConfigError with the variable's name when a value is wrong.
 *
 * @example
 * const config = loadConfig(process.env, { dev: true, port: "4000" });
 */
export function loadConfig(env: Env, flags: Flags = {}): Config {
  const port = num("port", env, flags, 3000, 0, true);
  const dataDir = resolve(str("dataDir", env, flags) ?? "./hookline-data");
  const dialect = str("codeDialect", env, flags) ?? "sunoapi";
  if (dialect !== "sunoapi" && dialect !== "kie") {
    throw new ConfigError(`${where("codeDialect")}: expected sunoapi or kie, got "${dialect}"`);
  }
  const bitDepth = num("wavBitDepth", env, flags, 16, 16, true);
  if (bitDepth !== 16 && bitDepth !== 24) throw new ConfigError(`${where("wavBitDepth")}: expected 16 or 24`);
  const givenUrl = str("publicUrl", env, flags);
  const publicUrl = (givenUrl ?? `http://localhost:${port}`).replace(/\/+$/, "");
  if (!/^https?:\/\//.test(publicUrl))
    throw new ConfigError(`${where("publicUrl")}: expected an http(s) URL`);
  const dev = bool("dev", env, flags);
  const ffmpeg = str("ffmpegPath", env, flags);
  const ffprobe = str("ffprobePath", env, flags);
  const mb = 1024 * 1024;
  const quota = num("keyQuotaMb", env, flags, 10_240, 0);
  const rate = num("rateLimit", env, flags, 0, 0, true);
  return {
    host: str("host", env, flags) ?? "127.0.0.1",
    port,
    dataDir,
    database: database(dataDir, env, flags),
    publicUrl,
    publicUrlFromPort: givenUrl === undefined,
    delivery: {
      retryScheduleMs: schedule(env, flags),
      timeoutMs: Math.round(num("callbackTimeout", env, flags, 15, 0.001) * 1000),
      concurrency: num("deliveryConcurrency", env, flags, 64, 1, true),
      jitter: 0.1,
      excerptBytes: 4096,
      rotationGraceMs: Math.round(num("rotationGraceHours", env, flags, 24, 0) * 3_600_000),
    },
    outbound: { allowHosts: list("allowHosts", env, flags), allowPrivate: dev },
    dev,
    runner: {
      concurrency: num("concurrency", env, flags, availableParallelism(), 1, true),
      leaseMs: Math.round(num("leaseSeconds", env, flags, 30, 0.1) * 1000),
      pollMs: num("pollMs", env, flags, 500, 10, true),
    },
    codeDialect: dialect,
    httpStatusMirrorsCode: bool("httpStatusMirrorsCode", env, flags),
    wavBitDepth: bitDepth,
    limits: {
      uploadBytes: Math.round(num("maxUploadMb", env, flags, 100, 0) * mb),
      base64Bytes: Math.round(num("maxBase64Mb", env, flags, 10, 0) * mb),
      maxSourceSeconds: num("maxSourceMinutes", env, flags, 60, 0) * 60,
      downloadTimeoutMs: Math.round(num("downloadTimeout", env, flags, 30, 0.001) * 1000),
      maxChannels: num("maxChannels", env, flags, 8, 1, true),
      maxSampleRate: num("maxSampleRate", env, flags, 192_000, 1000, true),
      maxOutputBytes: Math.round(num("maxOutputMb", env, flags, 2048, 0.001) * mb),
      keyQuotaBytes: quota === 0 ? null : Math.round(quota * mb),
      minFreeDiskBytes: Math.round(num("minFreeDiskMb", env, flags, 1024, 0) * mb),
    },
    http: {
      headersTimeoutMs: Math.round(num("headersTimeout", env, flags, 15, 0.001) * 1000),
      requestTimeoutMs: Math.round(num("requestTimeout", env, flags, 900, 0.001) * 1000),
      idleTimeoutMs: Math.round(num("idleTimeout", env, flags, 30, 0.001) * 1000),
      minBodyBytesPerS: Math.round(num("minBodyRate", env, flags, 8, 0) * 1024),
      maxUploadsPerKey: num("maxUploadsPerKey", env, flags, 4, 1, true),
      maxConnections: num("maxConnections", env, flags, 4096, 1, true),
    },
    rateLimit: {
      perMinute: rate === 0 ? null : rate,
      redeliverPerMinute: num("redeliverPerMinute", env, flags, 10, 1, true),
    },
    retention: {
      wavMs: num("retentionWavDays", env, flags, 15, 0) * DAY,
      coverMs: num("retentionCoverDays", env, flags, 14, 0) * DAY,
      uploadMs: num("retentionUploadDays", env, flags, 3, 0) * DAY,
      downloadUrlMs: num("downloadUrlMinutes", env, flags, 20, 0) * 60_000,
    },
    trustProxy: bool("trustProxy", env, flags),
    ffmpeg: { ...(ffmpeg ? { ffmpeg } : {}), ...(ffprobe ? { ffprobe } : {}) },
    logLevel: str("logLevel", env, flags) ?? "info",
    simulation: raw("simulation", env, flags) === undefined ? true : bool("simulation", env, flags),
    prices: {
      wav: num("priceWav", env, flags, 1, 0, true),
      cover: num("priceCover", env, flags, 1, 0, true),
      voice: num("priceVoice", env, flags, 1, 0, true),
    },
    cover: coverConfig(env, flags),
    voice: { sameVoiceThreshold: voiceThreshold(env, flags) },
  };
}

/** The cover settings: size within 64–4096 px; the image service only when its URL is set, and then an http(s) one. */
function coverConfig(env: Env, flags: Flags): Config["cover"] {
  const size = num("coverSize", env, flags, 1024, 64, true);
  if (size > 4096) throw new ConfigError(`${where("coverSize")}: expected at most 4096, got ${size}`);
  const url = str("coverProviderUrl", env, flags);
  if (url !== undefined && !/^https?:\/\//.test(url)) {
    throw new ConfigError(`${where("coverProviderUrl")}: expected an http(s) URL`);
  }
  return {
    size,
    provider:
      url === undefined
        ? null
        : {
            url,
            key: str("coverProviderKey", env, flags) ?? null,
            model: str("coverProviderModel", env, flags) ?? "gpt-image-1",
            timeoutMs: Math.round(num("coverProviderTimeout", env, flags, 120, 0.001) * 1000),
          },
  };
}

function voiceThreshold(env: Env, flags: Flags): number | null {
  if (raw("voiceThreshold", env, flags) === undefined) return null;
  const t = num("voiceThreshold", env, flags, 0, 0);
  if (t > 1)
    throw new ConfigError(`${where("voiceThreshold")}: expected a similarity between 0 and 1, got ${t}`);
  return t;
}

/** The text of `hookline serve --help`'s settings part. */
export function optionsHelp(): string {
  const rows = Object.values(OPTIONS as Record<string, OptionSpec>).map(
    (o) => `  --${o.flag.padEnd(26)} ${o.env.padEnd(34)} ${o.help} (default: ${o.defaultText})`,
  );
  return ["Settings (flag, environment variable, meaning):", ...rows].join("\n");
}
