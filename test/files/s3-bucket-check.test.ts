/**
 * The S3 store looks at its bucket once at start: a bucket that does not exist is a mistake in the settings and
 * stops the start with a message naming it; a storage server that does not answer yet is a warning only (it may
 * start after Hookline; tasks wait for it).
 */
import { createServer } from "node:net";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/index.js";
import { createS3BlobStore } from "../../src/files/s3-store.js";
import { type TmpDir, tmpDir } from "../helpers/audio.js";
import { s3Settings, startS3, type TestS3 } from "../helpers/s3.js";

describe("the S3 bucket check at start", () => {
  let s3: TestS3;
  let dir: TmpDir;
  beforeAll(async () => {
    s3 = await startS3();
    dir = await tmpDir("s3-check");
  });
  afterAll(async () => {
    await s3?.close();
    await dir?.cleanup();
  });

  const capture = () => {
    const lines: { level: number; msg: string }[] = [];
    const log = pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line)) });
    return { log, lines };
  };

  it("opens on an existing bucket without a warning", async () => {
    const { log, lines } = capture();
    const store = await createS3BlobStore({ scratchRoot: dir.path, s3: s3Settings(s3), log });
    await store.close();
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);
  });

  it("refuses to open on a bucket that does not exist, naming it and the setting", async () => {
    const settings = { ...s3Settings(s3), bucket: "no-such-bucket-here" };
    const opening = createS3BlobStore({ scratchRoot: dir.path, s3: settings, log: capture().log });
    await expect(opening).rejects.toBeInstanceOf(ConfigError);
    await expect(opening).rejects.toThrow(/"no-such-bucket-here".*does not exist \(HOOKLINE_S3_BUCKET\)/);
  });

  it("opens with a warning when the storage server does not answer yet", async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const address = probe.address();
    const port = typeof address === "object" && address ? address.port : 0;
    await new Promise((r) => probe.close(r));

    const { log, lines } = capture();
    const settings = { ...s3Settings(s3), endpoint: `http://127.0.0.1:${port}` };
    const store = await createS3BlobStore({ scratchRoot: dir.path, s3: settings, log, timeoutMs: 5_000 });
    await store.close();
    expect(lines.filter((l) => l.level === 40).map((l) => l.msg)).toEqual([
      expect.stringMatching(/did not answer at start; files wait for it/),
    ]);
  });
});
