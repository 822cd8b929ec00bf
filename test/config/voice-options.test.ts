import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/index.js";

describe("voice settings", () => {
  it("the same-voice threshold defaults to the calibrated one (null) and may be set", () => {
    expect(loadConfig({}).voice.sameVoiceThreshold).toBeNull();
    expect(loadConfig({ HOOKLINE_VOICE_THRESHOLD: "0.9" }).voice.sameVoiceThreshold).toBe(0.9);
    expect(loadConfig({}, { "voice-threshold": "0.75" }).voice.sameVoiceThreshold).toBe(0.75);
  });

  it("refuses a threshold outside 0–1, naming the variable", () => {
    expect(() => loadConfig({ HOOKLINE_VOICE_THRESHOLD: "1.5" })).toThrow(ConfigError);
    expect(() => loadConfig({ HOOKLINE_VOICE_THRESHOLD: "-0.1" })).toThrow(/HOOKLINE_VOICE_THRESHOLD/);
  });
});
