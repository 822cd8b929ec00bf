/**
 * The speaker check on voices from the evaluation half of bench/voice-eval (never used in calibration), speaking
 * sentences the calibration never heard: every same-voice pair is accepted and every different-voice pair is
 * refused at the shipped threshold. One voice of each kind: the measured close pairs (espeak's female variants
 * f1, f3 and f5 against one another; the Klatt variants adam and klatt) can score above the threshold, and
 * docs/voice-verification.md says so with the measured error rates.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findFfmpeg } from "../../src/media/index.js";
import { analyseRecording, compareSpeakers, SPEAKER_MODEL } from "../../src/speech/index.js";
import { type TmpDir, tmpDir } from "../helpers/audio.js";
import { speak } from "../helpers/voice.js";

const VOICES = ["en+m3", "en+m7", "de+f5", "fr+Lee", "es+iven2", "ru+Diogo"];
const SOURCE = [
  "A little drum keeps the rhythm by the river.",
  "The old sailor plays guitar under the silver moon.",
  "We dream about the open sea all night long.",
];
const PHRASE = ["When the stars come out, the people clap their hands beside the open window."];

describe("same voice or not, at the shipped threshold", () => {
  let dir: TmpDir;
  const source: Record<string, Float64Array> = {};
  const verification: Record<string, Float64Array> = {};

  beforeAll(async () => {
    dir = await tmpDir("speaker");
    const ff = (await findFfmpeg())!;
    await Promise.all(
      VOICES.map(async (voice, i) => {
        const src = await speak(dir.path, voice, SOURCE, { format: "mp3" });
        // The verification take: another sentence, pitch and speed moved (within ±10 %), a browser's codec.
        const take = await speak(dir.path, voice, PHRASE, {
          format: i % 2 === 0 ? "webm" : "m4a",
          pitch: i % 2 === 0 ? 44 : 56,
          speed: i % 2 === 0 ? 160 : 190,
        });
        source[voice] = (await analyseRecording(ff, src)).stats!;
        verification[voice] = (await analyseRecording(ff, take)).stats!;
      }),
    );
  });
  afterAll(async () => {
    await dir.cleanup();
  });

  it("the threshold is the calibrated one", () => {
    expect(SPEAKER_MODEL.threshold).toBeGreaterThan(0.5);
    expect(SPEAKER_MODEL.threshold).toBeLessThan(1);
  });

  for (const voice of VOICES) {
    it(`${voice}: its own take is accepted, every other voice's take refused`, () => {
      const own = compareSpeakers(source[voice]!, verification[voice]!);
      expect(own.same, `own score ${own.score}`).toBe(true);
      for (const other of VOICES.filter((v) => v !== voice)) {
        const m = compareSpeakers(source[voice]!, verification[other]!);
        expect(m.same, `${other} scored ${m.score.toFixed(3)} against ${voice}`).toBe(false);
      }
    });
  }
});
