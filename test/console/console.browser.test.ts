/**
 * The web console end to end in headless Chromium (issue 12): a tenant signs in, uploads a track, converts it and
 * watches the task finish live (server-sent events, no reload), opens its callback attempts, redelivers, plays the
 * WAV, makes covers and sees them, deletes a voice; another tenant's task and the keys page stay out of reach; an
 * operator creates and revokes a key. Every page passes axe-core with no serious violation, makes no request to
 * another origin and breaks no rule of its Content-Security-Policy.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import { hasChromium, launchBrowser, seriousViolations, watchPage } from "../helpers/browser.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { speak } from "../helpers/voice.js";
import { waitFor } from "../helpers/wait.js";
import { streamUpload, uploadTrack } from "../http/support.js";

const ADMIN = "console-operator-token";

if (!hasChromium)
  process.stderr.write(
    "\n*** /usr/bin/chromium is missing: the console's browser tests are SKIPPED. ***\n\n",
  );

describe.skipIf(!hasChromium)("the web console in Chromium", () => {
  let h: TestHookline;
  let receiver: Receiver;
  let browser: Browser;
  let dir: TmpDir;
  let track: string;
  let voiceId: string;
  let otherTaskId: string;
  const contexts: BrowserContext[] = [];
  const watched: { errors: string[]; foreign: string[] }[] = [];

  async function newPage(width = 1280): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    watched.push(watchPage(page, h.url));
    return page;
  }

  async function signIn(page: Page, secret: string, operator = false): Promise<void> {
    await page.goto(`${h.url}/console/`);
    if (operator) await page.getByLabel("the admin token (operator)").check();
    await page.locator("#secret").fill(secret);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { level: 1, name: operator ? "Keys" : "Tasks" }).waitFor();
  }

  async function expectAccessible(page: Page): Promise<void> {
    expect(await seriousViolations(page)).toEqual([]);
  }

  /** A voice made through the real flow: a source recording, its phrase, a verification take. */
  async function makeVoice(): Promise<string> {
    const source = await speak(dir.path, "en+m7", [
      "The morning light is falling softly on the river.",
      "We keep on singing a brand new song together.",
      "My sister plays the old guitar by the window.",
      "The children follow the music down the road.",
    ]);
    const up = await streamUpload(h, source, { uploadPath: "voice" });
    const v = await h.call("/api/v1/voice/validate", {
      json: { voiceUrl: up.data.downloadUrl, vocalStartS: 0, vocalEndS: 8, voiceName: "Morning" },
    });
    expect(v.code, JSON.stringify(v)).toBe(200);
    await waitFor(
      "the validation",
      async () =>
        (await h.call(`/api/v1/voice/validate-info?taskId=${v.data.taskId}`)).data?.status ===
        "wait_validating",
      { timeoutMs: 30_000 },
    );
    const take = await speak(
      dir.path,
      "en+m7",
      ["Every evening, the birds repeat our chorus near the ocean."],
      {
        pitch: 46,
        speed: 185,
      },
    );
    const takeUp = await streamUpload(h, take, { uploadPath: "voice" });
    const gen = await h.call("/api/v1/voice/generate", {
      json: { taskId: v.data.taskId, verifyUrl: takeUp.data.downloadUrl },
    });
    expect(gen.code, JSON.stringify(gen)).toBe(200);
    const made = await waitFor(
      "the voice",
      async () => {
        const rec = await h.call(`/api/v1/voice/record-info?taskId=${gen.data.taskId}`);
        return rec.data?.status === "success" || /fail/.test(rec.data?.status ?? "") ? rec.data : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(made.status, JSON.stringify(made)).toBe("success");
    return made.voiceId;
  }

  beforeAll(async () => {
    h = await startTestHookline({ env: { HOOKLINE_ADMIN_TOKEN: ADMIN } });
    receiver = await startReceiver((_req, res) => res.end("ok"));
    dir = await tmpDir("console");
    track = await makeAudio(dir.path, { format: "mp3", seconds: 3, name: "console-track.mp3" });
    browser = await launchBrowser();
    voiceId = await makeVoice();
    const other = await h.newKey("other-tenant");
    const src = await uploadTrack(h, track, other.apiKey);
    const wav = await h.call("/api/v1/wav/generate", {
      json: { taskId: src.taskId, audioId: src.audioId },
      key: other.apiKey,
    });
    otherTaskId = wav.data.taskId;
  }, 120_000);

  afterEach(async () => {
    for (const w of watched.splice(0)) {
      expect(w.foreign, "requests to other origins").toEqual([]);
      expect(w.errors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([]);
    }
    for (const c of contexts.splice(0)) await c.close();
  });

  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await h?.stop();
    await dir?.cleanup();
  });

  let wavTaskId = "";

  it("a tenant uploads a track, converts it, watches it finish live, opens its attempts and redelivers", async () => {
    const page = await newPage();
    await signIn(page, h.apiKey);
    await expectAccessible(page);
    await page.getByRole("link", { name: "Upload" }).click();
    await page.getByRole("heading", { name: "Upload a track" }).waitFor();
    await expectAccessible(page);
    await page.locator("#file").setInputFiles(track);
    await page.getByText("audio id").waitFor();
    await page.getByLabel("Callback URL (optional)").fill(`${receiver.origin}/hook`);
    await page.getByRole("button", { name: "Convert to WAV" }).click();
    await page.waitForURL(/#\/tasks\/[^/]+$/);
    wavTaskId = decodeURIComponent(page.url().split("#/tasks/")[1] ?? "");
    // No reload from here on: the page follows the task through the event stream.
    await page.locator(".facts .badge", { hasText: "SUCCESS" }).waitFor();
    await page.locator(".facts .badge", { hasText: "delivered" }).waitFor();
    const rows = page.locator("table.attempts tbody tr");
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(1);
    await expect
      .poll(async () => (await rows.first().innerText()).includes("200"), { timeout: 15_000 })
      .toBe(true);
    expect(await page.locator("table.attempts").innerText()).toContain(`${receiver.origin}/hook`);

    // The WAV plays: the browser loads it from its signed link and finds its length.
    // (Browser code as text: the tests' TypeScript has no DOM types.)
    const duration = Number(
      await page.evaluate(`new Promise((resolve, reject) => {
        const a = document.querySelector("audio");
        a.preload = "auto";
        a.onloadedmetadata = () => resolve(a.duration);
        a.onerror = () => reject(new Error("the audio did not load"));
        a.load();
      })`),
    );
    expect(duration).toBeGreaterThan(2.5);
    expect(duration).toBeLessThan(3.5);
    // And it plays: the first player is the WAV's (its label says so), and its clock moves on.
    expect(await page.locator("figure.player figcaption").first().textContent()).toMatch(/^WAV: .*\.wav$/);
    const played = Number(
      await page.evaluate(`new Promise((resolve, reject) => {
        const a = document.querySelector("audio");
        a.muted = true;
        a.ontimeupdate = () => { if (a.currentTime > 0.3) { a.pause(); resolve(a.currentTime); } };
        a.play().catch(reject);
      })`),
    );
    expect(played).toBeGreaterThan(0.3);

    const before = receiver.requests.length;
    await page.getByRole("button", { name: "Redeliver" }).click();
    await page.getByText("Redelivery queued").waitFor();
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(2);
    expect(receiver.requests.length).toBeGreaterThan(before);
    expect(await rows.nth(1).innerText()).toContain("manual");
    await expectAccessible(page);
  });

  it("a tenant makes covers from an upload and sees both", async () => {
    const page = await newPage();
    await signIn(page, h.apiKey);
    await page.goto(`${h.url}/console/#/upload`);
    await page.locator("#file").setInputFiles(track);
    await page.getByText("audio id").waitFor();
    await page.getByRole("button", { name: "Make two covers" }).click();
    await page.waitForURL(/#\/tasks\/[^/]+$/);
    await page.locator(".facts .badge", { hasText: "SUCCESS" }).waitFor({ timeout: 60_000 });
    const images = page.locator(".covers img");
    await expect.poll(() => images.count(), { timeout: 15_000 }).toBe(2);
    const loaded = `[...document.querySelectorAll(".covers img")].filter((i) => i.complete && i.naturalWidth > 0).length`;
    await expect.poll(async () => Number(await page.evaluate(loaded)), { timeout: 15_000 }).toBe(2);
    await expectAccessible(page);
  });

  it("the task list filters, searches and shows each task's callback state", async () => {
    const page = await newPage();
    await signIn(page, h.apiKey);
    const row = page.locator(`tr[data-task-id="${wavTaskId}"]`);
    await row.waitFor();
    expect(await row.innerText()).toMatch(/wav[\s\S]*SUCCESS[\s\S]*delivered/);
    await page.getByLabel("Family").selectOption("cover");
    await expect
      .poll(() => page.locator(`tr[data-task-id="${wavTaskId}"]`).count(), { timeout: 15_000 })
      .toBe(0);
    await expect
      .poll(() => page.locator("table.tasks tbody tr").count(), { timeout: 15_000 })
      .toBeGreaterThan(0);
    await page.getByLabel("Family").selectOption("");
    // One status word across families: the WAV succeeded, so "failed" hides it and "succeeded" shows it.
    await page.getByLabel("Status").selectOption("failed");
    await expect
      .poll(() => page.locator(`tr[data-task-id="${wavTaskId}"]`).count(), { timeout: 15_000 })
      .toBe(0);
    expect(await page.locator("[role=alert]").count()).toBe(0);
    await page.getByLabel("Status").selectOption("succeeded");
    await row.waitFor();
    await page.getByLabel("Status").selectOption("");
    await page.getByLabel("Task id or audio id").fill(wavTaskId);
    await page.getByRole("button", { name: "Search" }).click();
    await expect.poll(() => page.locator("table.tasks tbody tr").count(), { timeout: 15_000 }).toBe(1);
    await expectAccessible(page);
  });

  it("a tenant deletes a voice", async () => {
    const page = await newPage();
    await signIn(page, h.apiKey);
    await page.getByRole("link", { name: "Voices" }).click();
    const card = page.locator(`[data-voice-id="${voiceId}"]`);
    await card.waitFor();
    await expectAccessible(page);
    await card.getByRole("button", { name: "Delete…" }).click();
    await card.getByRole("button", { name: /Confirm: delete/ }).click();
    await page.getByText(`Voice ${voiceId} deleted.`).waitFor();
    expect(await card.count()).toBe(0);
    expect((await h.call(`/api/v1/hookline/voices/${voiceId}`)).code).toBe(404);
  });

  it("a tenant cannot see another tenant's task, nor reach the keys", async () => {
    const page = await newPage();
    await signIn(page, h.apiKey);
    await page.goto(`${h.url}/console/#/tasks/${otherTaskId}`);
    await page
      .getByRole("alert")
      .filter({ hasText: /not found/i })
      .waitFor();
    expect(await page.locator("body").innerText()).not.toContain("console-track");
    await page.goto(`${h.url}/console/#/keys`);
    await page.getByText("Only the operator manages keys").waitFor();
    const status = await page.evaluate(
      `fetch("/api/v1/hookline/admin/keys").then((r) => r.json()).then((b) => b.code)`,
    );
    expect(status).toBe(401);
    await expectAccessible(page);
  });

  it("an operator creates a key (its secrets shown once) and revokes it", async () => {
    const page = await newPage();
    await signIn(page, ADMIN, true);
    await expectAccessible(page);
    await page.getByLabel("Name").fill("made-in-console");
    await page.getByRole("button", { name: "Create key" }).click();
    const secret = page.locator(".secret-value").first();
    await secret.waitFor();
    const apiKey = await secret.innerText();
    expect(apiKey).toMatch(/^hk_/);
    expect((await h.call("/api/v1/hookline/tasks", { key: apiKey })).code).toBe(200);
    await expectAccessible(page);
    await page.getByRole("button", { name: "I have copied them" }).click();
    expect(await page.locator(".secret-value").count()).toBe(0);
    const row = page.locator('tr[data-key-name="made-in-console"]');
    await row.getByRole("button", { name: "Revoke…" }).click();
    await row.getByRole("button", { name: "Confirm: revoke made-in-console" }).click();
    await expect
      .poll(async () => (await row.innerText()).includes("revoked"), { timeout: 15_000 })
      .toBe(true);
    expect((await h.call("/api/v1/hookline/tasks", { key: apiKey })).code).toBe(401);
  });

  it("fits a phone's width", async () => {
    const page = await newPage(390);
    await signIn(page, h.apiKey);
    await page.locator(`tr[data-task-id="${wavTaskId}"]`).waitFor();
    const overflow = Number(await page.evaluate("document.documentElement.scrollWidth - window.innerWidth"));
    expect(overflow).toBeLessThanOrEqual(0);
    await expectAccessible(page);
  });
});
