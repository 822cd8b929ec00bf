import type { FastifyInstance } from "fastify";
import { HooklineError } from "../lib/errors.js";
import { closingOnPurpose } from "./aborts.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Upload routes: their requests count against the per-key cap on uploads in progress. */
    upload?: boolean;
  }
}

/**
 * At most `max` uploads in progress per API key on this process, for routes marked `config: { upload: true }`.
 * One more is refused at once with the rate-limit code (430 / 429), before its body is read, and the connection
 * is closed after the answer so the unread body is not drained. A slot is freed when its request ends however
 * it ends: answered, aborted or cut off (the response's or the socket's `close`, whichever comes first).
 * Registered after the auth hook, which sets the key.
 */
export function registerUploadCap(app: FastifyInstance, max: number): void {
  const inProgress = new Map<string, number>();
  app.addHook("onRequest", async (request, reply) => {
    const key = request.apiKey;
    if (!request.routeOptions.config.upload || !key) return;
    const count = inProgress.get(key.id) ?? 0;
    if (count >= max) {
      reply.header("connection", "close");
      closingOnPurpose(request.socket);
      throw new HooklineError(
        "rate_limited",
        `Too many uploads in progress for this key (at most ${max} at once); retry when one has finished`,
      );
    }
    inProgress.set(key.id, count + 1);
    const socket = request.socket;
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      socket.off("close", release);
      const left = (inProgress.get(key.id) ?? 1) - 1;
      if (left > 0) inProgress.set(key.id, left);
      else inProgress.delete(key.id);
    };
    reply.raw.once("close", release);
    socket.once("close", release);
  });
}
