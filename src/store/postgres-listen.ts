/**
 * Cross-process wake-ups on PostgreSQL: LISTEN on a dedicated connection, NOTIFY from any process. A lost
 * connection is re-opened with a growing pause (1 s, doubling, at most 30 s) for as long as it takes; polling
 * covers the gap, so a missed notification only costs latency. On every reconnection each channel is woken once
 * locally, since whatever was notified during the outage was missed.
 */
export interface Listener {
  /** Sends a notification on a channel (fire and forget). */
  notify(channel: string): void;
  close(): Promise<void>;
}

/** What the listener tells its owner about its connection: once per outage, not once per attempt. */
export interface ListenerEvents {
  /** The listening connection was lost (or a notification could not be sent); retries follow by themselves. */
  onDown?(error: unknown): void;
  /** Listening again after an outage, after `attempts` tries and `downMs` milliseconds. */
  onUp?(info: { attempts: number; downMs: number }): void;
}

/** The pauses between reconnection attempts. */
export interface Backoff {
  readonly firstMs: number;
  readonly maxMs: number;
}

const BACKOFF: Backoff = { firstMs: 1_000, maxMs: 30_000 };

type PgClient = import("pg").Client;

/** The pause before attempt `n` (1-based) of an outage: firstMs, doubling, capped at maxMs. */
export function backoffMs(n: number, b: Backoff = BACKOFF): number {
  return Math.min(b.maxMs, b.firstMs * 2 ** Math.max(0, Math.min(n - 1, 30)));
}

/**
 * Opens the listening connection (the first attempt must succeed: a database that is down at start is a
 * start-up failure) and a one-connection pool for NOTIFY.
 *
 * @example
 * const l = await listenPostgres(url, ["hookline_tasks"], (ch) => notifiers[ch]?.wake(), { onDown: (e) => log.warn(e) });
 * l.notify("hookline_tasks");
 */
export async function listenPostgres(
  url: string,
  channels: readonly string[],
  onNotify: (channel: string) => void,
  events: ListenerEvents = {},
  backoff: Backoff = BACKOFF,
): Promise<Listener> {
  const pg = (await import("pg")).default;
  let closed = false;
  let client: PgClient | null = null;
  let retry: NodeJS.Timeout | null = null;
  /** The current outage: when it began and how many attempts it took so far; null while listening. */
  let outage: { since: number; attempts: number } | null = null;

  /** Opens a client and LISTENs on every channel; the client is ended again when any step fails. */
  async function open(): Promise<PgClient> {
    const c = new pg.Client({ connectionString: url });
    c.on("notification", (msg) => onNotify(msg.channel));
    // Until `lost` replaces it: an error while connecting also rejects connect(), which is handled there.
    c.on("error", () => undefined);
    try {
      await c.connect();
      for (const channel of channels) await c.query(`LISTEN ${channel}`);
    } catch (error) {
      await c.end().catch(() => undefined);
      throw error;
    }
    c.removeAllListeners("error");
    c.on("error", (error) => lost(c, error));
    // A server that goes away cleanly ends the connection without an error event.
    c.on("end", () => lost(c, new Error("the listening connection ended")));
    return c;
  }

  function lost(c: PgClient, error: unknown): void {
    if (client !== c) return;
    client = null;
    c.end().catch(() => undefined);
    if (closed) return;
    outage = { since: Date.now(), attempts: 0 };
    events.onDown?.(error);
    schedule();
  }

  function schedule(): void {
    if (closed || !outage) return;
    retry = setTimeout(() => void attempt(), backoffMs(outage.attempts + 1, backoff));
    retry.unref();
  }

  async function attempt(): Promise<void> {
    retry = null;
    if (closed || !outage) return;
    outage.attempts++;
    let c: PgClient;
    try {
      c = await open();
    } catch {
      schedule();
      return;
    }
    if (closed) {
      await c.end().catch(() => undefined);
      return;
    }
    const { since, attempts } = outage;
    outage = null;
    client = c;
    events.onUp?.({ attempts, downMs: Date.now() - since });
    for (const channel of channels) onNotify(channel);
  }

  client = await open();
  // A one-connection pool re-opens its connection by itself after a failure.
  const sender = new pg.Pool({ connectionString: url, max: 1 });
  sender.on("error", () => undefined);
  // A client cut while checked out emits 'error' with no pool listener on it: without this, the process dies.
  sender.on("connect", (c) => c.on("error", () => undefined));
  // While the database is away, every notify fails alike: one report per outage of the sender too.
  let sendFailing = false;

  return {
    notify(channel) {
      sender.query("select pg_notify($1, '')", [channel]).then(
        () => {
          sendFailing = false;
        },
        (error: unknown) => {
          if (!sendFailing && !closed) events.onDown?.(error);
          sendFailing = true;
        },
      );
    },
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const c = client;
      client = null;
      await Promise.all([c?.end().catch(() => undefined), sender.end().catch(() => undefined)]);
    },
  };
}
