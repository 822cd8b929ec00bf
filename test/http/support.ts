/**
 * Small helpers shared by the API surface tests (test/http, test/api): uploads through the real endpoints,
 * polling a task until it settles, and the "server keeps serving" check made after every bad request.
 */
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { expect } from "vitest";
import type { Envelope, TestHookline } from "../helpers/hookline.js";
import { waitFor } from "../helpers/wait.js";

/** Uploads a file by multipart stream (spec 7.1) and answers the envelope. */
export async function streamUpload(
  h: TestHookline,
  path: string,
  opts: { uploadPath?: string; fileName?: string; key?: string; name?: string } = {},
): Promise<Envelope> {
  const form = new FormData();
  form.set("uploadPath", opts.uploadPath ?? "music");
  if (opts.fileName !== undefined) form.set("fileName", opts.fileName);
  form.set("file", new Blob([await readFile(path)]), opts.name ?? basename(path));
  const init: RequestInit & { key?: string } = { method: "POST", body: form };
  if (opts.key !== undefined) init.key = opts.key;
  return h.call("/api/file-stream-upload", init);
}

/** Uploads an audio file and answers its source track ids (fails the test when it is not registered as audio). */
export async function uploadTrack(
  h: TestHookline,
  path: string,
  key?: string,
): Promise<{ taskId: string; audioId: string; downloadUrl: string; filePath: string }> {
  const up = await streamUpload(h, path, key === undefined ? {} : { key });
  expect(up, JSON.stringify(up)).toMatchObject({ success: true, code: 200 });
  expect(up.data.audioId).toBeTypeOf("string");
  return up.data;
}

/** Polls `GET /api/v1/wav/record-info` until the status leaves PENDING (at most 15 s). */
export function settledWav(h: TestHookline, taskId: string, key?: string): Promise<Envelope> {
  return waitFor(
    `WAV task ${taskId} to leave PENDING`,
    async () => {
      const rec = await h.call(`/api/v1/wav/record-info?taskId=${taskId}`, key === undefined ? {} : { key });
      return rec.code !== 200 || rec.data.status !== "PENDING" ? rec : undefined;
    },
    { timeoutMs: 15_000 },
  );
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The server keeps serving (issue: "each gets its documented code; the server keeps serving"): liveness answers
 * and one good authenticated request still works.
 */
export async function expectServing(h: TestHookline): Promise<void> {
  const health = await fetch(`${h.url}/healthz`);
  expect(health.status).toBe(200);
  const credit = await h.call("/api/v1/generate/credit");
  expect(credit).toMatchObject({ code: 200, data: 999_999_999 });
}

/** A raw request with the test key: for bodies `api()` cannot send (malformed JSON, odd content types). */
export function raw(
  h: TestHookline,
  path: string,
  body: string | Uint8Array,
  headers: Record<string, string> = { "content-type": "application/json" },
): Promise<Response> {
  return fetch(`${h.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${h.apiKey}`, ...headers },
    body,
  });
}
