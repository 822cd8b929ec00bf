import { Worker } from "node:worker_threads";

/**
 * WAL checkpoints on a worker thread. SQLite's automatic checkpoint runs inside whichever commit crosses 1,000 WAL
 * pages: that commit then copies the pages into the database file and fsyncs both files, on the event loop, for
 * 2–30 ms on this machine (measured: 34 of 444 commits of a delivery drain took 80 % of all commit time). Here the
 * main connection does not checkpoint; a second connection on a worker thread does, at most every `intervalMs`
 * after commits were counted. The same fsyncs happen (WAL, `synchronous = NORMAL`): durability is unchanged,
 * only the thread that waits for the disk is another one.
 *
 * A WAL starts over (is written again from its start) only when a checkpoint has copied every frame; under
 * steady load commits land during each checkpoint, so it would grow without end (measured: 1.5 GB in 16 s of
 * submissions, with every page read slowed by the longer WAL index). Once the WAL is longer than
 * `restartFrames`, the thread therefore asks for a pause: the next transaction, holding the connection, waits
 * ({@link Checkpointer.gate}: the event loop does not) while the thread checkpoints the few frames that came
 * meanwhile, and then commits first into a WAL that starts over.
 */
export interface Checkpointer {
  /** Counts a commit (the worker checkpoints after commits only). Cheap: an atomic add. */
  committed(): void;
  /** How many checkpoints the thread has run. */
  checkpoints(): number;
  /** How many pauses it was granted (after each, the next commit starts the WAL over). */
  pauses(): number;
  /**
   * Called by a transaction holding the connection, before it begins: null to go on at once, or a promise to
   * await when the thread asked for a pause (it then runs one short checkpoint with no writer in between).
   */
  gate(): Promise<void> | null;
  /** Stops the worker after its current checkpoint, if any. */
  stop(): Promise<void>;
}

/** Options of {@link startCheckpointer}. */
export interface CheckpointerOptions {
  /** The database file. */
  readonly path: string;
  /** The resolved path of better-sqlite3 (the thread loads the same driver). */
  readonly driver: string;
  /** Called if the thread dies: the caller turns SQLite's own checkpoints back on. */
  readonly onFailure: (error: unknown) => void;
  readonly intervalMs?: number;
  readonly restartFrames?: number;
}

// A CommonJS script run with `eval`, so that it loads alike from the build and from the TypeScript sources the
// tests run. It blocks on Atomics.wait between checkpoints and needs no event loop. Shared words: [0] commits
// counted, [1] stop, [2] checkpoints run, [3] pause: 0 none, 1 asked, 2 granted, [4] pauses granted.
const WORKER_SOURCE = `
const { workerData, parentPort } = require("node:worker_threads");
const Database = require(workerData.driver);
const s = new Int32Array(workerData.signal);
const db = new Database(workerData.path);
db.pragma("busy_timeout = 10000");
const stopped = () => Atomics.load(s, 1) !== 0;
const checkpoint = () => {
  const [r] = db.pragma("wal_checkpoint(PASSIVE)");
  Atomics.add(s, 2, 1);
  return r;
};
function pauseAndRestart() {
  Atomics.store(s, 3, 1);
  Atomics.wait(s, 3, 1, 1000);
  // No transaction came to grant it: withdraw (the next round asks again; with no writes, a checkpoint is whole).
  if (Atomics.compareExchange(s, 3, 1, 0) === 1) return;
  try {
    checkpoint();
    Atomics.add(s, 4, 1);
  } finally {
    Atomics.store(s, 3, 0);
    parentPort.postMessage("released");
  }
}
let seen = 0;
try {
  while (!stopped()) {
    // Woken by a counted commit; every few seconds anyway, for writes made outside transactions.
    Atomics.wait(s, 0, seen, 5000);
    if (stopped()) break;
    // Let the commits of the next moments join this checkpoint.
    Atomics.wait(s, 1, 0, workerData.intervalMs);
    if (stopped()) break;
    seen = Atomics.load(s, 0);
    if (checkpoint().log < workerData.restartFrames || stopped()) continue;
    // A catch-up pass copies what came during the first, so that the pause covers only a short last one.
    checkpoint();
    if (!stopped()) pauseAndRestart();
  }
} finally {
  db.close();
}
`;

/** Starts the checkpointing thread for one database (see {@link Checkpointer}). */
export function startCheckpointer(opts: CheckpointerOptions): Checkpointer {
  const shared = new SharedArrayBuffer(20);
  const signal = new Int32Array(shared);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      path: opts.path,
      driver: opts.driver,
      signal: shared,
      intervalMs: opts.intervalMs ?? 200,
      restartFrames: opts.restartFrames ?? 4096,
    },
    // The thread prints nothing; left piped to this process's stdout, its creation would open that pipe.
    stdout: true,
    stderr: true,
  });
  let released: (() => void) | null = null;
  const exited = new Promise<void>((resolve) => {
    worker.once("error", opts.onFailure);
    worker.once("exit", () => {
      released?.();
      resolve();
    });
  });
  worker.on("message", (m: unknown) => {
    if (m === "released") released?.();
  });
  // An idle server must be able to exit while the thread sleeps.
  worker.unref();
  return {
    committed() {
      Atomics.add(signal, 0, 1);
      Atomics.notify(signal, 0);
    },
    checkpoints: () => Atomics.load(signal, 2),
    pauses: () => Atomics.load(signal, 4),
    gate() {
      // One atomic read per transaction; the thread may withdraw its request until this exchange succeeds.
      if (Atomics.load(signal, 3) !== 1 || Atomics.compareExchange(signal, 3, 1, 2) !== 1) return null;
      // Referenced while paused: the release comes as a message, and nothing else may be keeping the loop alive.
      worker.ref();
      const done = new Promise<void>((resolve) => {
        released = () => {
          released = null;
          worker.unref();
          resolve();
        };
      });
      Atomics.notify(signal, 3);
      return done;
    },
    async stop() {
      // Held referenced while it winds down, or a process with nothing else left would exit before it did.
      worker.ref();
      // Both words change before the wake-ups, so a thread that was not yet waiting does not start to.
      Atomics.store(signal, 1, 1);
      Atomics.add(signal, 0, 1);
      Atomics.notify(signal, 0);
      Atomics.notify(signal, 1);
      await exited;
    },
  };
}
