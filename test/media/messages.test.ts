import { expect, it } from "vitest";
import { decoderMessage, refusedFormat, stripPaths } from "../../src/media/messages.js";

it("hides absolute paths, file: URLs included, and keeps the reason", () => {
  expect(decoderMessage("file:/srv/data/u1/a.bin: Invalid data found when processing input\n")).toBe(
    "Invalid data found when processing input",
  );
  expect(stripPaths("cannot open /var/lib/hookline/x.wav for writing")).toBe(
    "cannot open <file> for writing",
  );
  expect(stripPaths(String.raw`C:\data\in.mp3: Permission denied`)).toBe("<file>: Permission denied");
  // Known paths go exactly, even with blanks in them.
  const known = ["/home/Jo Doe/hookline data/in.mp3"];
  expect(decoderMessage("file:/home/Jo Doe/hookline data/in.mp3: Invalid argument", known)).toBe(
    "Invalid argument",
  );
  // Ratios and units are not paths.
  expect(stripPaths("bitrate 128 kbits/s, 1/8 of full scale")).toBe("bitrate 128 kbits/s, 1/8 of full scale");
});

it("shortens decoder contexts, drops repeats and noise, keeps a few lines", () => {
  const stderr = [
    "[mp3float @ 0x55ab0b31aec0] Header missing",
    "    Last message repeated 22 times",
    "[mp3float @ 0x55ab0b338d80] Header missing",
    "Error while decoding stream #0:0: Invalid data found when processing input",
    "[aac @ 0x1234abcd] one more",
    "[aac @ 0x1234abcd] and another",
    "Conversion failed!",
  ].join("\n");
  expect(decoderMessage(stderr)).toBe(
    "mp3float: Header missing; Error while decoding stream #0:0: Invalid data found when processing input; aac: one more",
  );
  expect(decoderMessage("")).toBe("");
  expect(decoderMessage("x".repeat(1000)).length).toBeLessThanOrEqual(300);
});

it("names the demuxer that -format_whitelist refused", () => {
  expect(
    refusedFormat("[hls @ 0x55983ff75280] Format not on whitelist 'mp3,mov'\nfile:/x: Invalid argument"),
  ).toBe("hls");
  expect(refusedFormat("Invalid data found when processing input")).toBeNull();
});
