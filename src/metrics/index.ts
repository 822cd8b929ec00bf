/**
 * Prometheus metrics of one running Hookline: its registry, the observers the engine reports to, the scrape's
 * token check and the metrics-only listener (docs/operations.md).
 * @module
 */
export { type MetricsListener, scrapeAllowed, startMetricsListener } from "./exposition.js";
export { type AttemptClass, attemptClass, createMetrics, type Metrics } from "./metrics.js";
export { watchFailures } from "./watch-store.js";
