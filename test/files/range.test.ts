import { describe, expect, it } from "vitest";
import { contentDisposition } from "../../src/files/index.js";
import { parseRange } from "../../src/files/range.js";

describe("parseRange", () => {
  const cases: [string | undefined, number, ReturnType<typeof parseRange>][] = [
    [undefined, 100, { kind: "full" }],
    ["bytes=0-9", 100, { kind: "partial", start: 0, end: 9 }],
    ["bytes=10-19", 100, { kind: "partial", start: 10, end: 19 }],
    ["bytes=90-", 100, { kind: "partial", start: 90, end: 99 }],
    ["bytes=-10", 100, { kind: "partial", start: 90, end: 99 }],
    ["bytes=-1000", 100, { kind: "partial", start: 0, end: 99 }],
    ["bytes=50-1000", 100, { kind: "partial", start: 50, end: 99 }],
    ["Bytes = 5-5", 100, { kind: "partial", start: 5, end: 5 }],
    ["bytes=100-", 100, { kind: "unsatisfiable" }],
    ["bytes=100-200", 100, { kind: "unsatisfiable" }],
    ["bytes=-0", 100, { kind: "unsatisfiable" }],
    ["bytes=0-", 0, { kind: "unsatisfiable" }],
    ["bytes=-5", 0, { kind: "unsatisfiable" }],
    ["bytes=9-5", 100, { kind: "full" }], // malformed: ignored
    ["bytes=-", 100, { kind: "full" }],
    ["bytes=a-b", 100, { kind: "full" }],
    ["bytes=0-1,5-6", 100, { kind: "full" }], // multi-range answered in full
    ["items=0-1", 100, { kind: "full" }],
    ["bytes", 100, { kind: "full" }],
    ["bytes=99999999999999999999-", 100, { kind: "full" }],
  ];
  it.each(cases)("%s of %i bytes", (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });
});

describe("contentDisposition", () => {
  it("keeps plain ASCII names as they are", () => {
    expect(contentDisposition("track.wav")).toBe(
      `attachment; filename="track.wav"; filename*=UTF-8''track.wav`,
    );
  });
  it("escapes quotes, backslashes and non-ASCII in the fallback and encodes the exact name", () => {
    expect(contentDisposition('Ünïcode "x"\\y%.wav')).toBe(
      `attachment; filename="_n_code _x__y_.wav"; filename*=UTF-8''%C3%9Cn%C3%AFcode%20%22x%22%5Cy%25.wav`,
    );
  });
  it("drops control characters so a name cannot split the header", () => {
    const v = contentDisposition("a\r\nSet-Cookie: x=1\u0000.wav");
    expect(v).not.toMatch(/[\r\n\0]/);
    expect(v).toContain(`filename="aSet-Cookie: x=1.wav"`);
  });
  it("encodes the characters RFC 8187 leaves out of attr-char and survives lone surrogates", () => {
    expect(contentDisposition("it's (1)*.wav")).toContain("filename*=UTF-8''it%27s%20%281%29%2A.wav");
    expect(contentDisposition("a\uD800b")).toContain("filename*=UTF-8''a%EF%BF%BDb");
    expect(contentDisposition("")).toContain(`filename="download"`);
  });
});
