/**
 * The console's sign-in (issue 12): an API key or the admin token becomes an HttpOnly, SameSite=Strict cookie; the
 * cookie works for the API as the key does, but a change it authorises must come from the console's own origin;
 * one-time links from `hookline console-link`; sign-out; a revoked key's session ends at once. On SQLite and
 * PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLink } from "../../src/console/index.js";
import { revokeKey } from "../../src/keys/index.js";
import { dialects, freshDatabase, type TestDb } from "../helpers/db.js";
import { type Envelope, startTestHookline, type TestHookline } from "../helpers/hookline.js";

const ADMIN = "operator-token-for-tests";
const env = async (r: Response | Promise<Response>): Promise<Envelope> =>
  (await (await r).json()) as Envelope;

describe.each(dialects())("console sessions on %s", (dialect) => {
  let db: TestDb;
  let h: TestHookline;
  let origin: string;
  beforeAll(async () => {
    db = await freshDatabase(dialect);
    h = await startTestHookline({ database: db.target, env: { HOOKLINE_ADMIN_TOKEN: ADMIN } });
    origin = h.url;
  });
  afterAll(async () => {
    await h.stop();
    await db.drop();
  });

  /** A request as the console's page makes it: same origin, with the cookie, no bearer key. */
  const asBrowser = (path: string, cookie: string, init: RequestInit = {}) =>
    fetch(`${h.url}${path}`, {
      ...init,
      headers: {
        origin,
        cookie,
        "sec-fetch-site": "same-origin",
        ...(init.headers as Record<string, string>),
      },
    });

  async function signIn(body: Record<string, string>): Promise<{ res: Response; cookie: string }> {
    const res = await fetch(`${h.url}/console/session`, {
      method: "POST",
      headers: { "content-type": "application/json", origin },
      body: JSON.stringify(body),
    });
    const set = res.headers.get("set-cookie") ?? "";
    return { res, cookie: set.split(";")[0] ?? "" };
  }

  it("signs a tenant in with its key: an HttpOnly, SameSite=Strict cookie that lists that key's tasks only", async () => {
    const { res, cookie } = await signIn({ apiKey: h.apiKey });
    expect(await env(res)).toMatchObject({ code: 200, data: { kind: "tenant", keyName: "test" } });
    const set = res.headers.get("set-cookie") ?? "";
    expect(set).toMatch(/^hookline_session=[A-Za-z0-9]{43};/);
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    expect(set).not.toContain(h.apiKey);
    const other = await h.newKey("other");
    const mine = await env(asBrowser("/api/v1/hookline/tasks", cookie));
    expect(mine.code).toBe(200);
    const theirs = await h.call("/api/v1/hookline/tasks", { key: other.apiKey });
    expect(theirs.code).toBe(200);
    const session = await env(asBrowser("/console/session", cookie));
    expect(session.data).toMatchObject({ kind: "tenant", keyName: "test" });
  });

  it("refuses a wrong key or token, and a sign-in posted from another site", async () => {
    expect((await env((await signIn({ apiKey: "hk_nope" })).res)).code).toBe(401);
    expect((await env((await signIn({ adminToken: "wrong" })).res)).code).toBe(401);
    const res = await fetch(`${h.url}/console/session`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://evil.example" },
      body: JSON.stringify({ apiKey: h.apiKey }),
    });
    expect((await env(res)).code).toBe(401);
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("refuses a change authorised by the cookie alone when it comes from another origin", async () => {
    const { cookie } = await signIn({ apiKey: h.apiKey });
    const path = "/api/v1/hookline/tasks/nope/redeliver";
    const crossSite = await fetch(`${h.url}${path}`, {
      method: "POST",
      headers: { cookie, "sec-fetch-site": "cross-site" },
    });
    expect((await env(crossSite)).msg).toMatch(/cross-site/);
    const otherOrigin = await fetch(`${h.url}${path}`, {
      method: "POST",
      headers: { cookie, origin: "https://evil.example" },
    });
    expect((await env(otherOrigin)).code).toBe(401);
    const noOrigin = await fetch(`${h.url}${path}`, { method: "POST", headers: { cookie } });
    expect((await env(noOrigin)).code).toBe(401);
    // From the console itself the request goes through (to a 404: the task does not exist).
    expect((await env(asBrowser(path, cookie, { method: "POST" }))).code).toBe(404);
  });

  it("an operator session reaches no tenant's API; a tenant's session is no operator", async () => {
    const { res, cookie } = await signIn({ adminToken: ADMIN });
    expect((await env(res)).data).toMatchObject({ kind: "operator" });
    expect((await env(asBrowser("/api/v1/hookline/tasks", cookie))).code).toBe(401);
    expect((await env(asBrowser("/console/session", cookie))).data.kind).toBe("operator");
  });

  it("a one-time link signs in an operator once, and not after it is used or expired", async () => {
    const { store, clock } = h.running.services;
    const token = await createLink(store.db, clock.now());
    const first = await fetch(`${h.url}/console/link?token=${token}`, { redirect: "manual" });
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe("/console/#/keys");
    const cookie = (first.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    expect((await env(asBrowser("/console/session", cookie))).data.kind).toBe("operator");
    const again = await fetch(`${h.url}/console/link?token=${token}`, { redirect: "manual" });
    expect(again.status).toBe(401);
    expect(again.headers.get("set-cookie")).toBeNull();
    const old = await createLink(store.db, clock.now() - 11 * 60_000);
    expect((await fetch(`${h.url}/console/link?token=${old}`, { redirect: "manual" })).status).toBe(401);
  });

  it("signing out ends the session; revoking the key ends its sessions at once", async () => {
    const { cookie } = await signIn({ apiKey: h.apiKey });
    await asBrowser("/console/session", cookie, { method: "DELETE" });
    expect((await env(asBrowser("/api/v1/hookline/tasks", cookie))).code).toBe(401);

    const doomed = await h.newKey("doomed");
    const s = await signIn({ apiKey: doomed.apiKey });
    expect((await env(asBrowser("/api/v1/hookline/tasks", s.cookie))).code).toBe(200);
    const { store, clock } = h.running.services;
    await revokeKey(store, clock, doomed.keyId);
    expect((await env(asBrowser("/api/v1/hookline/tasks", s.cookie))).code).toBe(401);
    expect((await env(asBrowser("/console/session", s.cookie))).code).toBe(401);
  });

  it("serves the console from Hookline alone, under a strict Content-Security-Policy", async () => {
    const root = await fetch(`${h.url}/`, { redirect: "manual" });
    expect(root.headers.get("location")).toBe("/console/");
    const page = await fetch(`${h.url}/console/`);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    const html = await page.text();
    expect(html).not.toMatch(/<script>|https?:\/\//);
    const assets = [...html.matchAll(/(?:src|href)="(\/console\/[^"]+)"/g)].map((m) => m[1] ?? "");
    expect(assets.length).toBe(2);
    // The first load of the task list: the page and what it names, as a browser fetches them (issue 12: < 150 KB).
    let firstLoad = html.length;
    for (const asset of assets) {
      const res = await fetch(`${h.url}${asset}`, { headers: { "accept-encoding": "br" } });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-encoding")).toBe("br");
      expect(res.headers.get("cache-control")).toContain("immutable");
      firstLoad += Number(res.headers.get("content-length"));
    }
    expect(firstLoad).toBeGreaterThan(1_000);
    expect(firstLoad).toBeLessThan(150 * 1024);
  });

  it("limits failed sign-ins per address", async () => {
    let last = 0;
    for (let i = 0; i < 25; i++) last = (await env((await signIn({ apiKey: `hk_wrong${i}` })).res)).code;
    expect(last).not.toBe(401);
    expect([429, 430]).toContain(last);
  });
});
