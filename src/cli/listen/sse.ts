/**
 * A reader of server-sent events (the WHATWG event-stream format) over a fetch body: `event`, `data` (joined by
 * newlines over several lines), `id` and `retry` fields; comment lines (`: ping`) are seen too, so that a silent
 * stream can be told from a live one.
 */

/** One dispatched event; `id` is the last event id seen so far (what Last-Event-ID resends). */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
  readonly id: string | null;
}

/**
 * What the reader yields: an event, or a sign of life (a comment, a retry line, a frame without data) with the last
 * event id so far (a frame of an `id` alone moves it, as EventSource's own does).
 */
export type SseItem =
  | { readonly kind: "event"; readonly value: SseEvent }
  | { readonly kind: "alive"; readonly id: string | null };

/** Reads `body` to its end as an event stream. */
export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseItem> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let event = "";
  let data: string[] = [];
  let id: string | null = null;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      // A lone \r at the end may be the first half of \r\n: it waits for the next chunk.
      for (let m = /\r\n|\n|\r(?!$)/.exec(buffer); m !== null; m = /\r\n|\n|\r(?!$)/.exec(buffer)) {
        const line = buffer.slice(0, m.index);
        buffer = buffer.slice(m.index + m[0].length);
        if (line === "") {
          if (data.length === 0) yield { kind: "alive", id };
          else yield { kind: "event", value: { event: event || "message", data: data.join("\n"), id } };
          event = "";
          data = [];
          continue;
        }
        if (line.startsWith(":")) {
          yield { kind: "alive", id };
          continue;
        }
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        let text = colon === -1 ? "" : line.slice(colon + 1);
        if (text.startsWith(" ")) text = text.slice(1);
        if (field === "event") event = text;
        else if (field === "data") data.push(text);
        else if (field === "id" && !text.includes("\0")) id = text;
        else if (field === "retry") yield { kind: "alive", id };
      }
    }
  } finally {
    // Left early (a stop, a silent stream): the connection is closed, not left to the garbage collector.
    await reader.cancel().catch(() => undefined);
  }
}
