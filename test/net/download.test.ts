import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HooklineError } from "../../src/lib/errors.js";
import { createOutbound, type Outbound } from "../../src/net/index.js";
import { type Receiver, startReceiver, tableLookup } from "../helpers/receiver.js";

const AUDIO = randomBytes(300_000);
let receiver: Receiver;
let dir: string;
let out: Outbound | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hookline-net-"));
  receiver = await startReceiver((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const hop = /^\/r\/(\d+)$/.exec(url.pathname);
    if (hop) {
      const n = Number(hop[1]);
      res.writeHead(302, { location: n === 1 ? "/song.mp3" : `/r/${n - 1}` }).end();
    } else if (url.pathname === "/song.mp3") {
      res.writeHead(200, { "content-type": "audio/mpeg" });
      // Several writes, so the body really arrives as a stream.
      for (let i = 0; i < AUDIO.length; i += 64_000) res.write(AUDIO.subarray(i, i + 64_000));
      res.end();
    } else if (url.pathname === "/named") {
      res
        .writeHead(200, { "content-disposition": "attachment; filename*=UTF-8''Caf%C3%A9%20mix.wav" })
        .end("x");
    } else if (url.pathname === "/declared-big") {
      res.writeHead(200, { "content-length": "5000" }).end(Buffer.alloc(5000));
    } else if (url.pathname === "/streamed-big") {
      res.writeHead(200); // chunked: no Content-Length to check up front
      for (let i = 0; i < 10; i++) res.write(Buffer.alloc(1000));
      res.end();
    } else if (url.pathname === "/to-private") {
      res.writeHead(302, { location: `http://127.0.0.2:${receiver.port}/song.mp3` }).end();
    } else if (url.pathname === "/to-name") {
      res.writeHead(301, { location: `http://sneaky.test:${receiver.port}/song.mp3` }).end();
    } else if (url.pathname === "/to-ftp") {
      res.writeHead(302, { location: "ftp://files.test/song.mp3" }).end();
    } else if (url.pathname === "/hang") {
      res.writeHead(200);
      res.write("partial"); // then nothing more
    } else {
      res.writeHead(404).end("no such file");
    }
  });
});
afterEach(async () => {
  await out?.close();
  out = undefined;
});
afterAll(async () => {
  await receiver.close();
  await rm(dir, { recursive: true, force: true });
});

function open(extra: Parameters<typeof createOutbound>[1] = {}, allowHosts = ["127.0.0.1"]): Outbound {
  out = createOutbound({ allowHosts, allowPrivate: false }, extra);
  return out;
}

async function failure(p: Promise<unknown>): Promise<HooklineError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof HooklineError) return err;
    throw err;
  }
  throw new Error("expected a failure");
}

const opts = { maxBytes: 1_000_000, timeoutMs: 5000 };

