import { describe, expect, it } from "vitest";
import { CoverInput } from "../../src/families/cover/processor.js";
import { readStored } from "../../src/families/stored.js";
import { GenerationInput, ValidationResult } from "../../src/families/voice/payload.js";
import { WavInput, WavResult } from "../../src/families/wav/payload.js";
import { HooklineError } from "../../src/lib/errors.js";

describe("readStored", () => {
  it("answers a stored input of the family's shape, keeping fields the schema does not name", () => {
    const stored: unknown = JSON.parse('{"musicTaskId":"abc","charged":2}');
    expect(readStored(CoverInput, stored, "cover input")).toEqual({ musicTaskId: "abc", charged: 2 });
  });

  it("reads a validation result written before fingerprints were kept", () => {
    const older = { phrase: "la la", language: "en", stats: [0.5, 1], voicedS: 3.2 };
    expect(readStored(ValidationResult, older, "validation result").fingerprint).toBeUndefined();
  });

  it("reads a WAV input and result as the WAV family writes them", () => {
    // Straight from the database's JSON, with the credits of a paid submission beside the two ids.
    const input: unknown = JSON.parse('{"audioId":"trk_1","musicTaskId":"abc","charged":1}');
    expect(readStored(WavInput, input, "WAV input")).toEqual({
      audioId: "trk_1",
      musicTaskId: "abc",
      charged: 1,
    });
    const result = { fileId: "file_1", durationS: 2.5, sampleRate: 44_100, channels: 2, bitDepth: 16 };
    expect(readStored(WavResult, result, "WAV result").fileId).toBe("file_1");
  });

  it("refuses a WAV input without its track, naming the field", () => {
    expect(() => readStored(WavInput, { musicTaskId: "abc" }, "WAV input")).toThrow(
      /stored WAV input does not have the expected shape \(\/audioId: /,
    );
  });

  it("refuses a stored value of another shape with an internal error that says where", () => {
    const wrong = { kind: "generation", validationTaskId: 7 };
    let caught: unknown;
    try {
      readStored(GenerationInput, wrong, "generation input");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(HooklineError);
    expect(caught).toMatchObject({ code: "internal" });
    expect(String((caught as Error).message)).toMatch(
      /stored generation input does not have the expected shape/,
    );
  });
});
