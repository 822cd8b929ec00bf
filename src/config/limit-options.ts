/**
 * The settings that bound what one request, one source, one key or the whole server may use (issue 9): sizes,
 * shapes, storage, request time limits and rates. Part of the one options table (options.ts), listed by
 * `--help` in this order.
 */
import { type OptionInfo, option } from "./option.js";
import { int, scaled, seconds, zeroIsNone } from "./types.js";

const MB = 1024 * 1024;

export const LIMIT_OPTIONS = {
  maxUploadMb: option({
    env: "HOOKLINE_MAX_UPLOAD_MB",
    flag: "max-upload-mb",
    type: scaled(MB, 0, true),
    default: 100 * MB,
    help: "largest upload by URL or stream, in MB",
  }),
  maxBase64Mb: option({
    env: "HOOKLINE_MAX_BASE64_MB",
    flag: "max-base64-mb",
    type: scaled(MB, 0, true),
    default: 10 * MB,
    help: "largest decoded base64 upload, in MB",
  }),
  maxSourceMinutes: option({
    env: "HOOKLINE_MAX_SOURCE_MINUTES",
    flag: "max-source-minutes",
    type: scaled(60, 0, false),
    default: 60 * 60,
    help: "longest source audio accepted, in minutes",
  }),
  downloadTimeout: option({
    env: "HOOKLINE_DOWNLOAD_TIMEOUT",
    flag: "download-timeout",
    type: seconds(0.001),
    default: 30_000,
    help: "seconds a source download (fileUrl, voiceUrl, verifyUrl) may take in all, redirects included",
  }),
  // --- Limits that hold before the work starts (issue 9) ---
  maxChannels: option({
    env: "HOOKLINE_MAX_CHANNELS",
    flag: "max-channels",
    type: int(1),
    default: 8,
    help: "most audio channels a source may have (7.1 is 8)",
  }),
  maxSampleRate: option({
    env: "HOOKLINE_MAX_SAMPLE_RATE",
    flag: "max-sample-rate",
    type: int(1000),
    default: 192_000,
    help: "highest source sample rate accepted, in Hz",
  }),
  maxOutputMb: option({
    env: "HOOKLINE_MAX_OUTPUT_MB",
    flag: "max-output-mb",
    type: scaled(MB, 0.001, true),
    default: 2048 * MB,
    help: "largest result file one task may write, in MB: a WAV's size is predicted (duration × rate × channels × sample size) before it starts",
  }),
  keyQuotaMb: option({
    env: "HOOKLINE_KEY_QUOTA_MB",
    flag: "key-quota-mb",
    type: zeroIsNone(scaled(MB, 0, true)),
    default: 10_240 * MB,
    help: "storage per API key, in MB: its live files plus the predicted output of its queued work; 0 = no quota",
  }),
  minFreeDiskMb: option({
    env: "HOOKLINE_MIN_FREE_DISK_MB",
    flag: "min-free-disk-mb",
    type: scaled(MB, 0, true),
    default: 1024 * MB,
    help: "free space the data folder's disk keeps, in MB: uploads and jobs that would go below it are refused (455)",
  }),
  // --- Requests: time limits and per-key limits (issue 9) ---
  headersTimeout: option({
    env: "HOOKLINE_HEADERS_TIMEOUT",
    flag: "headers-timeout",
    type: seconds(0.001),
    default: 15_000,
    help: "seconds a client has to send a request's headers",
  }),
  requestTimeout: option({
    env: "HOOKLINE_REQUEST_TIMEOUT",
    flag: "request-timeout",
    type: seconds(0.001),
    default: 900_000,
    help: "seconds a client has to send a whole request, body included",
  }),
  idleTimeout: option({
    env: "HOOKLINE_IDLE_TIMEOUT",
    flag: "idle-timeout",
    type: seconds(0.001),
    default: 30_000,
    help: "seconds a connection may stay silent in the middle of a request before it is closed",
  }),
  minBodyRate: option({
    env: "HOOKLINE_MIN_BODY_RATE",
    flag: "min-body-rate",
    type: scaled(1024, 0, true),
    default: 8 * 1024,
    help: "slowest request body accepted, in KB/s averaged over 20 s windows; slower clients are cut off; 0 = no floor",
  }),
  maxUploadsPerKey: option({
    env: "HOOKLINE_MAX_UPLOADS_PER_KEY",
    flag: "max-uploads-per-key",
    type: int(1),
    default: 4,
    help: "uploads one API key may have in progress at once on this process (more answer 430 / 429)",
  }),
  maxConnections: option({
    env: "HOOKLINE_MAX_CONNECTIONS",
    flag: "max-connections",
    type: int(1),
    default: 4096,
    help: "open client connections this process accepts; more are closed at once",
  }),
  rateLimit: option({
    env: "HOOKLINE_RATE_LIMIT",
    flag: "rate-limit",
    type: zeroIsNone(int(0)),
    default: null,
    help: "API requests per minute per key (430 / 429 past it), across all processes, 0 = off; `hookline keys rate-limit` sets one key's",
  }),
  redeliverPerMinute: option({
    env: "HOOKLINE_REDELIVER_PER_MINUTE",
    flag: "redeliver-per-minute",
    type: int(1),
    default: 10,
    help: "manual redeliveries per key per minute (a message still being delivered is not redelivered again)",
  }),
} satisfies Record<string, OptionInfo>;
