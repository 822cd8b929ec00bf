/**
 * The client commands' settings (spec 13) go through their own options table: `HOOKLINE_URL`, `HOOKLINE_API_KEY`
 * and `HOOKLINE_WEBHOOK_KEY`, with the flags winning, exactly as before the table.
 */
import { describe, expect, it } from "vitest";
import { CLIENT_OPTIONS, loadClientConfig } from "../../src/config/index.js";

describe("loadClientConfig", () => {
  it("defaults to the local server on HOOKLINE_PORT or 3000, with no key", () => {
    expect(loadClientConfig({})).toEqual({ url: "http://127.0.0.1:3000", apiKey: null, webhookKeys: [] });
    expect(loadClientConfig({ HOOKLINE_PORT: "4100" }).url).toBe("http://127.0.0.1:4100");
    expect(loadClientConfig({ HOOKLINE_PORT: "" }).url).toBe("http://127.0.0.1:3000");
  });

  it("reads the environment; flags win; an empty flag or variable counts as not given", () => {
    const env = {
      HOOKLINE_URL: "http://hl.lan:8080//",
      HOOKLINE_API_KEY: "hk_env",
      HOOKLINE_WEBHOOK_KEY: " whsec_a , whsec_b,,",
      HOOKLINE_PORT: "4100",
    };
    expect(loadClientConfig(env)).toEqual({
      url: "http://hl.lan:8080",
      apiKey: "hk_env",
      webhookKeys: ["whsec_a", "whsec_b"],
    });
    expect(
      loadClientConfig(env, { url: "http://other/", apiKey: "hk_flag", secrets: [" whsec_c ", "", "x,y"] }),
    ).toEqual({ url: "http://other", apiKey: "hk_flag", webhookKeys: ["whsec_c", "x,y"] });
    expect(loadClientConfig(env, { url: "", apiKey: "", secrets: [] })).toEqual(loadClientConfig(env));
    expect(loadClientConfig({ HOOKLINE_URL: "", HOOKLINE_API_KEY: "" })).toEqual(loadClientConfig({}));
  });

  it("its table names the variables and flags the commands document", () => {
    expect(Object.values(CLIENT_OPTIONS).map((o) => [o.env, o.flag])).toEqual([
      ["HOOKLINE_URL", "url"],
      ["HOOKLINE_API_KEY", "api-key"],
      ["HOOKLINE_WEBHOOK_KEY", "secret"],
    ]);
    expect(CLIENT_OPTIONS.url.defaultText).toBe("http://127.0.0.1:<HOOKLINE_PORT or 3000>");
  });
});
