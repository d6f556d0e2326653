// otelstack canary: verify's round, every interval, per environment, as Prometheus metrics.
export { CanaryMetrics } from './metrics.js';
export { maxInFlight, runCanary, type CanaryEnvironment, type CanaryLoopOptions } from './loop.js';
export { runRound, type QueryErrorCount, type RoundOptions, type RoundReport, type SignalOutcome } from './round.js';
export { serveMetrics, type MetricsServer } from './server.js';
