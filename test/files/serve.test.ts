import Fastify, { type FastifyInstance, type LightMyRequestResponse } from "fastify";
import { request } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type BlobStore,
  createUrlSigner,
  type FileMeta,
  registerFileRoutes,
  type UrlSigner,
} from "../../src/files/index.js";
import { ManualClock } from "../../src/lib/clock.js";
import {
  type BlobStoreKind,
  blobStoreKinds,
  freshBlobStore,
  type TestBlobStore,
} from "../helpers/blob-stores.js";

const T0 = Date.parse("2026-01-01T00:00:00Z");
const PUBLIC = "http://127.0.0.1:3000";
const DAY = 86_400_000;

let t: TestBlobStore;
let store: BlobStore;
let signer: UrlSigner;
let clock: ManualClock;
let app: FastifyInstance;
let files: Map<string, FileMeta>;
const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7 + 3) & 0xff));

async function addFile(id: string, content: Buffer, over: Partial<FileMeta> = {}): Promise<FileMeta> {
  async function* one(): AsyncIterable<Uint8Array> {
    yield content;
  }
  const { key, size } = await store.writeStream(one(), { maxBytes: 1 << 24 });
  const meta: FileMeta = {
    id,
    storageKey: key,
    fileName: "track.wav",
    mimeType: "audio/wav",
    size,
    expiresAtMs: T0 + 15 * DAY,
    deletedAtMs: null,
    expired: false,
    ...over,
  };
  files.set(id, meta);
  return meta;
}

/** The path and query of a signed URL, for inject. */
function pathOf(url: string): string {
  const u = new URL(url);
  return u.pathname + u.search;
}

function signed(id: string, ttlMs = 20 * 60_000, name = "track.wav"): string {
  return pathOf(signer.sign(id, name, clock.now() + ttlMs));
}

function expectTextError(res: LightMyRequestResponse, status: number): void {
  expect(res.statusCode).toBe(status);
  expect(res.headers["content-type"]).toBe("text/plain; charset=utf-8");
  expect(() => JSON.parse(res.body)).toThrow(); // never a JSON body
  expect(res.body.length).toBeLessThan(100);
}

async function setUp(kind: BlobStoreKind, env: Record<string, string> = {}): Promise<void> {
  t = await freshBlobStore(kind, env);
  store = t.store;
  signer = createUrlSigner(new Uint8Array(32).fill(9), PUBLIC);
  clock = new ManualClock(T0);
  files = new Map();
  app = Fastify();
  registerFileRoutes(app, { lookup: async (id) => files.get(id) ?? null, store, signer, clock });
  await app.ready();
}
async function tearDown(): Promise<void> {
  await app.close();
  await t.close();
}

