import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { HooklineError } from "../../src/lib/errors.js";
import { createOutbound } from "../../src/net/index.js";
import { tableLookup } from "../helpers/receiver.js";

let dir: string;
let server: Server;
let port: number;
const sniSeen: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hookline-tls-"));
  const key = join(dir, "key.pem");
  const cert = join(dir, "cert.pem");
  // A self-signed certificate: the client must refuse it, after sending the host name as SNI.
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "1",
      "-subj",
      "/CN=secure.test",
      "-addext",
      "subjectAltName=DNS:secure.test",
    ],
    { stdio: "ignore" },
  );
  server = createServer(
    {
      key: await readFile(key),
      cert: await readFile(cert),
      SNICallback: (name, cb) => {
        sniSeen.push(name);
        cb(null, undefined);
      },
    },
    (_req, res) => res.end("ok"),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

it("connects to the vetted address but sends the host name as SNI, and classifies a bad certificate as tls", async () => {
  const lookup = tableLookup({ "secure.test": "127.0.0.1" });
  const out = createOutbound({ allowHosts: ["127.0.0.1"], allowPrivate: false }, { lookup });
  try {
    const r = await out.post(`https://secure.test:${port}/hook`, "{}", {}, { timeoutMs: 3000 });
    expect(r).toMatchObject({ status: null, errorClass: "tls" });
    expect(sniSeen).toEqual(["secure.test"]);
    expect(lookup.calls).toEqual(["secure.test"]);
  } finally {
    await out.close();
  }
});

it("downloads (node:https) also send the host name as SNI and refuse a certificate that does not verify", async () => {
  sniSeen.length = 0;
  const lookup = tableLookup({ "secure.test": "127.0.0.1" });
  const out = createOutbound({ allowHosts: ["127.0.0.1"], allowPrivate: false }, { lookup });
  try {
    const err = await out
      .download(`https://secure.test:${port}/a.mp3`, join(dir, "never"), { maxBytes: 1000, timeoutMs: 3000 })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(HooklineError);
    expect(err).toMatchObject({ code: "source_unavailable" });
    expect((err as HooklineError).message).toMatch(/\(tls\)/);
    expect(sniSeen).toEqual(["secure.test"]);
    expect(lookup.calls).toEqual(["secure.test"]);
  } finally {
    await out.close();
  }
});
