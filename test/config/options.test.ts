/**
 * The options table is the one source of defaults (issue 10): each default is a typed value, and the text
 * `--help` shows for it is written by the option's own type. These tests hold the two together: the text parses
 * back to the value, and giving every setting the text `--help` shows changes nothing.
 */
import { describe, expect, it } from "vitest";
import { CLIENT_OPTIONS, loadConfig, OPTIONS, optionsHelp } from "../../src/config/index.js";

const fail = (reason: string): never => {
  throw new Error(reason);
};

/** The settings whose default is a value (the others are null when not given, and --help says what that means). */
const withValue = Object.values(OPTIONS).filter((o) => o.unset === null);

describe("the options table", () => {
  it.each([...Object.entries(OPTIONS), ...Object.entries(CLIENT_OPTIONS)])(
    "%s: parsing its formatted default gives the default back",
    (_, option) => {
      if (option.unset !== null) {
        // No value to format: the default is "not given", and the help says what that means.
        expect(option.default).toBeNull();
        expect(option.defaultText).toBe(option.unset);
        expect(option.unset.length).toBeGreaterThan(0);
        return;
      }
      expect(option.parse(option.defaultText, fail)).toEqual(option.default);
    },
  );

  it("giving every variable the default --help shows is the same as giving none", () => {
    const env = Object.fromEntries(withValue.map((o) => [o.env, o.defaultText]));
    expect(loadConfig(env)).toEqual(loadConfig({}));
  });

  it("and so is giving every flag its default", () => {
    const flags = Object.fromEntries(withValue.map((o) => [o.flag, o.defaultText]));
    expect(loadConfig({}, flags)).toEqual(loadConfig({}));
  });

  it("--help shows every default as its type writes it", () => {
    const help = optionsHelp();
    for (const option of Object.values(OPTIONS)) {
      expect(help).toContain(`(default: ${option.defaultText || "(none)"})`);
    }
    expect(help).toContain("HOOKLINE_RETRY_SCHEDULE");
    expect(help).toContain("(default: 60,300,900)");
  });
});
