/**
 * Small tools the process-level suites share: a client for a server running as a child process, polling with
 * deadlines (never fixed sleeps), an independent RIFF/WAVE reader, and independent signature checks.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { IncomingHttpHeaders } from "node:http";
import { basename } from "node:path";
import { Webhook } from "standardwebhooks";
import type { Envelope } from "../helpers/hookline.js";
import { waitFor as wait } from "../helpers/wait.js";

/** Talks to a Hookline over real HTTP with one API key. */
export interface Client {
  readonly url: string;
  call(path: string, init?: RequestInit & { json?: unknown }): Promise<Envelope>;
}

export function client(url: string, apiKey: string): Client {
  return {
    url,
    async call(path, init = {}) {
      const { json, headers, ...rest } = init;
      const res = await fetch(`${url}${path}`, {
        ...rest,
        method: rest.method ?? (json === undefined ? "GET" : "POST"),
        headers: {
          authorization: `Bearer ${apiKey}`,
          ...(json === undefined ? {} : { "content-type": "application/json" }),
          ...(headers as Record<string, string> | undefined),
        },
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
        signal: AbortSignal.timeout(30_000),
      });
      return (await res.json()) as Envelope;
    },
  };
}

/** Uploads an audio file by multipart stream upload; answers the source track it registered. */
export async function uploadTrack(c: Client, path: string): Promise<{ audioId: string; taskId: string }> {
  const form = new FormData();
  form.set("uploadPath", "e2e");
  form.set("file", new Blob([await readFile(path)]), basename(path));
  const up = await c.call("/api/file-stream-upload", { method: "POST", body: form });
  if (up.code !== 200 || typeof up.data?.audioId !== "string") {
    throw new Error(`upload of ${basename(path)} failed: ${JSON.stringify(up)}`);
  }
  return { audioId: up.data.audioId, taskId: up.data.taskId };
}

/** Asks for a WAV conversion; answers the WAV task id. */
export async function generateWav(c: Client, audioId: string, callBackUrl: string): Promise<string> {
  const gen = await c.call("/api/v1/wav/generate", { json: { audioId, callBackUrl } });
  if (gen.code !== 200 || typeof gen.data?.taskId !== "string") {
    throw new Error(`wav/generate failed: ${JSON.stringify(gen)}`);
  }
  return gen.data.taskId;
}

/** Polls `probe` until it answers a value other than undefined, or throws after `timeoutMs` (test/helpers/wait.ts). */
export function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  intervalMs = 100,
): Promise<Exclude<T, undefined | false>> {
  return wait(what, probe, { timeoutMs, intervalMs });
}

/** Polls WAV record-info until the task leaves PENDING; answers the record. */
export function waitForWavRecord(c: Client, taskId: string, timeoutMs: number): Promise<Envelope> {
  return waitFor(
    `task ${taskId} to finish`,
    async () => {
      const rec = await c.call(`/api/v1/wav/record-info?taskId=${taskId}`);
      return rec.data?.status === "PENDING" ? undefined : rec;
    },
    timeoutMs,
    200,
  );
}

/** The parts of a PCM WAV header a test checks, and where the samples are. */
export interface WavHeader {
  audioFormat: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  blockAlign: number;
  byteRate: number;
  data: Buffer;
}

/** Reads a RIFF/WAVE file by walking its chunks (written here, independent of the code under test). */
export function parseWav(buf: Buffer): WavHeader {
  if (buf.toString("ascii", 0, 4) !== "RIFF" || buf.toString("ascii", 8, 12) !== "WAVE") {
    throw new Error(`not a RIFF/WAVE file: ${buf.subarray(0, 12).toString("hex")}`);
  }
  if (buf.readUInt32LE(4) !== buf.length - 8) throw new Error("RIFF size does not match the file");
  let fmt: Omit<WavHeader, "data"> | null = null;
  for (let at = 12; at + 8 <= buf.length; ) {
    const id = buf.toString("ascii", at, at + 4);
    const size = buf.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === "fmt ") {
      fmt = {
        audioFormat: buf.readUInt16LE(body),
        channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4),
        byteRate: buf.readUInt32LE(body + 8),
        blockAlign: buf.readUInt16LE(body + 12),
        bitsPerSample: buf.readUInt16LE(body + 14),
      };
    } else if (id === "data") {
      if (!fmt) throw new Error("data chunk before fmt chunk");
      if (body + size !== buf.length) throw new Error("data chunk size does not match the file");
      return { ...fmt, data: buf.subarray(body, body + size) };
    }
    at = body + size + (size % 2);
  }
  throw new Error("no data chunk");
}

/** Largest absolute difference between two s16le sample buffers of the same length. */
export function maxSampleDiff(a: Buffer, b: Buffer): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i + 1 < a.length; i += 2) {
    const d = Math.abs(a.readInt16LE(i) - b.readInt16LE(i));
    if (d > max) max = d;
  }
  return max;
}

/** A header value as one string (Node gives arrays for repeated headers). */
export function header(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  return Array.isArray(v) ? v.join(", ") : (v ?? "");
}

/**
 * Checks a callback's Standard Webhooks headers with the `standardwebhooks` package (throws on a bad signature),
 * answering the verified payload.
 */
export function verifyStandard(webhookKey: string, body: string, headers: IncomingHttpHeaders): unknown {
  return new Webhook(webhookKey).verify(body, {
    "webhook-id": header(headers, "webhook-id"),
    "webhook-timestamp": header(headers, "webhook-timestamp"),
    "webhook-signature": header(headers, "webhook-signature"),
  });
}

/**
 * The same signature check for a callback received long ago: `standardwebhooks` refuses a timestamp more than five
 * minutes from now (replay protection), which a long test's early deliveries are by the time it checks them. The
 * package signs what the headers name, and the signature sent must be among those given.
 */
export function signedStandard(webhookKey: string, body: string, headers: IncomingHttpHeaders): boolean {
  const id = header(headers, "webhook-id");
  const seconds = Number(header(headers, "webhook-timestamp"));
  const expected = new Webhook(webhookKey).sign(id, new Date(seconds * 1000), body);
  return header(headers, "webhook-signature").split(" ").includes(expected);
}

/** Checks the resellers' `X-Webhook-Signature` (spec 9) with the test's own HMAC: key as UTF-8, taskId.timestamp. */
export function verifyReseller(webhookKey: string, taskId: string, headers: IncomingHttpHeaders): boolean {
  const timestamp = header(headers, "x-webhook-timestamp");
  const given = Buffer.from(header(headers, "x-webhook-signature"), "utf8");
  if (!/^\d+$/.test(timestamp)) return false;
  const expected = Buffer.from(
    createHmac("sha256", Buffer.from(webhookKey, "utf8")).update(`${taskId}.${timestamp}`).digest("base64"),
    "utf8",
  );
  return given.length === expected.length && timingSafeEqual(given, expected);
}
