/**
 * Every setting Hookline has, in one table: its environment variable, its flag, its default and a line of help.
 * `hookline serve --help` prints this table, so it is also the documentation.
 */
export type OptionKind = "string" | "int" | "number" | "bool" | "list" | "seconds-list";

export interface OptionSpec {
  readonly env: string;
  readonly flag: string;
  readonly kind: OptionKind;
  readonly help: string;
  /** Shown in --help; the typed default lives in load.ts. */
  readonly defaultText: string;
}

export const OPTIONS = {
  host: {
    env: "HOOKLINE_HOST",
    flag: "host",
    kind: "string",
    defaultText: "127.0.0.1",
    help: "address to bind",
  },
  port: { env: "HOOKLINE_PORT", flag: "port", kind: "int", defaultText: "3000", help: "port to listen on" },
  dataDir: {
    env: "HOOKLINE_DATA_DIR",
    flag: "data-dir",
    kind: "string",
    defaultText: "./hookline-data",
    help: "folder for the SQLite database and stored files",
  },
  databaseUrl: {
    env: "HOOKLINE_DATABASE_URL",
    flag: "database-url",
    kind: "string",
    defaultText: "sqlite in the data folder",
    help: "postgres://… to use PostgreSQL, or sqlite:/path/to/file.db",
  },
  publicUrl: {
    env: "HOOKLINE_PUBLIC_URL",
    flag: "public-url",
    kind: "string",
    defaultText: "http://localhost:<port>",
    help: "base URL put in download links",
  },
  retrySchedule: {
    env: "HOOKLINE_RETRY_SCHEDULE",
    flag: "retry-schedule",
    kind: "seconds-list",
    defaultText: "60,300,900",
    help: "callback retry delays in seconds, comma-separated (attempts = 1 + count)",
  },
  callbackTimeout: {
    env: "HOOKLINE_CALLBACK_TIMEOUT",
    flag: "callback-timeout",
    kind: "number",
    defaultText: "15",
    help: "seconds a receiver has to answer a callback",
  },
  allowHosts: {
    env: "HOOKLINE_ALLOW_HOSTS",
    flag: "allow-hosts",
    kind: "list",
    defaultText: "(none)",
    help: "host names, IPs or CIDRs that outbound requests may reach even if private",
  },
  dev: {
    env: "HOOKLINE_DEV",
    flag: "dev",
    kind: "bool",
    defaultText: "off",
    help: "development mode: callbacks and downloads may reach loopback and private addresses",
  },
  concurrency: {
    env: "HOOKLINE_CONCURRENCY",
    flag: "concurrency",
    kind: "int",
    defaultText: "CPU count",
    help: "tasks processed at once by this process",
  },
  deliveryConcurrency: {
    env: "HOOKLINE_DELIVERY_CONCURRENCY",
    flag: "delivery-concurrency",
    kind: "int",
    defaultText: "64",
    help: "callbacks in flight at once from this process",
  },
  leaseSeconds: {
    env: "HOOKLINE_LEASE_SECONDS",
    flag: "lease-seconds",
    kind: "number",
    defaultText: "30",
    help: "how long a claim on a task or callback lasts before another process may take it (renewed while working)",
  },
  codeDialect: {
    env: "HOOKLINE_CODE_DIALECT",
    flag: "code-dialect",
    kind: "string",
    defaultText: "sunoapi",
    help: "envelope code meanings: sunoapi or kie",
  },
  httpStatusMirrorsCode: {
    env: "HOOKLINE_HTTP_STATUS_MIRRORS_CODE",
    flag: "http-status-mirrors-code",
    kind: "bool",
    defaultText: "off",
    help: "answer with HTTP status = envelope code where that is a valid status",
  },
  wavBitDepth: {
    env: "HOOKLINE_WAV_BIT_DEPTH",
    flag: "wav-bit-depth",
    kind: "int",
    defaultText: "16",
    help: "16 or 24",
  },
  maxUploadMb: {
    env: "HOOKLINE_MAX_UPLOAD_MB",
    flag: "max-upload-mb",
    kind: "number",
    defaultText: "100",
    help: "largest upload by URL or stream, in MB",
  },
  maxBase64Mb: {
    env: "HOOKLINE_MAX_BASE64_MB",
    flag: "max-base64-mb",
    kind: "number",
    defaultText: "10",
    help: "largest decoded base64 upload, in MB",
  },
  maxSourceMinutes: {
    env: "HOOKLINE_MAX_SOURCE_MINUTES",
    flag: "max-source-minutes",
    kind: "number",
    defaultText: "60",
    help: "longest source audio accepted, in minutes",
  },
  retentionWavDays: {
    env: "HOOKLINE_RETENTION_WAV_DAYS",
    flag: "retention-wav-days",
    kind: "number",
    defaultText: "15",
    help: "days a WAV result is kept",
  },
  retentionCoverDays: {
    env: "HOOKLINE_RETENTION_COVER_DAYS",
    flag: "retention-cover-days",
    kind: "number",
    defaultText: "14",
    help: "days cover images are kept",
  },
  retentionUploadDays: {
    env: "HOOKLINE_RETENTION_UPLOAD_DAYS",
    flag: "retention-upload-days",
    kind: "number",
    defaultText: "3",
    help: "days uploaded files are kept",
  },
  downloadUrlMinutes: {
    env: "HOOKLINE_DOWNLOAD_URL_MINUTES",
    flag: "download-url-minutes",
    kind: "number",
    defaultText: "20",
    help: "lifetime of links from POST /api/v1/common/download-url",
  },
  rotationGraceHours: {
    env: "HOOKLINE_ROTATION_GRACE_HOURS",
    flag: "rotation-grace-hours",
    kind: "number",
    defaultText: "24",
    help: "hours a rotated webhook key still signs (webhook-signature carries both)",
  },
  trustProxy: {
    env: "HOOKLINE_TRUST_PROXY",
    flag: "trust-proxy",
    kind: "bool",
    defaultText: "off",
    help: "trust X-Forwarded-* headers (behind a reverse proxy)",
  },
  ffmpegPath: {
    env: "HOOKLINE_FFMPEG",
    flag: "ffmpeg",
    kind: "string",
    defaultText: "ffmpeg on PATH",
    help: "ffmpeg binary",
  },
  ffprobePath: {
    env: "HOOKLINE_FFPROBE",
    flag: "ffprobe",
    kind: "string",
    defaultText: "ffprobe on PATH",
    help: "ffprobe binary",
  },
  logLevel: {
    env: "HOOKLINE_LOG_LEVEL",
    flag: "log-level",
    kind: "string",
    defaultText: "info",
    help: "fatal, error, warn, info, debug, trace or silent",
  },
  pollMs: {
    env: "HOOKLINE_POLL_MS",
    flag: "poll-ms",
    kind: "int",
    defaultText: "500",
    help: "how often idle workers look for work queued by other processes",
  },
  simulation: {
    env: "HOOKLINE_SIMULATION",
    flag: "simulation",
    kind: "bool",
    defaultText: "on",
    help: "honour failure simulation (the Hookline-Simulate header, `keys simulate`); off refuses the header",
  },
  // --- Credits (spec 12.3) ---
  priceWav: {
    env: "HOOKLINE_PRICE_WAV",
    flag: "price-wav",
    kind: "int",
    defaultText: "1",
    help: "credits a WAV conversion costs a key that has a balance (keys without one are unlimited)",
  },
  priceCover: {
    env: "HOOKLINE_PRICE_COVER",
    flag: "price-cover",
    kind: "int",
    defaultText: "1",
    help: "credits a cover job costs a key that has a balance",
  },
  priceVoice: {
    env: "HOOKLINE_PRICE_VOICE",
    flag: "price-voice",
    kind: "int",
    defaultText: "1",
    help: "credits a voice generate (the step that creates a voice) costs a key that has a balance",
  },
  // --- Cover art (spec 5) ---
  coverSize: {
    env: "HOOKLINE_COVER_SIZE",
    flag: "cover-size",
    kind: "int",
    defaultText: "1024",
    help: "width and height of cover images in px (64–4096)",
  },
  coverProviderUrl: {
    env: "HOOKLINE_COVER_PROVIDER_URL",
    flag: "cover-provider-url",
    kind: "string",
    defaultText: "(none: covers are rendered locally)",
    help: "base URL of an image service speaking POST /v1/images/generations; covers then come from it",
  },
  coverProviderKey: {
    env: "HOOKLINE_COVER_PROVIDER_KEY",
    flag: "cover-provider-key",
    kind: "string",
    defaultText: "(none)",
    help: "Bearer key for the image service",
  },
  coverProviderModel: {
    env: "HOOKLINE_COVER_PROVIDER_MODEL",
    flag: "cover-provider-model",
    kind: "string",
    defaultText: "gpt-image-1",
    help: "model name sent to the image service",
  },
  coverProviderTimeout: {
    env: "HOOKLINE_COVER_PROVIDER_TIMEOUT",
    flag: "cover-provider-timeout",
    kind: "number",
    defaultText: "120",
    help: "seconds the image service has per image (then the cover fails with 408)",
  },
  // --- Custom voice (spec 6) ---
  voiceThreshold: {
    env: "HOOKLINE_VOICE_THRESHOLD",
    flag: "voice-threshold",
    kind: "number",
    defaultText: "the calibrated one (docs/voice-verification.md)",
    help: "same-voice threshold of voice generate, cosine similarity 0–1: higher refuses more impostors and more real owners",
  },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;
