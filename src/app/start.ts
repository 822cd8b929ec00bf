import { hostname } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { type Config, OPTIONS } from "../config/index.js";
import { createSender, type Sender, type SenderOptions } from "../delivery/index.js";
import { FAMILIES } from "../families/index.js";
import { type BlobStore, createLocalBlobStore, createUrlSigner, openS3BlobStore } from "../files/index.js";
import { buildApp } from "../http/index.js";
import { type Clock, systemClock } from "../lib/clock.js";
import { randomToken } from "../lib/ids.js";
import type { Logger } from "../lib/logger.js";
import { type Ffmpeg, ffmpegInstallHelp, findFfmpeg } from "../media/index.js";
import { createMetrics, startMetricsListener, watchFailures } from "../metrics/index.js";
import { createOutbound, observeRefusals } from "../net/index.js";
import { createDiskGauge } from "../quota/index.js";
import {
  adminRoutes,
  callbackStreamRoutes,
  commonRoutes,
  consoleRoutes,
  hooklineRoutes,
  metricsRoutes,
  testCallbackRoute,
} from "../routes/index.js";
import type { Services } from "../services/index.js";
import { simulatingFamily, simulationSender } from "../simulation/index.js";
import { ensureSecret, openStore } from "../store/index.js";
import {
  createRunner,
  type Family,
  type LeaseLoopOptions,
  Notifier,
  type Runner,
  type RunnerOptions,
} from "../tasks/index.js";
import { trackRoutes } from "../tracks/index.js";
import { trackRegistrationRoute, uploadRoutes } from "../uploads/index.js";
import { reconcileAtStart, startSweeper } from "./sweeper.js";

export interface StartOptions {
  readonly config: Config;
  readonly log: Logger;
  readonly clock?: Clock;
  /** Which parts run in this process (all by default: `hookline serve`). */
  readonly roles?: { readonly api?: boolean; readonly runner?: boolean; readonly sender?: boolean };
}

export interface Running {
  readonly services: Services;
  readonly app: FastifyInstance | null;
  readonly runner: Runner | null;
  readonly sender: Sender | null;
  /** The address the API listens on, when it runs. */
  readonly url: string | null;
  /** The metrics-only listener's address, when `HOOKLINE_METRICS_PORT` is set. */
  readonly metricsUrl: string | null;
  /** Graceful stop: no new requests or claims, running work finished or its leases released. */
  stop(graceMs?: number): Promise<void>;
}

export class StartupError extends Error {}

/** The port cannot be had: said in a sentence with the way out, not as a stack (a second `serve` is common). */
function listenFailure(error: unknown, host: string, port: number): unknown {
  const code = error instanceof Error && "code" in error ? error.code : null;
  if (code === "EADDRINUSE")
    return new StartupError(
      `Port ${port} on ${host} is already in use: is Hookline (or something else) already running there?\n` +
        `Stop it, or start this one on another port: --port N (or ${OPTIONS.port.env}=N).`,
    );
  if (code === "EACCES" || code === "EADDRNOTAVAIL")
    return new StartupError(
      `Cannot listen on ${host}:${port} (${code}): choose another --host or --port (${OPTIONS.host.env}, ${OPTIONS.port.env}).`,
    );
  return error;
}

/** Opens everything the configuration names (database, file store, ffmpeg) and builds the shared services. */
export async function openServices(
  config: Config,
  log: Logger,
  clock: Clock = systemClock,
): Promise<Services> {
  const ffmpeg: Ffmpeg | null = await findFfmpeg(config.ffmpeg, { log });
  if (!ffmpeg)
    throw new StartupError(
      `ffmpeg was not found, and Hookline decodes audio with it.\n${ffmpegInstallHelp()}`,
    );
  const store = await openStore(config.database);
  const blobs = await openBlobStore(config, log);
  const metrics = createMetrics({ store, clock, log });
  const signer = createUrlSigner(await ensureSecret(store, "url_signing_key"), config.publicUrl);
  const outbound = observeRefusals(createOutbound(config.outbound), metrics.refused);
  const tasks = new Notifier();
  const messages = new Notifier();
  const channels: Record<string, Notifier> = { hookline_tasks: tasks, hookline_messages: messages };
  const listener = await store.listen(Object.keys(channels), (channel) => channels[channel]?.wake(), {
    // Once per outage: the listener retries by itself (1 s doubling to 30 s), and polling goes on meanwhile.
    onDown: (error) =>
      log.warn(
        { err: error },
        `cross-process wake-ups interrupted (database connection lost); retrying, idle work is found by polling every ${config.runner.pollMs} ms meanwhile`,
      ),
    onUp: (info) => log.info(info, "cross-process wake-ups restored"),
  });
  if (listener) {
    tasks.publishWith(() => listener.notify("hookline_tasks"));
    messages.publishWith(() => listener.notify("hookline_messages"));
  }
  return {
    config,
    store,
    // Wrapped once here, so that every failure of the store counts whichever folder called it.
    blobs: watchFailures(blobs, metrics.storageFailed),
    signer,
    outbound,
    disk: createDiskGauge(config.dataDir, clock),
    ffmpeg,
    clock,
    log,
    metrics,
    tasks,
    messages,
    async close() {
      await listener?.close();
      await outbound.close();
      await blobs.close();
      await store.close();
    },
  };
}

