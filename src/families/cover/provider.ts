/**
 * An external image-generation service speaking the widely used `POST /v1/images/generations` JSON API
 * (`{model, prompt, n, size, response_format: "b64_json"}` → `{data: [{b64_json} | {url}]}`). Every request goes
 * through the guarded outbound client (DESIGN invariant 4), so the service's address is vetted like a callback's.
 * Failures become errors with the codes the cover callback needs: no answer in time → "timeout" (408); a refused
 * connection, an error status or an answer that holds no image → "conversion_failed" (501).
 * @module
 */
import { readFile, rm } from "node:fs/promises";
import { Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import type { Config } from "../../config/index.js";
import { HooklineError } from "../../lib/errors.js";
import { sniffMime } from "../../media/index.js";
import type { Services } from "../../services/index.js";

/** Image types accepted from a service, with the extension they are stored under. */
const ACCEPTED: Record<string, string> = { "image/png": "png", "image/jpeg": "jpg", "image/webp": "webp" };
/** Largest answer read: a 1024² PNG in base64 is 2–4 MB; this leaves room for 2048² images. */
const MAX_ANSWER_BYTES = 48 * 1024 * 1024;

/** The part of an OpenAI-style images answer used: the first image, inline (base64) or by URL. */
const ImageAnswer = Type.Object({
  data: Type.Array(
    // Other fields, of any type, are ignored, and either of these may be null.
    Type.Object({ b64_json: Type.Optional(Type.Unknown()), url: Type.Optional(Type.Unknown()) }),
    { minItems: 1 },
  ),
});
export type ProviderConfig = NonNullable<Config["cover"]["provider"]>;

/** One image from the service. */
export interface ProvidedImage {
  readonly bytes: Buffer;
  readonly mimeType: string;
  readonly extension: string;
}

/** The endpoint: the base URL plus `/v1/images/generations` (or only `/images/generations` after a `/v1` base). */
export function generationsUrl(baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, "");
  return /\/v1$/.test(base) ? `${base}/images/generations` : `${base}/v1/images/generations`;
}

const failed = (message: string) => new HooklineError("conversion_failed", `image service: ${message}`);

function image(bytes: Buffer): ProvidedImage {
  const mimeType = sniffMime(bytes.subarray(0, 64));
  const extension = ACCEPTED[mimeType];
  if (!extension) throw failed(`the answer is not a PNG, JPEG or WebP image (${mimeType})`);
  return { bytes, mimeType, extension };
}

/**
 * Asks the service for one image of `size` × `size` for `prompt`.
 *
 * @example
 * const img = await generateImage(services, config.cover.provider!, prompt, 1024, signal);
 */
export async function generateImage(
  services: Services,
  provider: ProviderConfig,
  prompt: string,
  size: number,
  signal?: AbortSignal,
): Promise<ProvidedImage> {
  const started = services.clock.now();
  const body = JSON.stringify({
    model: provider.model,
    prompt,
    n: 1,
    size: `${size}x${size}`,
    response_format: "b64_json",
  });
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  if (provider.key) headers.authorization = `Bearer ${provider.key}`;
  const answer = await services.outbound.post(generationsUrl(provider.url), body, headers, {
    timeoutMs: provider.timeoutMs,
    excerptBytes: MAX_ANSWER_BYTES,
    ...(signal ? { signal } : {}),
  });
  if (signal?.aborted) throw signal.reason;
  if (answer.errorClass === "timeout") {
    throw new HooklineError("timeout", `image service: no answer within ${provider.timeoutMs} ms`);
  }
  if (answer.status === null)
    throw failed(`${answer.errorClass ?? "no answer"}: ${answer.errorMessage ?? ""}`.trim());
  if (answer.status < 200 || answer.status > 299) {
    throw failed(`HTTP ${answer.status}: ${answer.excerpt.slice(0, 200).replace(/\s+/g, " ")}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.excerpt);
  } catch {
    throw failed("the answer is not JSON (or larger than the limit)");
  }
  const first = Value.Check(ImageAnswer, parsed) ? parsed.data[0] : undefined;
  if (typeof first?.b64_json === "string" && first.b64_json !== "") {
    return image(Buffer.from(first.b64_json, "base64"));
  }
  if (typeof first?.url === "string") {
    const left = Math.max(1, provider.timeoutMs - (services.clock.now() - started));
    const temp = services.blobs.tempPath("img");
    try {
      await services.outbound.download(first.url, temp, {
        maxBytes: MAX_ANSWER_BYTES,
        timeoutMs: left,
        ...(signal ? { signal } : {}),
      });
      return image(await readFile(temp));
    } catch (error) {
      if (error instanceof HooklineError && error.code !== "conversion_failed") {
        throw error.code === "source_unavailable" && /did not finish within/.test(error.message)
          ? new HooklineError("timeout", `image service: ${error.message}`)
          : failed(error.message);
      }
      throw error;
    } finally {
      await rm(temp, { force: true });
    }
  }
  throw failed("the answer holds no data[0].b64_json or data[0].url");
}
