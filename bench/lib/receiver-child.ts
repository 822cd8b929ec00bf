/**
 * The loopback receiver of the delivery benchmark, run as its own process (so that it does not share an event
 * loop with the sender it measures): a node:http server on 127.0.0.1 answering 200 with an empty body as soon
 * as a request's body has arrived. It notes each request's `webhook-id` and the CLOCK_MONOTONIC time of its
 * answer, and hands them over on request through the IPC channel.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { ParentMessage, ReceiverMessage } from "./receiver.js";

const send = (m: ReceiverMessage): void => {
  process.send?.(m);
};
let ids: string[] = [];
let times: number[] = [];
let target: number | null = null;

const server = createServer((req, res) => {
  req.resume();
  req.once("end", () => {
    res.writeHead(200, { "content-length": "0" });
    res.end();
    const id = req.headers["webhook-id"];
    ids.push(typeof id === "string" ? id : "");
    times.push(Number(process.hrtime.bigint()) / 1e6);
    if (target !== null && ids.length >= target) {
      target = null;
      send({ type: "reached", count: ids.length });
    }
  });
});
// Keep connections across the pauses between phases, as a real receiver behind keep-alive would.
server.keepAliveTimeout = 60_000;

process.on("message", (m: ParentMessage) => {
  switch (m.type) {
    case "reset":
      ids = [];
      times = [];
      target = null;
      send({ type: "reset-done" });
      break;
    case "await":
      if (ids.length >= m.count) send({ type: "reached", count: ids.length });
      else target = m.count;
      break;
    case "collect":
      send({ type: "records", ids, times });
      break;
    case "close":
      server.closeAllConnections();
      server.close(() => process.exit(0));
      break;
  }
});

server.listen(0, "127.0.0.1", () => {
  send({ type: "ready", port: (server.address() as AddressInfo).port });
});
