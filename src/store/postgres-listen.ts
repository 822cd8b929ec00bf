/**
 * Cross-process wake-ups on PostgreSQL: LISTEN on a dedicated connection, NOTIFY from any process. A lost
 * connection is re-opened after a short pause; polling covers the gap, so a missed notification only costs latency.
 */
export interface Listener {
  /** Sends a notification on a channel (fire and forget). */
  notify(channel: string): void;
  close(): Promise<void>;
}

type PgClient = import("pg").Client;

export async function listenPostgres(
  url: string,
  channels: readonly string[],
  onNotify: (channel: string) => void,
  onError: (error: unknown) => void = () => undefined,
): Promise<Listener> {
  const pg = (await import("pg")).default;
  let closed = false;
  let client: PgClient | null = null;

  async function connect(): Promise<void> {
    if (closed) return;
    const c = new pg.Client({ connectionString: url });
    c.on("notification", (msg) => onNotify(msg.channel));
    c.on("error", (error) => {
      onError(error);
      client = null;
      c.end().catch(() => undefined);
      if (!closed) setTimeout(() => void connect().catch(onError), 1_000).unref();
    });
    await c.connect();
    for (const channel of channels) await c.query(`LISTEN ${channel}`);
    client = c;
  }

  await connect();
  // A one-connection pool re-opens its connection by itself after a failure.
  const sender = new pg.Pool({ connectionString: url, max: 1 });
  sender.on("error", onError);

  return {
    notify(channel) {
      sender.query("select pg_notify($1, '')", [channel]).catch(onError);
    },
    async close() {
      closed = true;
      await Promise.all([client?.end().catch(() => undefined), sender.end().catch(() => undefined)]);
    },
  };
}
