import { describe, expect, it } from "vitest";
import { type Analysis, judge, USABILITY } from "../../src/speech/index.js";

/** A clean take: 6 s of audio, 3 s voiced at -22 dBFS over digital silence. */
const good: Analysis = {
  durationS: 6,
  voicedS: 3,
  peak: 0.7,
  clippedShare: 0,
  voiceDb: -22,
  loudestDb: -15,
  noiseDb: -100,
  stats: new Float64Array(3),
  fingerprint: { words: new Uint32Array(0), reliable: new Uint32Array(0), voiced: new Uint8Array(0) },
};

describe("usability of a recording", () => {
  it("a clean take is usable", () => {
    expect(judge(good, 2, "source segment")).toEqual({ ok: true });
  });

  const cases: [string, Partial<Analysis>, string, RegExp][] = [
    ["silence", { loudestDb: -90, voiceDb: Number.NaN, voicedS: 0 }, "silent", /silent/],
    ["clipping", { clippedShare: 0.08, peak: 1 }, "clipped", /clipped: 8\.0 %/],
    [
      "a quiet voice",
      { voiceDb: -52, loudestDb: -45 },
      "too_quiet",
      /too quiet: the voice is at -52\.0 dBFS/,
    ],
    [
      "noise without voice",
      { voiceDb: Number.NaN, voicedS: 0, loudestDb: -12, noiseDb: -14 },
      "no_voice",
      /0\.0 s of voiced/,
    ],
    ["too little voice", { voicedS: 1.2 }, "no_voice", /1\.2 s of voiced sound found, at least 2 s/],
    ["a noisy room", { noiseDb: -28 }, "too_noisy", /only 6\.0 dB above the background/],
  ];
  for (const [what, change, reason, message] of cases) {
    it(`${what} is refused as ${reason}, saying what to change`, () => {
      const verdict = judge({ ...good, ...change }, 2, "source segment");
      expect(verdict).toMatchObject({ ok: false, reason });
      if (!verdict.ok) {
        expect(verdict.message).toMatch(message);
        expect(verdict.message).toContain("source segment");
      }
    });
  }

  it("the thresholds are the documented ones", () => {
    expect(USABILITY).toEqual({ silentDb: -60, clippedShare: 0.005, quietDb: -45, minSnrDb: 10 });
  });
});
