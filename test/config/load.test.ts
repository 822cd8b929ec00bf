/**
 * Configuration (spec 13): the defaults, environment overrides, flags over the environment, and a ConfigError
 * naming the variable for every bad value.
 */
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, OPTIONS, optionsHelp } from "../../src/config/index.js";

const DAY = 86_400_000;
const MB = 1024 * 1024;

describe("loadConfig", () => {
  it("has the defaults of spec 13", () => {
    const c = loadConfig({});
    expect(c.host).toBe("127.0.0.1");
    expect(c.port).toBe(3000);
    expect(c.dataDir).toBe(resolve("./hookline-data"));
    expect(c.database).toEqual({ kind: "sqlite", path: resolve("./hookline-data/hookline.db") });
    expect(c.publicUrl).toBe("http://localhost:3000");
    expect(c.delivery.retryScheduleMs).toEqual([60_000, 300_000, 900_000]);
    expect(c.delivery.timeoutMs).toBe(15_000);
    expect(c.delivery.rotationGraceMs).toBe(24 * 3_600_000);
    expect(c.runner.leaseMs).toBe(30_000);
    expect(c.runner.concurrency).toBe(availableParallelism());
    expect(c.limits).toMatchObject({ uploadBytes: 100 * MB, base64Bytes: 10 * MB, maxSourceSeconds: 3600 });
    expect(c.retention).toEqual({
      wavMs: 15 * DAY,
      coverMs: 14 * DAY,
      uploadMs: 3 * DAY,
      downloadUrlMs: 1_200_000,
    });
    expect(c.codeDialect).toBe("sunoapi");
    expect(c.httpStatusMirrorsCode).toBe(false);
    expect(c.wavBitDepth).toBe(16);
    expect(c.dev).toBe(false);
    expect(c.outbound).toEqual({ allowHosts: [], allowPrivate: false });
    expect(c.trustProxy).toBe(false);
    expect(c.ffmpeg).toEqual({});
  });

  it("takes overrides from the environment", () => {
    const c = loadConfig({
      HOOKLINE_HOST: "0.0.0.0",
      HOOKLINE_PORT: "4100",
      HOOKLINE_DATA_DIR: "/srv/hl",
      HOOKLINE_DATABASE_URL: "postgres://u@db:5432/hl",
      HOOKLINE_RETRY_SCHEDULE: "1, 2.5,10",
      HOOKLINE_ALLOW_HOSTS: "receiver.lan, 10.1.0.0/16",
      HOOKLINE_DEV: "true",
      HOOKLINE_LEASE_SECONDS: "5",
      HOOKLINE_CODE_DIALECT: "kie",
      HOOKLINE_WAV_BIT_DEPTH: "24",
      HOOKLINE_MAX_UPLOAD_MB: "0.5",
      HOOKLINE_MAX_BASE64_MB: "2",
      HOOKLINE_MAX_SOURCE_MINUTES: "10",
      HOOKLINE_RETENTION_WAV_DAYS: "1",
      HOOKLINE_RETENTION_UPLOAD_DAYS: "0.5",
      HOOKLINE_TRUST_PROXY: "on",
      HOOKLINE_FFMPEG: "/opt/ff/ffmpeg",
    });
    expect(c).toMatchObject({
      host: "0.0.0.0",
      port: 4100,
      dataDir: "/srv/hl",
      publicUrl: "http://localhost:4100",
    });
    expect(c.database).toEqual({ kind: "postgres", url: "postgres://u@db:5432/hl" });
    expect(c.delivery.retryScheduleMs).toEqual([1000, 2500, 10_000]);
    expect(c.outbound).toEqual({ allowHosts: ["receiver.lan", "10.1.0.0/16"], allowPrivate: true });
    expect(c.dev).toBe(true);
    expect(c.runner.leaseMs).toBe(5000);
    expect(c.codeDialect).toBe("kie");
    expect(c.wavBitDepth).toBe(24);
    expect(c.limits).toMatchObject({ uploadBytes: MB / 2, base64Bytes: 2 * MB, maxSourceSeconds: 600 });
    expect(c.retention).toMatchObject({ wavMs: DAY, uploadMs: DAY / 2 });
    expect(c.trustProxy).toBe(true);
    expect(c.ffmpeg).toEqual({ ffmpeg: "/opt/ff/ffmpeg" });
  });

  it("an empty variable means the default; an empty schedule means no retries", () => {
    expect(loadConfig({ HOOKLINE_PORT: "" }).port).toBe(3000);
    expect(loadConfig({ HOOKLINE_RETRY_SCHEDULE: " " }).delivery.retryScheduleMs).toEqual([]);
    expect(loadConfig({ HOOKLINE_DATABASE_URL: "sqlite:/tmp/x.db" }).database).toEqual({
      kind: "sqlite",
      path: "/tmp/x.db",
    });
  });

  it("flags win over the environment", () => {
    const c = loadConfig(
      {
        HOOKLINE_PORT: "4100",
        HOOKLINE_DEV: "0",
        HOOKLINE_CODE_DIALECT: "kie",
        HOOKLINE_PUBLIC_URL: "http://a",
      },
      { port: "4200", dev: true, "code-dialect": "sunoapi", "public-url": "https://hooks.example.com/" },
    );
    expect(c.port).toBe(4200);
    expect(c.dev).toBe(true);
    expect(c.codeDialect).toBe("sunoapi");
    expect(c.publicUrl).toBe("https://hooks.example.com");
  });

  it.each([
    ["HOOKLINE_PORT", "http"],
    ["HOOKLINE_PORT", "3.5"],
    ["HOOKLINE_PORT", "-1"],
    ["HOOKLINE_DEV", "maybe"],
    ["HOOKLINE_CODE_DIALECT", "suno"],
    ["HOOKLINE_WAV_BIT_DEPTH", "20"],
    ["HOOKLINE_WAV_BIT_DEPTH", "32"],
    ["HOOKLINE_PUBLIC_URL", "ftp://x"],
    ["HOOKLINE_DATABASE_URL", "mysql://x"],
    ["HOOKLINE_RETRY_SCHEDULE", "1,soon"],
    ["HOOKLINE_MAX_UPLOAD_MB", "lots"],
    ["HOOKLINE_LEASE_SECONDS", "0"],
    ["HOOKLINE_CONCURRENCY", "0"],
    ["HOOKLINE_CALLBACK_TIMEOUT", "NaN"],
    ["HOOKLINE_RETENTION_WAV_DAYS", "-3"],
  ])("%s=%s throws a ConfigError naming the variable", (name, value) => {
    let thrown: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toContain(name);
  });

  it("files stay on local disk unless a bucket is named; S3 keys go in pairs", () => {
    expect(loadConfig({}).s3).toBeNull();
    expect(loadConfig({ HOOKLINE_S3_ENDPOINT: "http://minio:9000" }).s3).toBeNull();
    expect(loadConfig({ HOOKLINE_S3_BUCKET: "media" }).s3).toEqual({
      bucket: "media",
      endpoint: null,
      region: "us-east-1",
      accessKeyId: null,
      secretAccessKey: null,
      forcePathStyle: false,
      prefix: "",
      presignedDownloads: false,
    });
    expect(
      loadConfig({
        HOOKLINE_S3_BUCKET: "media",
        HOOKLINE_S3_ENDPOINT: "http://minio:9000/",
        HOOKLINE_S3_REGION: "eu-west-3",
        HOOKLINE_S3_ACCESS_KEY_ID: "id",
        HOOKLINE_S3_SECRET_ACCESS_KEY: "secret",
        HOOKLINE_S3_FORCE_PATH_STYLE: "on",
        HOOKLINE_S3_PREFIX: "hookline/",
        HOOKLINE_S3_PRESIGNED_DOWNLOADS: "yes",
      }).s3,
    ).toEqual({
      bucket: "media",
      endpoint: "http://minio:9000",
      region: "eu-west-3",
      accessKeyId: "id",
      secretAccessKey: "secret",
      forcePathStyle: true,
      prefix: "hookline/",
      presignedDownloads: true,
    });
    expect(() => loadConfig({ HOOKLINE_S3_BUCKET: "media", HOOKLINE_S3_ACCESS_KEY_ID: "id" })).toThrow(
      /HOOKLINE_S3_ACCESS_KEY_ID and HOOKLINE_S3_SECRET_ACCESS_KEY go together/,
    );
    expect(() => loadConfig({ HOOKLINE_S3_BUCKET: "media", HOOKLINE_S3_ENDPOINT: "minio:9000" })).toThrow(
      /HOOKLINE_S3_ENDPOINT/,
    );
  });

  it("a bad flag names the variable too", () => {
    expect(() => loadConfig({}, { port: "x" })).toThrow(/HOOKLINE_PORT/);
  });

  it("the help lists every option with its variable and flag", () => {
    const help = optionsHelp();
    for (const spec of Object.values(OPTIONS)) {
      expect(help).toContain(spec.env);
      expect(help).toContain(`--${spec.flag}`);
    }
  });
});