describe("download", () => {
  it("streams the file to disk with its metadata", async () => {
    const dest = join(dir, "song.mp3");
    const r = await open().download(`${receiver.origin}/song.mp3`, dest, opts);
    expect(r).toEqual({
      bytes: AUDIO.length,
      contentType: "audio/mpeg",
      finalUrl: `${receiver.origin}/song.mp3`,
      fileNameHint: "song.mp3",
    });
    expect((await readFile(dest)).equals(AUDIO)).toBe(true);
  });

  it("takes the file name from Content-Disposition", async () => {
    const r = await open().download(`${receiver.origin}/named`, join(dir, "named"), opts);
    expect(r.fileNameHint).toBe("Café mix.wav");
  });

  it("follows five redirects, each on the same kept-alive socket", async () => {
    const before = receiver.connections;
    const r = await open().download(`${receiver.origin}/r/5`, join(dir, "five.mp3"), opts);
    expect(r.finalUrl).toBe(`${receiver.origin}/song.mp3`);
    expect(r.bytes).toBe(AUDIO.length);
    expect(receiver.connections - before).toBe(1);
  });

  it("resolves a name once per connection: redirects on the kept-alive socket ask no second answer", async () => {
    let answers = 0;
    // The first answer is opened by IP; any later one is not, so a second lookup would fail the download.
    const lookup = tableLookup({ "rebind.test": () => (answers++ === 0 ? "127.0.0.1" : "127.0.0.2") });
    const r = await open({ lookup }).download(
      `http://rebind.test:${receiver.port}/r/3`,
      join(dir, "rb"),
      opts,
    );
    expect(r.bytes).toBe(AUDIO.length);
    expect(lookup.calls).toEqual(["rebind.test"]);
  });

  it("refuses a sixth redirect", async () => {
    const err = await failure(open().download(`${receiver.origin}/r/6`, join(dir, "six.mp3"), opts));
    expect(err.code).toBe("source_unavailable");
    expect(err.message).toMatch(/redirects/);
    expect(existsSync(join(dir, "six.mp3"))).toBe(false);
  });

  describe("redirects are vetted again", () => {
    // Only the first server is opened, by name; everything it redirects to is judged on its own.
    const lookup = tableLookup({ "files.test": "127.0.0.1", "sneaky.test": "127.0.0.1" });

    it("to a private IP literal", async () => {
      const o = open({ lookup }, ["files.test"]);
      const err = await failure(
        o.download(`http://files.test:${receiver.port}/to-private`, join(dir, "p"), opts),
      );
      expect(err.code).toBe("target_refused");
      expect(err.message).toContain("127.0.0.2");
    });

    it("to a name that resolves privately, without connecting to it", async () => {
      const o = open({ lookup }, ["files.test"]);
      const before = receiver.connections;
      const err = await failure(
        o.download(`http://files.test:${receiver.port}/to-name`, join(dir, "n"), opts),
      );
      expect(err.code).toBe("target_refused");
      expect(err.message).toContain("sneaky.test");
      expect(receiver.connections - before).toBe(1); // the first server only
    });

    it("to another scheme", async () => {
      const o = open({ lookup }, ["files.test"]);
      const err = await failure(
        o.download(`http://files.test:${receiver.port}/to-ftp`, join(dir, "f"), opts),
      );
      expect(err.code).toBe("target_refused");
    });
  });

  it("refuses a declared Content-Length over maxBytes before reading", async () => {
    const dest = join(dir, "declared");
    const err = await failure(
      open().download(`${receiver.origin}/declared-big`, dest, { ...opts, maxBytes: 1000 }),
    );
    expect(err.code).toBe("payload_too_large");
    expect(existsSync(dest)).toBe(false);
  });

  it("aborts a stream that grows over maxBytes and removes the partial file", async () => {
    const dest = join(dir, "streamed");
    const err = await failure(
      open().download(`${receiver.origin}/streamed-big`, dest, { ...opts, maxBytes: 2500 }),
    );
    expect(err.code).toBe("payload_too_large");
    expect(existsSync(dest)).toBe(false);
  });

  it("reports a 404 as source_unavailable with the status", async () => {
    const err = await failure(open().download(`${receiver.origin}/missing.mp3`, join(dir, "404"), opts));
    expect(err.code).toBe("source_unavailable");
    expect(err.message).toContain("404");
  });

  it("times out a stalled body and removes the partial file", async () => {
    const dest = join(dir, "hang");
    const err = await failure(open().download(`${receiver.origin}/hang`, dest, { ...opts, timeoutMs: 300 }));
    expect(err.code).toBe("source_unavailable");
    expect(err.message).toMatch(/300 ms/);
    expect(existsSync(dest)).toBe(false);
  });

  it("reports a resolver failure as source_unavailable", async () => {
    const err = await failure(
      open({ lookup: tableLookup({}) }).download("http://gone.test/a.mp3", join(dir, "d"), opts),
    );
    expect(err.code).toBe("source_unavailable");
    expect(err.message).toContain("dns");
  });
});
