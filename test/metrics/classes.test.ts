/**
 * The small classifications the metrics rest on: an attempt's class, a refusal's reason from the guard's own
 * errors, a message id's time, and which store failures count.
 */
import { describe, expect, it } from "vitest";
import { HooklineError } from "../../src/lib/errors.js";
import { messageTime, newMessageId } from "../../src/lib/ids.js";
import { attemptClass, watchFailures } from "../../src/metrics/index.js";
import { createOutbound, refusalOf } from "../../src/net/index.js";

describe("attemptClass", () => {
  it.each([
    [200, null, "2xx"],
    [204, null, "2xx"],
    [302, null, "3xx"],
    [410, null, "4xx"],
    [503, null, "5xx"],
    [null, "timeout", "timeout"],
    [null, "refused_target", "refused"],
    [null, "connect", "network"],
    [null, "dns", "network"],
    [null, "reset", "network"],
  ] as const)("status %s, error %s → %s", (status, errorClass, expected) => {
    expect(attemptClass({ status, errorClass })).toBe(expected);
  });
});

describe("refusalOf, on the guard's real refusals", () => {
  const outbound = createOutbound({ allowHosts: [], allowPrivate: false });
  const reasonOf = async (url: string) => {
    const error = await outbound.vet(url).then(
      () => null,
      (e: unknown) => e,
    );
    if (!(error instanceof HooklineError)) throw new Error(`${url} was not refused`);
    return refusalOf(error.code, error.message);
  };

  it("names private, loopback and metadata addresses, other schemes", async () => {
    expect(await reasonOf("http://10.1.2.3/x")).toBe("address");
    expect(await reasonOf("http://127.0.0.1:9/x")).toBe("address");
    expect(await reasonOf("http://169.254.169.254/latest")).toBe("address");
    expect(await reasonOf("http://[::1]/x")).toBe("address");
    expect(await reasonOf("ftp://example.com/x")).toBe("scheme");
    await outbound.close();
  });

  it("names the download refusals and leaves other failures alone", () => {
    expect(refusalOf("payload_too_large", "the source is larger than 10 bytes")).toBe("too_large");
    expect(refusalOf("source_unavailable", "more than 5 redirects")).toBe("redirects");
    expect(
      refusalOf("source_unavailable", "the source answered Content-Encoding: gzip (identity was asked for)"),
    ).toBe("encoding");
    expect(refusalOf("source_unavailable", "the source answered HTTP 404 (example.com)")).toBeNull();
    expect(refusalOf("timeout", "no answer within 15000 ms")).toBeNull();
    expect(
      refusalOf("target_refused", "target refused: nowhere.invalid could not be resolved (ENOTFOUND)"),
    ).toBe("unresolved");
  });
});

describe("messageTime", () => {
  it("reads back the time a message id was made at", () => {
    for (const t of [0, 1_700_000_000_123, Date.now()]) expect(messageTime(newMessageId(t))).toBe(t);
    expect(messageTime("hk_abc")).toBeNull();
    expect(messageTime("msg_!!!!!!!!!!aaaaaaaaaaaaaaaa")).toBeNull();
  });
});

describe("watchFailures", () => {
  class Store {
    readonly root = "/blobs";
    #opened = 0;
    get opened(): number {
      return this.#opened;
    }
    async delete(key: string): Promise<void> {
      this.#opened++;
      if (key === "bad") throw Object.assign(new Error("EIO: i/o error"), { code: "EIO" });
    }
    async write(size: number): Promise<number> {
      if (size > 10) throw new HooklineError("payload_too_large", "too large");
      return size;
    }
    pathOf(key: string): string {
      if (key === "") throw new Error("no key");
      return `${this.root}/${key}`;
    }
  }

  it("counts the store's own failures by method, not a caller's oversize write, and passes values through", async () => {
    const failed: string[] = [];
    const store = watchFailures(new Store(), (op) => failed.push(op));
    expect(store.root).toBe("/blobs");
    expect(store.pathOf("k")).toBe("/blobs/k");
    expect(await store.write(3)).toBe(3);
    await store.delete("good");
    expect(failed).toEqual([]);
    await expect(store.delete("bad")).rejects.toThrow("EIO");
    await expect(store.write(11)).rejects.toThrow("too large");
    expect(() => store.pathOf("")).toThrow("no key");
    expect(failed).toEqual(["delete", "pathOf"]);
    // Private fields work through the proxy (S3 clients and class-based stores use them).
    expect(store.opened).toBe(2);
  });
});