describe.each(blobStoreKinds())("the file route on %s", (kind) => {
  beforeEach(() => setUp(kind));
  afterEach(tearDown);

  describe("GET /files/:fileId/:fileName", () => {
    it("answers 200 with the exact bytes and the download headers", async () => {
      await addFile("file_a", data);
      const res = await app.inject({ method: "GET", url: signed("file_a") });
      expect(res.statusCode).toBe(200);
      expect(res.rawPayload).toEqual(data);
      expect(res.headers["content-type"]).toBe("audio/wav");
      expect(res.headers["content-length"]).toBe("1000");
      expect(res.headers["content-disposition"]).toBe(
        `attachment; filename="track.wav"; filename*=UTF-8''track.wav`,
      );
      expect(res.headers["accept-ranges"]).toBe("bytes");
      expect(res.headers.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
      expect(res.headers["cache-control"]).toBe("private");
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
    });

    it("answers HEAD with the same headers and no body", async () => {
      await addFile("file_a", data);
      const url = signed("file_a");
      const get = await app.inject({ method: "GET", url });
      const head = await app.inject({ method: "HEAD", url });
      expect(head.statusCode).toBe(200);
      expect(head.rawPayload.length).toBe(0);
      for (const h of ["content-type", "content-length", "content-disposition", "accept-ranges", "etag"]) {
        expect(head.headers[h]).toBe(get.headers[h]);
      }
      expect(head.headers["content-length"]).toBe("1000");
    });

    it.each([
      ["bytes=0-99", 0, 99],
      ["bytes=100-199", 100, 199],
      ["bytes=-100", 900, 999],
      ["bytes=950-", 950, 999],
      ["bytes=990-5000", 990, 999],
    ])("answers %s with 206 and Content-Range", async (range, start, end) => {
      await addFile("file_a", data);
      const res = await app.inject({ method: "GET", url: signed("file_a"), headers: { range } });
      expect(res.statusCode).toBe(206);
      expect(res.headers["content-range"]).toBe(`bytes ${start}-${end}/1000`);
      expect(res.headers["content-length"]).toBe(String(end - start + 1));
      expect(res.rawPayload).toEqual(data.subarray(start, end + 1));
    });

    it("answers an unsatisfiable range with 416 and bytes */size", async () => {
      await addFile("file_a", data);
      const res = await app.inject({
        method: "GET",
        url: signed("file_a"),
        headers: { range: "bytes=1000-" },
      });
      expectTextError(res, 416);
      expect(res.headers["content-range"]).toBe("bytes */1000");
    });

    it("answers a multi-range or malformed range with the whole file", async () => {
      await addFile("file_a", data);
      for (const range of ["bytes=0-1,5-6", "bytes=9-5", "pages=1-2"]) {
        const res = await app.inject({ method: "GET", url: signed("file_a"), headers: { range } });
        expect(res.statusCode).toBe(200);
        expect(res.rawPayload).toEqual(data);
      }
    });

    it("honours If-Range: a stale validator gets the whole file", async () => {
      await addFile("file_a", data);
      const url = signed("file_a");
      const { etag } = (await app.inject({ method: "HEAD", url })).headers;
      const fresh = await app.inject({ url, headers: { range: "bytes=0-9", "if-range": String(etag) } });
      expect(fresh.statusCode).toBe(206);
      const stale = await app.inject({ url, headers: { range: "bytes=0-9", "if-range": '"other"' } });
      expect(stale.statusCode).toBe(200);
      expect(stale.rawPayload).toEqual(data);
    });

    it("answers 304 to a matching If-None-Match", async () => {
      await addFile("file_a", data);
      const url = signed("file_a");
      const { etag } = (await app.inject({ method: "HEAD", url })).headers;
      const res = await app.inject({ url, headers: { "if-none-match": `W/${etag}, "x"` } });
      expect(res.statusCode).toBe(304);
      expect(res.rawPayload.length).toBe(0);
    });

    it("serves an empty file", async () => {
      await addFile("file_e", Buffer.alloc(0));
      const res = await app.inject({ url: signed("file_e") });
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-length"]).toBe("0");
      expect(res.rawPayload.length).toBe(0);
    });

    it("answers 403 to a bad, missing or moved signature", async () => {
      await addFile("file_a", data);
      await addFile("file_b", data);
      const good = new URL(signed("file_a"), PUBLIC);

      const noSig = new URL(good);
      noSig.searchParams.delete("signature");
      expectTextError(await app.inject({ url: pathOf(noSig.toString()) }), 403);

      expectTextError(await app.inject({ url: "/files/file_a/track.wav" }), 403);

      const badSig = new URL(good);
      badSig.searchParams.set("signature", "A".repeat(43));
      expectTextError(await app.inject({ url: pathOf(badSig.toString()) }), 403);

      const longer = new URL(good);
      longer.searchParams.set("expires", String(Number(good.searchParams.get("expires")) + 3600));
      expectTextError(await app.inject({ url: pathOf(longer.toString()) }), 403);

      // Another file's id with this file's signature: never another file's bytes.
      const tampered = pathOf(good.toString()).replace("/files/file_a/", "/files/file_b/");
      expectTextError(await app.inject({ url: tampered }), 403);

      // Repeated parameters are not guessed at.
      expectTextError(await app.inject({ url: `${pathOf(good.toString())}&signature=x` }), 403);

      // An unknown id without a valid signature is a 403 too: existence is not revealed.
      expectTextError(await app.inject({ url: "/files/file_zzz/x?expires=1&signature=x" }), 403);
    });

    it("ignores the name in the URL and uses the stored one", async () => {
      await addFile("file_a", data, { fileName: "real.wav" });
      const url = signed("file_a").replace("/track.wav?", "/evil.html?");
      const res = await app.inject({ url });
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-disposition"]).toContain(`filename="real.wav"`);
    });

    it("serves a URL whose encoded name is very long", async () => {
      const name = `${"日本語の長い名前".repeat(30)}.wav`;
      await addFile("file_l", data, { fileName: name });
      const res = await app.inject({ url: signed("file_l", 60_000, name) });
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-disposition"]).toContain(encodeURIComponent(name));
    });

    it("answers 410 once the URL has expired", async () => {
      await addFile("file_a", data);
      const url = signed("file_a", 20 * 60_000);
      expect((await app.inject({ url })).statusCode).toBe(200);
      clock.advance(20 * 60_000);
      expectTextError(await app.inject({ url }), 410);
      expectTextError(await app.inject({ method: "HEAD", url }), 410);
    });

    it("answers 410 for a file that retention removed, even with a live URL", async () => {
      await addFile("file_r", data, { expired: true });
      expectTextError(await app.inject({ url: signed("file_r", DAY) }), 410);

      await addFile("file_t", data, { expiresAtMs: T0 + 60_000 });
      const url = signed("file_t", DAY);
      expect((await app.inject({ url })).statusCode).toBe(200);
      clock.advance(60_000); // the file's own expiry passed before retention swept it
      expectTextError(await app.inject({ url }), 410);
    });

    it("answers 404 for an unknown, deleted or missing file", async () => {
      expectTextError(await app.inject({ url: signed("file_nope") }), 404);
      await addFile("file_d", data, { deletedAtMs: T0 - 1 });
      expectTextError(await app.inject({ url: signed("file_d") }), 404);
      const gone = await addFile("file_g", data);
      await store.delete(gone.storageKey);
      expectTextError(await app.inject({ url: signed("file_g") }), 404);
    });

    it("answers 500 in plain text when the lookup fails", async () => {
      const broken = Fastify({ logger: false });
      registerFileRoutes(broken, {
        lookup: async () => {
          throw new Error("database down");
        },
        store,
        signer,
        clock,
      });
      try {
        expectTextError(await broken.inject({ url: signed("file_a") }), 500);
      } finally {
        await broken.close();
      }
    });

    it("sends a safe Content-Disposition for non-ASCII and quoted names", async () => {
      await addFile("file_u", data, { fileName: "Café «déjà vu» 日本.wav" });
      await addFile("file_q", data, { fileName: 'say "hi"\\.wav' });
      const u = await app.inject({ url: signed("file_u") });
      expect(u.headers["content-disposition"]).toBe(
        `attachment; filename="Caf_ _d_j_ vu_ __.wav"; filename*=UTF-8''${encodeURIComponent("Café «déjà vu» 日本.wav")}`,
      );
      const q = await app.inject({ url: signed("file_q") });
      expect(q.headers["content-disposition"]).toBe(
        `attachment; filename="say _hi__.wav"; filename*=UTF-8''say%20%22hi%22%5C.wav`,
      );
    });

    it("falls back to application/octet-stream for a malformed stored type", async () => {
      await addFile("file_m", data, { mimeType: "text/html\r\nX-Evil: 1" });
      const res = await app.inject({ url: signed("file_m") });
      expect(res.headers["content-type"]).toBe("application/octet-stream");
      expect(res.headers["x-evil"]).toBeUndefined();
    });
  });

  describe("over a real socket", () => {
    let server: FastifyInstance | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    it("keeps Content-Length on HEAD and streams ranges", async () => {
      server = Fastify();
      registerFileRoutes(server, { lookup: async (id) => files.get(id) ?? null, store, signer, clock });
      const origin = await server.listen({ host: "127.0.0.1", port: 0 });
      const big = Buffer.alloc(3 * 1024 * 1024, 0x5a);
      big.write("start", 0);
      big.write("end", big.length - 3);
      await addFile("file_big", big);
      const url = origin + signed("file_big");

      const head = await request(url, { method: "HEAD" });
      await head.body.dump();
      expect(head.statusCode).toBe(200);
      expect(head.headers["content-length"]).toBe(String(big.length));

      const full = await request(url);
      expect(Buffer.from(await full.body.arrayBuffer()).equals(big)).toBe(true);

      const tail = await request(url, { headers: { range: "bytes=-3" } });
      expect(tail.statusCode).toBe(206);
      expect(await tail.body.text()).toBe("end");
    });
  });
});

describe("the file route on S3 with presigned downloads", () => {
  beforeEach(() => setUp("s3", { HOOKLINE_S3_PRESIGNED_DOWNLOADS: "on" }));
  afterEach(tearDown);

  it("redirects a valid GET (307) to a presigned URL that serves the bytes with the stored name and type", async () => {
    await addFile("file_a", data, { fileName: "my «mix».wav" });
    const res = await app.inject({ url: signed("file_a", 20 * 60_000) });
    expect(res.statusCode).toBe(307);
    expect(res.headers["cache-control"]).toBe("no-store");
    const target = new URL(String(res.headers.location));
    expect(target.origin).toBe(t.s3?.endpoint);
    // No later than the Hookline link (20 min here).
    expect(Number(target.searchParams.get("X-Amz-Expires"))).toBe(20 * 60);
    const got = await request(target);
    expect(got.statusCode).toBe(200);
    expect(Buffer.from(await got.body.arrayBuffer())).toEqual(data);
    expect(got.headers["content-disposition"]).toBe(
      `attachment; filename="my _mix_.wav"; filename*=UTF-8''my%20%C2%ABmix%C2%BB.wav`,
    );
    expect(got.headers["content-type"]).toBe("audio/wav");
  });

  it("caps the presigned URL at an hour, and still checks Hookline's own signature and expiry first", async () => {
    await addFile("file_a", data);
    const long = await app.inject({ url: signed("file_a", 7 * DAY) });
    expect(long.statusCode).toBe(307);
    expect(new URL(String(long.headers.location)).searchParams.get("X-Amz-Expires")).toBe("3600");
    // Nor later than the file itself.
    await addFile("file_s", data, { expiresAtMs: T0 + 10 * 60_000 });
    const soon = await app.inject({ url: signed("file_s", 20 * 60_000) });
    expect(new URL(String(soon.headers.location)).searchParams.get("X-Amz-Expires")).toBe("600");
    expectTextError(await app.inject({ url: `${signed("file_a")}x` }), 403);
    const url = signed("file_a", 60_000);
    clock.advance(61_000);
    expectTextError(await app.inject({ url }), 410);
    files.set("file_a", { ...(files.get("file_a") as FileMeta), deletedAtMs: T0 });
    expectTextError(await app.inject({ url: signed("file_a") }), 404);
  });

  it("answers HEAD itself", async () => {
    await addFile("file_a", data);
    const head = await app.inject({ method: "HEAD", url: signed("file_a") });
    expect(head.statusCode).toBe(200);
    expect(head.headers["content-length"]).toBe("1000");
  });
});

describe("the file route when S3 is down", () => {
  beforeEach(() => setUp("s3"));
  afterEach(tearDown);

  it("answers 503 in plain text with Retry-After, at once rather than hanging", async () => {
    await addFile("file_a", data);
    await t.s3?.close();
    const res = await app.inject({ url: signed("file_a") });
    expectTextError(res, 503);
    expect(res.headers["retry-after"]).toBe("30");
    expectTextError(await app.inject({ method: "HEAD", url: signed("file_a") }), 503);
  });
});
