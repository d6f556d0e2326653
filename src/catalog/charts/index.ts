import { alloyKeys } from './alloy.js';
import { grafanaKeys } from './grafana.js';
import { lokiKeys } from './loki.js';
import { mimirDistributedKeys } from './mimir-distributed.js';
import { pyroscopeKeys } from './pyroscope.js';
import { tempoDistributedKeys } from './tempo-distributed.js';
import { tempoKeys } from './tempo.js';
import type { ChartValueKeys } from './types.js';

export * from './types.js';
export * from './mimir-distributed.js';
export * from './tempo-distributed.js';
export * from './tempo.js';
export * from './grafana.js';
export * from './loki.js';
export * from './pyroscope.js';
export * from './alloy.js';

/** Value-key lists by chart name (each for the chart version pinned in versions.json). */
export const CHART_VALUE_KEYS: Readonly<Record<string, ChartValueKeys>> = {
  tempo: tempoKeys,
  'tempo-distributed': tempoDistributedKeys,
  'mimir-distributed': mimirDistributedKeys,
  grafana: grafanaKeys,
  loki: lokiKeys,
  pyroscope: pyroscopeKeys,
  alloy: alloyKeys,
};
