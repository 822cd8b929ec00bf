/**
 * A minimal Hookline callback receiver in Fastify.
 *
 *   HOOKLINE_WEBHOOK_KEY=whsec_… PORT=8080 node dist/examples/fastify.js
 *
 * The plugin keeps the raw body inside its own encapsulated context; the rest of the app parses JSON as usual.
 */
import Fastify from "fastify";
import { fastifyCallbackPlugin } from "hookline/client";

const app = Fastify();

await app.register(fastifyCallbackPlugin, {
  path: "/hookline",
  keys: (process.env.HOOKLINE_WEBHOOK_KEY ?? "").split(",").filter(Boolean),
  onCallback(callback, { messageId, verification }) {
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
});

const address = await app.listen({ port: Number(process.env.PORT ?? 8080), host: "127.0.0.1" });
console.log(JSON.stringify({ listening: Number(new URL(address).port) }));
