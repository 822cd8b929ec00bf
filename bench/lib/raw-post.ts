import { Agent, request } from "undici";
import { monoMs } from "./stats.js";

/** What the raw baseline measured. */
export interface RawResult {
  readonly seconds: number;
  readonly perSecond: number;
  /** Each request's round trip, ms. */
  readonly latencies: number[];
  readonly non2xx: number;
}

/**
 * The ceiling the sender is compared with: `total` POSTs of the same body and headers to the same receiver
 * with undici `request` and one shared keep-alive Agent (as Hookline's outbound client has), `concurrency` at a
 * time, and no bookkeeping at all: no database, no signing, no guard.
 */
export async function rawPosts(opts: {
  url: string;
  total: number;
  concurrency: number;
  body: string;
  headers: Record<string, string>;
}): Promise<RawResult> {
  const agent = new Agent({ connections: 128 });
  const latencies: number[] = [];
  let started = 0;
  let non2xx = 0;
  const worker = async () => {
    while (started < opts.total) {
      started++;
      const t = monoMs();
      const res = await request(opts.url, {
        dispatcher: agent,
        method: "POST",
        headers: opts.headers,
        body: opts.body,
      });
      await res.body.text();
      latencies.push(monoMs() - t);
      if (res.statusCode < 200 || res.statusCode > 299) non2xx++;
    }
  };
  const t0 = monoMs();
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const seconds = (monoMs() - t0) / 1000;
  await agent.close();
  return { seconds, perSecond: opts.total / seconds, latencies, non2xx };
}
