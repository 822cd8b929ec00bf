import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HooklineError } from "../../src/lib/errors.js";
import { createOutbound, type Outbound } from "../../src/net/index.js";
import { type Receiver, startReceiver, tableLookup } from "../helpers/receiver.js";

let receiver: Receiver;
const clients: Outbound[] = [];
function client(...args: Parameters<typeof createOutbound>): Outbound {
  const c = createOutbound(...args);
  clients.push(c);
  return c;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "no error";
  } catch (err) {
    return err instanceof HooklineError ? err.code : String(err);
  }
}

beforeAll(async () => {
  receiver = await startReceiver((_req, res) => res.end("ok"));
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await receiver.close();
});

describe("refusals (nothing is sent)", () => {
  const lookup = tableLookup({
    "lan.test": "192.168.1.1",
    "loop.test": "127.0.0.1",
    "meta.test": "169.254.169.254",
  });
  const refused = (port: number): string[] => [
    `http://127.0.0.1:${port}/hook`,
    `http://10.0.0.1/hook`,
    `http://169.254.169.254/latest/meta-data/`,
    `http://[::1]:${port}/hook`,
    `http://[::ffff:127.0.0.1]:${port}/hook`,
    `http://[fd00:ec2::254]/`,
    `http://100.64.0.1/hook`,
    `http://0x7f000001:${port}/hook`,
    `http://lan.test/hook`,
    `http://loop.test:${port}/hook`,
    `http://user:secret@meta.test/`,
  ];

  it("vet, post and download all refuse private, loopback, link-local and CGNAT targets", async () => {
    const out = client({ allowHosts: [], allowPrivate: false }, { lookup });
    for (const url of refused(receiver.port)) {
      expect(await codeOf(out.vet(url)), url).toBe("target_refused");
      const r = await out.post(url, "{}", {}, { timeoutMs: 2000 });
      expect(r.errorClass, url).toBe("refused_target");
      expect(r.status).toBeNull();
      expect(r.errorMessage).not.toContain("secret");
      expect(
        await codeOf(out.download(url, "/nonexistent/never-written", { maxBytes: 10, timeoutMs: 2000 })),
      ).toBe("target_refused");
    }
    expect(receiver.connections).toBe(0);
  });

  it("refuses other schemes and reports unparsable URLs as bad requests", async () => {
    const out = client({ allowHosts: ["127.0.0.1"], allowPrivate: true });
    expect(await codeOf(out.vet("ftp://127.0.0.1/file"))).toBe("target_refused");
    expect(await codeOf(out.vet("file:///etc/passwd"))).toBe("target_refused");
    expect(await codeOf(out.vet("not a url"))).toBe("bad_request");
    expect((await out.post("ftp://127.0.0.1/", "", {}, { timeoutMs: 500 })).errorClass).toBe(
      "refused_target",
    );
    expect((await out.post("::garbage", "", {}, { timeoutMs: 500 })).errorClass).toBe("refused_target");
  });

  it("vet refuses a name that does not resolve", async () => {
    const out = client({ allowHosts: [], allowPrivate: false }, { lookup: tableLookup({}) });
    await expect(out.vet("https://nowhere.test/")).rejects.toThrow(/could not be resolved \(ENOTFOUND\)/);
  });
});

describe("opening by configuration", () => {
  it("allowPrivate opens 127.0.0.1 but not the metadata address", async () => {
    const out = client({ allowHosts: [], allowPrivate: true });
    await out.vet(`${receiver.origin}/`);
    expect((await out.post(`${receiver.origin}/`, "{}", {}, { timeoutMs: 2000 })).status).toBe(200);
    const meta = await out.post("http://169.254.169.254/", "{}", {}, { timeoutMs: 2000 });
    expect(meta.errorClass).toBe("refused_target");
    expect(meta.errorMessage).toMatch(/link-local|metadata/);
  });

  it.each([["127.0.0.1"], ["127.0.0.0/8"], ["localhost"]])(
    "allowHosts [%s] opens a local receiver",
    async (entry) => {
      const out = client({ allowHosts: [entry], allowPrivate: false });
      const host = entry === "localhost" ? "localhost" : "127.0.0.1";
      const url = `http://${host}:${receiver.port}/hook`;
      await out.vet(url);
      const r = await out.post(url, "{}", {}, { timeoutMs: 2000 });
      expect(r.errorMessage).toBeNull();
      expect(r.status).toBe(200);
    },
  );

  it("a host-name entry opens that name only, not other names resolving to the same address", async () => {
    const lookup = tableLookup({ "good.test": "127.0.0.1", "other.test": "127.0.0.1" });
    const out = client({ allowHosts: ["GOOD.test"], allowPrivate: false }, { lookup });
    expect((await out.post(`http://good.test:${receiver.port}/`, "", {}, { timeoutMs: 2000 })).status).toBe(
      200,
    );
    const other = await out.post(`http://other.test:${receiver.port}/`, "", {}, { timeoutMs: 2000 });
    expect(other.errorClass).toBe("refused_target");
  });
});

describe("DNS rebinding", () => {
  it("resolves once per connection and connects to the address it vetted", async () => {
    let answers = 0;
    // First answer allowed (127.0.0.1 is opened by IP), every later one not: a second lookup would fail.
    const lookup = tableLookup({ "rebind.test": () => (answers++ === 0 ? "127.0.0.1" : "127.0.0.2") });
    const out = client({ allowHosts: ["127.0.0.1"], allowPrivate: false }, { lookup });
    const before = receiver.requests.length;
    for (let i = 0; i < 3; i++) {
      const r = await out.post(`http://rebind.test:${receiver.port}/r`, "{}", {}, { timeoutMs: 2000 });
      expect(r, String(i)).toMatchObject({ status: 200 });
    }
    expect(lookup.calls).toEqual(["rebind.test"]);
    expect(receiver.requests.length - before).toBe(3);
    expect(receiver.requests.at(-1)?.headers.host).toBe(`rebind.test:${receiver.port}`);
  });

  it("a vet that passed does not open a later connection: that one is vetted on its own answer", async () => {
    let answers = 0;
    const lookup = tableLookup({ "flip.test": () => (answers++ === 0 ? "127.0.0.1" : "10.0.0.1") });
    const out = client({ allowHosts: ["127.0.0.1"], allowPrivate: false }, { lookup });
    const url = `http://flip.test:${receiver.port}/`;
    await out.vet(url);
    const r = await out.post(url, "{}", {}, { timeoutMs: 2000 });
    expect(r.errorClass).toBe("refused_target");
    expect(r.errorMessage).toContain("10.0.0.1");
    expect(lookup.calls).toEqual(["flip.test", "flip.test"]);
  });
});
