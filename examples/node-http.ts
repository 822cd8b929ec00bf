/**
 * A minimal Hookline callback receiver on Node's own `http` module.
 *
 *   HOOKLINE_WEBHOOK_KEY=whsec_… PORT=8080 node dist/examples/node-http.js
 *
 * Every callback is verified (both signature schemes, ±300 s), parsed into a typed value, and processed once per
 * message id, even across restarts when CALLBACKS_DB names a SQLite file. Forged or stale callbacks get 401.
 */
import { createServer } from "node:http";
import { type IdempotencyStore, nodeCallbackListener, openSqliteIdempotencyStore } from "hookline/client";

const keys = (process.env.HOOKLINE_WEBHOOK_KEY ?? "").split(",").filter(Boolean); // old,new during a rotation
const idempotency: IdempotencyStore | undefined = process.env.CALLBACKS_DB
  ? await openSqliteIdempotencyStore(process.env.CALLBACKS_DB)
  : undefined; // undefined: the bounded in-memory store

const server = createServer(
  nodeCallbackListener({
    keys,
    ...(idempotency ? { idempotency } : {}),
    onCallback(callback, { messageId, verification }) {
      // Answer fast: hand slow work (downloads) to a queue. Here we only print what arrived.
      const result =
        callback.family === "wav"
          ? callback.audioWavUrl
          : callback.family === "cover"
            ? callback.images
            : null;
      console.log(JSON.stringify({ ...pick(callback), messageId, schemes: verification.schemes, result }));
    },
    onRejected: (why) => console.error(JSON.stringify({ rejected: why })),
  }),
);

server.listen(Number(process.env.PORT ?? 8080), "127.0.0.1", () => {
  console.log(JSON.stringify({ listening: (server.address() as { port: number }).port }));
});

function pick(c: { family: string; taskId: string; code: number; succeeded: boolean }) {
  return { family: c.family, taskId: c.taskId, code: c.code, succeeded: c.succeeded };
}
