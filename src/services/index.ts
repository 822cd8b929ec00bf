import type { Config } from "../config/index.js";
import type { BlobStore, UrlSigner } from "../files/index.js";
import type { Clock } from "../lib/clock.js";
import type { Logger } from "../lib/logger.js";
import type { Ffmpeg } from "../media/index.js";
import type { Metrics } from "../metrics/index.js";
import type { Outbound } from "../net/index.js";
import type { DiskGauge } from "../quota/index.js";
import type { Store } from "../store/index.js";
import type { Notifier } from "../tasks/index.js";

/**
 * What the parts of a running Hookline share, built once at start-up and passed down explicitly (no module
 * singletons). Families receive it when they are created.
 */
export interface Services {
  readonly config: Config;
  readonly store: Store;
  readonly blobs: BlobStore;
  readonly signer: UrlSigner;
  readonly outbound: Outbound;
  /** Free space of the data folder's disk (the floor of `config.limits.minFreeDiskBytes`). */
  readonly disk: DiskGauge;
  readonly ffmpeg: Ffmpeg;
  readonly clock: Clock;
  readonly log: Logger;
  /** This process's Prometheus registry and the observers that feed it. */
  readonly metrics: Metrics;
  /** Poked when a task is queued. */
  readonly tasks: Notifier;
  /** Poked when a callback is queued. */
  readonly messages: Notifier;
  /** Closes the database, the outbound client and the wake-up listener. */
  close(): Promise<void>;
}
