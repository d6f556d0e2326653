/**
 * examples/dts as it runs before Mimir 3: the same stack with Mimir 2.17 (microservices). Seed 004's runbook moves
 * Mimir between microservices and read-write, a mode Mimir 3.0 removed (grafana/mimir#12584): it applies to Mimir
 * 2.x, where read-write is experimental. `otelstack migrate plan examples/dts/mimir-2.ts examples/dts/read-write.ts
 * --env prod` prints it with prod's own replicas; the way back (read-write.ts → mimir-2.ts) is the move a read-write
 * stack makes before it upgrades to Mimir 3.
 */
import { defineStack } from 'otelstack';
import dts from './stack.js';

export default defineStack({
  ...dts,
  signals: { ...dts.signals, metrics: { ...dts.signals.metrics, version: '2.17.0' } },
});
