/**
 * A minimal Hookline callback receiver for fetch-style frameworks (web `Request` in, `Response` out): the same
 * `handler` serves as a Next.js route handler (`export const POST = handler`), a Hono route
 * (`app.post("/hookline", (c) => handler(c.req.raw))`), Bun/Deno (`export default { fetch: handler }`) or a worker.
 *
 *   HOOKLINE_WEBHOOK_KEY=whsec_… PORT=8080 node dist/examples/fetch.js
 *
 * Run with Node, the few lines at the bottom bridge Node's `http` to `Request`/`Response`.
 */
import { createServer } from "node:http";
import { fetchCallbackHandler } from "hookline/client";

export const handler = fetchCallbackHandler({
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

// Node bridge: IncomingMessage → Request, Response → ServerResponse.
const server = createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const request = new Request(`http://${req.headers.host}${req.url}`, {
    method: req.method ?? "GET",
    headers: Object.entries(req.headers).flatMap(([k, v]) =>
      v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((x): [string, string] => [k, x]),
    ),
    ...(req.method === "POST" ? { body: Buffer.concat(chunks) } : {}),
  });
  const response = await handler(request);
  res
    .writeHead(response.status, Object.fromEntries(response.headers))
    .end(Buffer.from(await response.arrayBuffer()));
});
server.listen(Number(process.env.PORT ?? 8080), "127.0.0.1", () => {
  console.log(JSON.stringify({ listening: (server.address() as { port: number }).port }));
});
