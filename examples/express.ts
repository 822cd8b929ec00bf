/**
 * A minimal Hookline callback receiver in Express (4 or 5).
 *
 *   HOOKLINE_WEBHOOK_KEY=whsec_… PORT=8080 node dist/examples/express.js
 *
 * Mount the receiver before `express.json()` (or after `express.raw()`): signatures are over the raw bytes.
 */

import express from "express";
import { expressCallbackMiddleware } from "hookline/client";

const app = express();

app.post(
  "/hookline",
  expressCallbackMiddleware({
    keys: (process.env.HOOKLINE_WEBHOOK_KEY ?? "").split(",").filter(Boolean),
    onCallback(callback, { messageId, verification }) {
      if (callback.family === "wav" && callback.succeeded) {
        // e.g. queue a download of callback.audioWavUrl before it expires
      }
      console.log(
        JSON.stringify({
          family: callback.family,
          taskId: callback.taskId,
          code: callback.code,
          succeeded: callback.succeeded,
          messageId,
          schemes: verification.schemes,
        }),
      );
    },
  }),
);

// The rest of the app parses JSON as usual.
app.use(express.json());

const server = app.listen(Number(process.env.PORT ?? 8080), "127.0.0.1", () => {
  console.log(JSON.stringify({ listening: (server.address() as { port: number }).port }));
});
