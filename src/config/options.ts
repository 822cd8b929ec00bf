/**
 * Every setting Hookline has, in one table: its environment variable, its flag, its type, its default and a line
 * of help. The default is a typed value, the one the configuration gets; `hookline serve --help` prints this table
 * with each default written by its type's `format` (the inverse of the type's `parse`), so it is also the
 * documentation and cannot disagree with the code. It is long because it is one entry per setting, in the
 * order `--help` lists them; the limits on sizes, time and requests are in limit-options.ts.
 */
import { LIMIT_OPTIONS } from "./limit-options.js";
import { type OptionInfo, option } from "./option.js";
import { STORAGE_OPTIONS } from "./storage-options.js";
import {
  check,
  databaseUrl,
  decimal,
  httpUrl,
  int,
  list,
  oneOf,
  onOff,
  refine,
  scaled,
  seconds,
  secondsList,
  text,
} from "./types.js";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const BIT_DEPTH = refine(
  int(16),
  (n): n is 16 | 24 => n === 16 || n === 24,
  () => "expected 16 or 24",
);
const COVER_SIZE = check(
  int(64),
  (n) => n <= 4096,
  (n) => `expected at most 4096, got ${n}`,
);
const THRESHOLD = check(
  decimal(0),
  (t) => t <= 1,
  (t) => `expected a similarity between 0 and 1, got ${t}`,
);