/**
 * The file store the configuration names. Either way the scratch area is `<dataDir>/files/tmp` on local disk
 * (ffmpeg writes there), so the disk gauge stays on the data folder.
 */
function openBlobStore(config: Config, log: Logger): Promise<BlobStore> {
  const root = join(config.dataDir, "files");
  if (config.s3 === null) return createLocalBlobStore(root);
  log.info(
    { bucket: config.s3.bucket, endpoint: config.s3.endpoint, prefix: config.s3.prefix },
    "files are stored in S3",
  );
  return openS3BlobStore({ scratchRoot: root, s3: config.s3, log });
}

/** What the runner and the sender of this process share (their own concurrency aside). */
function loopOptions(
  services: Services,
  families: ReadonlyMap<string, Family>,
  owner: string,
  concurrency: number,
): LeaseLoopOptions {
  const { config } = services;
  return {
    store: services.store,
    families,
    owner,
    concurrency,
    leaseMs: config.runner.leaseMs,
    pollMs: config.runner.pollMs,
    clock: services.clock,
    log: services.log,
    messages: services.messages,
  };
}

/** The runner as the configuration describes it. */
export function runnerOptions(
  services: Services,
  families: ReadonlyMap<string, Family>,
  owner: string,
): RunnerOptions {
  return {
    ...loopOptions(services, families, owner, services.config.runner.concurrency),
    tasks: services.tasks,
    observer: services.metrics.runner,
  };
}

/** The callback sender as the configuration describes it (benchmarks build theirs with this too). */
export function senderOptions(
  services: Services,
  families: ReadonlyMap<string, Family>,
  owner: string,
): SenderOptions {
  const { delivery } = services.config;
  return {
    ...loopOptions(services, families, owner, delivery.concurrency),
    perHost: delivery.perHost,
    outbound: services.outbound,
    timeoutMs: delivery.timeoutMs,
    excerptBytes: delivery.excerptBytes,
    policy: { scheduleMs: delivery.retryScheduleMs, jitter: delivery.jitter },
    extension: simulationSender,
    observe: services.metrics.attempted,
  };
}

/**
 * Starts Hookline: the API, the task runner and the callback sender in one process by default.
 *
 * @example
 * const running = await startHookline({ config: loadConfig(env), log });
 * // … later
 * await running.stop();
 */
export async function startHookline(opts: StartOptions): Promise<Running> {
  const { config, log } = opts;
  const roles = { api: true, runner: true, sender: true, ...opts.roles };
  const services = await openServices(config, log, opts.clock);
  await reconcileAtStart(services);
  const modules = FAMILIES.map((make) => make(services));
  // Failure simulation wraps each family here; the runner runs what it is given.
  const families = new Map<string, Family>(modules.map((m) => [m.family.name, simulatingFamily(m.family)]));
  const owner = `${hostname()}:${process.pid}:${randomToken(6)}`;

  let app: FastifyInstance | null = null;
  let url: string | null = null;
  if (roles.api) {
    app = await buildApp(
      services,
      [
        commonRoutes,
        uploadRoutes,
        trackRoutes,
        trackRegistrationRoute,
        hooklineRoutes,
        // Signed as the sender signs, failure simulation included.
        callbackStreamRoutes(simulationSender),
        testCallbackRoute,
        adminRoutes,
        metricsRoutes,
        consoleRoutes,
        ...modules.map((m) => m.routes),
      ],
      Object.assign({}, ...modules.map((m) => m.webhooks)),
    );
    try {
      url = await app.listen({ host: config.host, port: config.port });
    } catch (error) {
      await app.close();
      await services.close();
      throw listenFailure(error, config.host, config.port);
    }
    const bound = app.server.address();
    // Asked for port 0, the server learns its port only now: links name that port, not 0.
    if (config.publicUrlFromPort && config.port === 0 && bound !== null && typeof bound === "object") {
      services.signer.rebase(`http://localhost:${bound.port}`);
    }
  }
  const { port: metricsPort, token } = config.metrics;
  const metricsListener =
    metricsPort === null
      ? null
      : await startMetricsListener(services.metrics, { host: config.host, port: metricsPort, token });
  const runner = roles.runner ? createRunner(runnerOptions(services, families, owner)) : null;
  const sender = roles.sender ? createSender(senderOptions(services, families, owner)) : null;
  runner?.start();
  sender?.start();
  const sweeper = roles.runner ? startSweeper(services) : null;

  return {
    services,
    app,
    runner,
    sender,
    url,
    metricsUrl: metricsListener?.url ?? null,
    async stop(graceMs = 10_000) {
      if (app) {
        // Requests in flight may finish within the grace period; then their connections are closed, so that a
        // client that keeps one open (or an upload whose source never ends) cannot hold the stop.
        const server = app.server;
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        await app.close().finally(() => clearTimeout(force));
      }
      sweeper?.stop();
      await metricsListener?.close();
      await runner?.stop(graceMs);
      await sender?.stop();
      await services.close();
    },
  };
}
