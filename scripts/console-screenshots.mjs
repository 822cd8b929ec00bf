#!/usr/bin/env node
/**
 * Renders screenshots of the web console's main pages into docs/console/ (the README shows them), from a real
 * Hookline with real work in it: a fresh data folder, two keys, tracks made by ffmpeg, WAV conversions and covers
 * whose callbacks go to a receiver on loopback (one that answers 200, one that answers 500, so that the list shows
 * a callback retrying), and Debian's Chromium driven by playwright-core.
 *
 * Usage: npm run build && node scripts/console-screenshots.mjs   (HOOKLINE_TEST_CHROMIUM overrides /usr/bin/chromium)
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { startHookline } = await import(join(root, "dist/src/app/index.js"));
const { loadConfig } = await import(join(root, "dist/src/config/index.js"));
const { createKey } = await import(join(root, "dist/src/keys/index.js"));
const { silentLogger } = await import(join(root, "dist/src/lib/logger.js"));

const out = join(root, "docs", "console");
mkdirSync(out, { recursive: true });
const data = mkdtempSync(join(tmpdir(), "hookline-shots-"));
const admin = "screenshots-admin-token";

const receiver = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.statusCode = req.url?.startsWith("/down") ? 500 : 200;
    res.end(res.statusCode === 200 ? "ok" : "receiver is down for maintenance");
  });
});
await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
const hook = `http://127.0.0.1:${receiver.address().port}`;

const running = await startHookline({
  config: loadConfig({
    HOOKLINE_DATA_DIR: data,
    HOOKLINE_PORT: "0",
    HOOKLINE_DEV: "1",
    HOOKLINE_ADMIN_TOKEN: admin,
  }),
  log: silentLogger,
});
const base = running.url;
const { store, clock } = running.services;
const key = await createKey(store, clock, { name: "my-app" });
await createKey(store, clock, { name: "staging" });

const call = async (path, body) => {
  const res = await fetch(`${base}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: {
      authorization: `Bearer ${key.apiKey}`,
      ...(body instanceof FormData || body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body instanceof FormData || body === undefined ? body : JSON.stringify(body),
  });
  return res.json();
};
const settle = async (taskId) => {
  for (let i = 0; i < 600; i++) {
    const t = await call(`/api/v1/hookline/tasks/${taskId}`);
    if (t.data && !/PENDING/.test(t.data.status)) return t.data;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`task ${taskId} did not settle`);
};

const tracks = [
  ["Morning Drive.mp3", "sine=frequency=220:duration=6", "aevalsrc=0.3*sin(2*PI*330*t)*sin(2*PI*2*t):d=6"],
  ["Night Swim.flac", "sine=frequency=440:duration=5", "anoisesrc=d=5:a=0.05"],
  ["Demo Take 3.ogg", "sine=frequency=196:duration=4", "aevalsrc=0.2*sin(2*PI*392*t):d=4"],
];
let wavTask = "";
let coverTask = "";
for (const [i, [name, a, b]] of tracks.entries()) {
  const file = join(data, name);
  execFileSync("ffmpeg", [
    "-v",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    a,
    "-f",
    "lavfi",
    "-i",
    b,
    "-filter_complex",
    "amix=inputs=2",
    file,
  ]);
  const form = new FormData();
  form.set("uploadPath", "music");
  form.set("file", new Blob([readFileSync(file)]), name);
  const up = (await call("/api/file-stream-upload", form)).data;
  const callBackUrl = i === 2 ? `${hook}/down` : `${hook}/hook`;
  const wav = await call("/api/v1/wav/generate", { taskId: up.taskId, audioId: up.audioId, callBackUrl });
  const cover = await call("/api/v1/suno/cover/generate", { taskId: up.taskId, callBackUrl });
  await settle(wav.data.taskId);
  await settle(cover.data.taskId);
  if (i === 0) {
    wavTask = wav.data.taskId;
    coverTask = cover.data.taskId;
  }
}
// Let the first callbacks land (and the failing one fail once).
await new Promise((r) => setTimeout(r, 1500));

const browser = await chromium.launch({
  executablePath: process.env.HOOKLINE_TEST_CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
});
const shots = [];
async function shoot(page, name, ready) {
  await ready();
  await page.waitForTimeout(300);
  const path = join(out, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  shots.push(path);
}
try {
  const desk = await (
    await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: "light" })
  ).newPage();
  await desk.goto(`${base}/console/`);
  await shoot(desk, "sign-in", () => desk.locator("#secret").waitFor());
  await desk.locator("#secret").fill(key.apiKey);
  await desk.getByRole("button", { name: "Sign in" }).click();
  await shoot(desk, "tasks", () => desk.locator("table.tasks tbody tr").nth(5).waitFor());
  await desk.goto(`${base}/console/#/tasks/${wavTask}`);
  await shoot(desk, "task-wav", () => desk.locator("table.attempts tbody tr").first().waitFor());
  await desk.goto(`${base}/console/#/tasks/${coverTask}`);
  await shoot(desk, "task-covers", () => desk.locator(".covers img").nth(1).waitFor());
  await desk.goto(`${base}/console/#/receivers`);
  await shoot(desk, "receivers", () => desk.locator("table tbody tr").first().waitFor());
  await desk.goto(`${base}/console/#/upload`);
  await shoot(desk, "upload", () => desk.getByRole("heading", { name: "Upload a track" }).waitFor());

  const op = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await op.goto(`${base}/console/`);
  await op.getByLabel("the admin token (operator)").check();
  await op.locator("#secret").fill(admin);
  await op.getByRole("button", { name: "Sign in" }).click();
  await shoot(op, "keys", () => op.locator("table.keys tbody tr").nth(1).waitFor());

  const phone = await (
    await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true })
  ).newPage();
  await phone.goto(`${base}/console/`);
  await phone.locator("#secret").fill(key.apiKey);
  await phone.getByRole("button", { name: "Sign in" }).click();
  await shoot(phone, "tasks-phone", () => phone.locator("table.tasks tbody tr").first().waitFor());
} finally {
  await browser.close();
  await running.stop(2000);
  receiver.close();
  rmSync(data, { recursive: true, force: true });
}
console.log(shots.map((p) => p.slice(root.length + 1)).join("\n"));