export const OPTIONS = {
  host: option({
    env: "HOOKLINE_HOST",
    flag: "host",
    type: text,
    default: "127.0.0.1",
    help: "address to bind",
  }),
  port: option({
    env: "HOOKLINE_PORT",
    flag: "port",
    type: int(0),
    default: 3000,
    help: "port to listen on",
  }),
  dataDir: option({
    env: "HOOKLINE_DATA_DIR",
    flag: "data-dir",
    type: text,
    default: "./hookline-data",
    help: "folder for the SQLite database and stored files",
  }),
  ...STORAGE_OPTIONS,
  databaseUrl: option({
    env: "HOOKLINE_DATABASE_URL",
    flag: "database-url",
    type: databaseUrl,
    unset: "sqlite in the data folder",
    help: "postgres://… to use PostgreSQL, or sqlite:/path/to/file.db",
  }),
  publicUrl: option({
    env: "HOOKLINE_PUBLIC_URL",
    flag: "public-url",
    type: httpUrl(true),
    unset: "http://localhost:<port>",
    help: "base URL put in download links",
  }),
  retrySchedule: option({
    env: "HOOKLINE_RETRY_SCHEDULE",
    flag: "retry-schedule",
    type: secondsList,
    default: [60_000, 300_000, 900_000],
    help: "callback retry delays in seconds, comma-separated (attempts = 1 + count)",
  }),
  callbackTimeout: option({
    env: "HOOKLINE_CALLBACK_TIMEOUT",
    flag: "callback-timeout",
    type: seconds(0.001),
    default: 15_000,
    help: "seconds a receiver has to answer a callback",
  }),
  allowHosts: option({
    env: "HOOKLINE_ALLOW_HOSTS",
    flag: "allow-hosts",
    type: list,
    default: [],
    help: "host names, IPs or CIDRs that outbound requests may reach even if private",
  }),
  dev: option({
    env: "HOOKLINE_DEV",
    flag: "dev",
    type: onOff,
    default: false,
    help: "development mode: callbacks and downloads may reach loopback and private addresses",
  }),
  concurrency: option({
    env: "HOOKLINE_CONCURRENCY",
    flag: "concurrency",
    type: int(1),
    unset: "CPU count",
    help: "tasks processed at once by this process",
  }),
  deliveryConcurrency: option({
    env: "HOOKLINE_DELIVERY_CONCURRENCY",
    flag: "delivery-concurrency",
    type: int(1),
    default: 64,
    help: "callbacks in flight at once from this process",
  }),
  deliveryPerHost: option({
    env: "HOOKLINE_DELIVERY_PER_HOST",
    flag: "delivery-per-host",
    type: int(1),
    unset: "half the delivery concurrency",
    help: "callbacks in flight at once from this process to one receiving host:port",
  }),
  leaseSeconds: option({
    env: "HOOKLINE_LEASE_SECONDS",
    flag: "lease-seconds",
    type: seconds(0.1),
    default: 30_000,
    help: "how long a claim on a task or callback lasts before another process may take it (renewed while working)",
  }),
  codeDialect: option({
    env: "HOOKLINE_CODE_DIALECT",
    flag: "code-dialect",
    type: oneOf(["sunoapi", "kie"]),
    default: "sunoapi",
    help: "envelope code meanings: sunoapi or kie",
  }),
  httpStatusMirrorsCode: option({
    env: "HOOKLINE_HTTP_STATUS_MIRRORS_CODE",
    flag: "http-status-mirrors-code",
    type: onOff,
    default: false,
    help: "answer with HTTP status = envelope code where that is a valid status",
  }),
  wavBitDepth: option({
    env: "HOOKLINE_WAV_BIT_DEPTH",
    flag: "wav-bit-depth",
    type: BIT_DEPTH,
    default: 16,
    help: "16 or 24",
  }),
  ...LIMIT_OPTIONS,
  retentionWavDays: option({
    env: "HOOKLINE_RETENTION_WAV_DAYS",
    flag: "retention-wav-days",
    type: scaled(DAY, 0, false),
    default: 15 * DAY,
    help: "days a WAV result is kept",
  }),
  retentionCoverDays: option({
    env: "HOOKLINE_RETENTION_COVER_DAYS",
    flag: "retention-cover-days",
    type: scaled(DAY, 0, false),
    default: 14 * DAY,
    help: "days cover images are kept",
  }),
  retentionUploadDays: option({
    env: "HOOKLINE_RETENTION_UPLOAD_DAYS",
    flag: "retention-upload-days",
    type: scaled(DAY, 0, false),
    default: 3 * DAY,
    help: "days uploaded files are kept",
  }),
  downloadUrlMinutes: option({
    env: "HOOKLINE_DOWNLOAD_URL_MINUTES",
    flag: "download-url-minutes",
    type: scaled(MINUTE, 0, false),
    default: 20 * MINUTE,
    help: "lifetime of links from POST /api/v1/common/download-url",
  }),
  rotationGraceHours: option({
    env: "HOOKLINE_ROTATION_GRACE_HOURS",
    flag: "rotation-grace-hours",
    type: scaled(HOUR, 0, true),
    default: 24 * HOUR,
    help: "hours a rotated webhook key still signs (webhook-signature carries both)",
  }),
  trustProxy: option({
    env: "HOOKLINE_TRUST_PROXY",
    flag: "trust-proxy",
    type: onOff,
    default: false,
    help: "trust X-Forwarded-* headers (behind a reverse proxy)",
  }),
  adminToken: option({
    env: "HOOKLINE_ADMIN_TOKEN",
    flag: "admin-token",
    type: text,
    unset: "(none: operators sign in with `hookline console-link`)",
    help: "Bearer token of the operator: the admin API (keys) and the console's operator sign-in",
  }),
  metricsToken: option({
    env: "HOOKLINE_METRICS_TOKEN",
    flag: "metrics-token",
    type: text,
    unset: "(none: /metrics is open)",
    help: "Bearer token GET /metrics asks for (docs/operations.md)",
  }),
  metricsPort: option({
    env: "HOOKLINE_METRICS_PORT",
    flag: "metrics-port",
    type: int(0),
    unset: "(none)",
    help: "also serve /metrics alone on this port (a worker's only HTTP listener)",
  }),
  ffmpegPath: option({
    env: "HOOKLINE_FFMPEG",
    flag: "ffmpeg",
    type: text,
    unset: "ffmpeg on PATH",
    help: "ffmpeg binary",
  }),
  ffprobePath: option({
    env: "HOOKLINE_FFPROBE",
    flag: "ffprobe",
    type: text,
    unset: "ffprobe on PATH",
    help: "ffprobe binary",
  }),
  logLevel: option({
    env: "HOOKLINE_LOG_LEVEL",
    flag: "log-level",
    type: text,
    default: "info",
    help: "fatal, error, warn, info, debug, trace or silent",
  }),
  pollMs: option({
    env: "HOOKLINE_POLL_MS",
    flag: "poll-ms",
    type: int(10),
    default: 500,
    help: "how often idle workers look for work queued by other processes",
  }),
  simulation: option({
    env: "HOOKLINE_SIMULATION",
    flag: "simulation",
    type: onOff,
    default: true,
    help: "honour failure simulation (the Hookline-Simulate header, `keys simulate`); off refuses the header",
  }),
  // --- Credits (spec 12.3) ---
  priceWav: option({
    env: "HOOKLINE_PRICE_WAV",
    flag: "price-wav",
    type: int(0),
    default: 1,
    help: "credits a WAV conversion costs a key that has a balance (keys without one are unlimited)",
  }),
  priceCover: option({
    env: "HOOKLINE_PRICE_COVER",
    flag: "price-cover",
    type: int(0),
    default: 1,
    help: "credits a cover job costs a key that has a balance",
  }),
  priceVoice: option({
    env: "HOOKLINE_PRICE_VOICE",
    flag: "price-voice",
    type: int(0),
    default: 1,
    help: "credits a voice generate (the step that creates a voice) costs a key that has a balance",
  }),
  // --- Cover art (spec 5) ---
  coverSize: option({
    env: "HOOKLINE_COVER_SIZE",
    flag: "cover-size",
    type: COVER_SIZE,
    default: 1024,
    help: "width and height of cover images in px (64–4096)",
  }),
  coverProviderUrl: option({
    env: "HOOKLINE_COVER_PROVIDER_URL",
    flag: "cover-provider-url",
    type: httpUrl(false),
    unset: "(none: covers are rendered locally)",
    help: "base URL of an image service speaking POST /v1/images/generations; covers then come from it",
  }),
  coverProviderKey: option({
    env: "HOOKLINE_COVER_PROVIDER_KEY",
    flag: "cover-provider-key",
    type: text,
    unset: "(none)",
    help: "Bearer key for the image service",
  }),
  coverProviderModel: option({
    env: "HOOKLINE_COVER_PROVIDER_MODEL",
    flag: "cover-provider-model",
    type: text,
    default: "gpt-image-1",
    help: "model name sent to the image service",
  }),
  coverProviderTimeout: option({
    env: "HOOKLINE_COVER_PROVIDER_TIMEOUT",
    flag: "cover-provider-timeout",
    type: seconds(0.001),
    default: 120_000,
    help: "seconds the image service has per image (then the cover fails with 408)",
  }),
  // --- Custom voice (spec 6) ---
  voiceThreshold: option({
    env: "HOOKLINE_VOICE_THRESHOLD",
    flag: "voice-threshold",
    type: THRESHOLD,
    unset: "the calibrated one (docs/voice-verification.md)",
    help: "same-voice threshold of voice generate, cosine similarity 0–1: higher refuses more impostors and more real owners",
  }),
} satisfies Record<string, OptionInfo>;

export type OptionName = keyof typeof OPTIONS;
