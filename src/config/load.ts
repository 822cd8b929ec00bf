import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import type { CodeDialect } from "../lib/errors.js";
import type { Option, OptionInfo } from "./option.js";
import { OPTIONS } from "./options.js";
import type { DatabaseSetting, Given } from "./types.js";

/** The whole typed configuration. Everything else receives (a part of) this object. */
export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** Where stored files live: null for local disk under the data folder. */
  readonly s3: S3Settings | null;
  readonly database: DatabaseSetting;
  readonly publicUrl: string;
  /** True when the public URL is the default one made from the port (it then follows the port really bound). */
  readonly publicUrlFromPort: boolean;
  readonly delivery: {
    /** Gaps between attempts, ms; attempts = 1 + length. */
    readonly retryScheduleMs: readonly number[];
    readonly timeoutMs: number;
    readonly concurrency: number;
    /** Callbacks in flight at once to one host (host:port) from this process. */
    readonly perHost: number;
    readonly jitter: number;
    readonly excerptBytes: number;
    readonly rotationGraceMs: number;
  };
  /** The operator's Bearer token for the admin API and the console's operator sign-in (null: none). */
  readonly adminToken: string | null;
  /** GET /metrics: the Bearer token it asks for (null: open), and a metrics-only listener's port (null: none). */
  readonly metrics: { readonly token: string | null; readonly port: number | null };
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

/** An S3-compatible bucket for stored files (storage-options.ts). */
export interface S3Settings {
  readonly bucket: string;
  /** Null: AWS itself. */
  readonly endpoint: string | null;
  readonly region: string;
  /** Both null: the SDK's default credential chain. */
  readonly accessKeyId: string | null;
  readonly secretAccessKey: string | null;
  readonly forcePathStyle: boolean;
  /** Prepended to every object key as written. */
  readonly prefix: string;
  /** The file route redirects to a presigned URL instead of serving the bytes. */
  readonly presignedDownloads: boolean;
}

export type Env = Readonly<Record<string, string | undefined>>;
export type Flags = Readonly<Record<string, string | boolean | undefined>>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Reads one setting: the flag if given, else the environment variable unless empty, else the default. */
export type Read = <T>(option: Option<T>) => T;

/**
 * What the flag or the variable of a setting says, untyped, or undefined when neither is given. An empty variable
 * counts as not given (`HOOKLINE_PORT=` in a compose file means the default); an empty flag is given.
 */
export function given(option: OptionInfo, env: Env, flags: Flags): Given | undefined {
  const flag = flags[option.flag];
  if (flag !== undefined) return flag;
  const value = env[option.env];
  return value === undefined || value === "" ? undefined : value;
}

/** A {@link Read} over this environment and these flags; a wrong value throws a ConfigError naming both. */
export function reader(env: Env, flags: Flags): Read {
  return (option) => {
    const value = given(option, env, flags);
    if (value === undefined) return option.default;
    const where = `${option.env} / --${option.flag}`;
    // A caller's flags may say `{ port: true }`; the CLI cannot (parseArgs wants a value for such flags).
    if (typeof value === "boolean" && !option.isSwitch) throw new ConfigError(`${where} needs a value`);
    return option.parse(value, (reason) => {
      throw new ConfigError(`${where}: ${reason}`);
    });
  };
}

/**
 * Builds the configuration from environment variables and command-line flags (flags win), applying the
 * defaults of spec section 13 (the table in options.ts). Throws ConfigError with the variable's name when a
 * value is wrong.
 *
 * @example
 * const config = loadConfig(process.env, { dev: true, port: "4000" });
 */
export function loadConfig(env: Env, flags: Flags = {}): Config {
  const read = reader(env, flags);
  const port = read(OPTIONS.port);
  const dataDir = resolve(read(OPTIONS.dataDir));
  const codeDialect = read(OPTIONS.codeDialect);
  const wavBitDepth = read(OPTIONS.wavBitDepth);
  const publicUrl = read(OPTIONS.publicUrl);
  const dev = read(OPTIONS.dev);
  const ffmpeg = read(OPTIONS.ffmpegPath);
  const ffprobe = read(OPTIONS.ffprobePath);
  const deliveryConcurrency = read(OPTIONS.deliveryConcurrency);
  return {
    host: read(OPTIONS.host),
    port,
    dataDir,
    s3: s3Settings(read),
    database: read(OPTIONS.databaseUrl) ?? { kind: "sqlite", path: resolve(dataDir, "hookline.db") },
    publicUrl: publicUrl ?? `http://localhost:${port}`,
    publicUrlFromPort: publicUrl === null,
    delivery: {
      retryScheduleMs: read(OPTIONS.retrySchedule),
      timeoutMs: read(OPTIONS.callbackTimeout),
      concurrency: deliveryConcurrency,
      // Half: a receiver that never answers holds at most half the slots for its 15 s each, and the other half
      // keeps every other receiver going; one healthy receiver, the usual deployment, still gets 32 at once.
      perHost: read(OPTIONS.deliveryPerHost) ?? Math.max(1, Math.ceil(deliveryConcurrency / 2)),
      jitter: 0.1,
      excerptBytes: 4096,
      rotationGraceMs: read(OPTIONS.rotationGraceHours),
    },
    outbound: { allowHosts: read(OPTIONS.allowHosts), allowPrivate: dev },
    dev,
    runner: {
      concurrency: read(OPTIONS.concurrency) ?? availableParallelism(),
      leaseMs: read(OPTIONS.leaseSeconds),
      pollMs: read(OPTIONS.pollMs),
    },
    codeDialect,
    httpStatusMirrorsCode: read(OPTIONS.httpStatusMirrorsCode),
    wavBitDepth,
    limits: {
      uploadBytes: read(OPTIONS.maxUploadMb),
      base64Bytes: read(OPTIONS.maxBase64Mb),
      maxSourceSeconds: read(OPTIONS.maxSourceMinutes),
      downloadTimeoutMs: read(OPTIONS.downloadTimeout),
      maxChannels: read(OPTIONS.maxChannels),
      maxSampleRate: read(OPTIONS.maxSampleRate),
      maxOutputBytes: read(OPTIONS.maxOutputMb),
      keyQuotaBytes: read(OPTIONS.keyQuotaMb),
      minFreeDiskBytes: read(OPTIONS.minFreeDiskMb),
    },
    http: {
      headersTimeoutMs: read(OPTIONS.headersTimeout),
      requestTimeoutMs: read(OPTIONS.requestTimeout),
      idleTimeoutMs: read(OPTIONS.idleTimeout),
      minBodyBytesPerS: read(OPTIONS.minBodyRate),
      maxUploadsPerKey: read(OPTIONS.maxUploadsPerKey),
      maxConnections: read(OPTIONS.maxConnections),
    },
    rateLimit: {
      perMinute: read(OPTIONS.rateLimit),
      redeliverPerMinute: read(OPTIONS.redeliverPerMinute),
    },
    retention: {
      wavMs: read(OPTIONS.retentionWavDays),
      coverMs: read(OPTIONS.retentionCoverDays),
      uploadMs: read(OPTIONS.retentionUploadDays),
      downloadUrlMs: read(OPTIONS.downloadUrlMinutes),
    },
    trustProxy: read(OPTIONS.trustProxy),
    adminToken: read(OPTIONS.adminToken) || null,
    metrics: { token: read(OPTIONS.metricsToken) || null, port: read(OPTIONS.metricsPort) },
    // An empty --ffmpeg "" means the one on PATH, as when it is not given.
    ffmpeg: { ...(ffmpeg ? { ffmpeg } : {}), ...(ffprobe ? { ffprobe } : {}) },
    logLevel: read(OPTIONS.logLevel),
    simulation: read(OPTIONS.simulation),
    prices: {
      wav: read(OPTIONS.priceWav),
      cover: read(OPTIONS.priceCover),
      voice: read(OPTIONS.priceVoice),
    },
    cover: coverConfig(read),
    voice: { sameVoiceThreshold: read(OPTIONS.voiceThreshold) },
  };
}

/**
 * The cover settings. The image service's key, model and timeout are read only when its URL is set, so a wrong
 * timeout is not an error on a server that renders covers itself.
 */
function coverConfig(read: Read): Config["cover"] {
  const size = read(OPTIONS.coverSize);
  const url = read(OPTIONS.coverProviderUrl);
  return {
    size,
    provider:
      url === null
        ? null
        : {
            url,
            key: read(OPTIONS.coverProviderKey),
            model: read(OPTIONS.coverProviderModel),
            timeoutMs: read(OPTIONS.coverProviderTimeout),
          },
  };
}

/** The S3 settings, read only when a bucket is named; a key id without its secret (or the reverse) is an error. */
function s3Settings(read: Read): S3Settings | null {
  const bucket = read(OPTIONS.s3Bucket);
  if (bucket === null) return null;
  const accessKeyId = read(OPTIONS.s3AccessKeyId);
  const secretAccessKey = read(OPTIONS.s3SecretAccessKey);
  if ((accessKeyId === null) !== (secretAccessKey === null)) {
    throw new ConfigError(
      `${OPTIONS.s3AccessKeyId.env} and ${OPTIONS.s3SecretAccessKey.env} go together: set both, or neither for the SDK's default credential chain`,
    );
  }
  return {
    bucket,
    endpoint: read(OPTIONS.s3Endpoint),
    region: read(OPTIONS.s3Region),
    accessKeyId,
    secretAccessKey,
    forcePathStyle: read(OPTIONS.s3ForcePathStyle),
    prefix: read(OPTIONS.s3Prefix) ?? "",
    presignedDownloads: read(OPTIONS.s3PresignedDownloads),
  };
}
