import { alloyKeys } from './alloy.js';
import { grafanaKeys } from './grafana.js';
import { lokiKeys } from './loki.js';
import { mimirDistributedKeys } from './mimir-distributed.js';
import { pyroscopeKeys } from './pyroscope.js';
import { tempoDistributedKeys } from './tempo-distributed.js';
import { tempoKeys } from './tempo.js';
import type { ChartFacts, ChartValueKeys } from './types.js';
import { ALLOY_FACTS } from './alloy.js';
import { GRAFANA_FACTS } from './grafana.js';
import { LOKI_FACTS } from './loki.js';
import { MIMIR_DISTRIBUTED_FACTS } from './mimir-distributed.js';
import { PYROSCOPE_FACTS } from './pyroscope.js';
import { TEMPO_DISTRIBUTED_FACTS } from './tempo-distributed.js';
import { TEMPO_FACTS } from './tempo.js';

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

/** Chart facts (template guards, default workloads, list routes) by chart name, for the pinned versions. */
export const CHART_FACTS: Readonly<Record<string, ChartFacts>> = {
  tempo: TEMPO_FACTS,
  'tempo-distributed': TEMPO_DISTRIBUTED_FACTS,
  'mimir-distributed': MIMIR_DISTRIBUTED_FACTS,
  grafana: GRAFANA_FACTS,
  loki: LOKI_FACTS,
  pyroscope: PYROSCOPE_FACTS,
  alloy: ALLOY_FACTS,
};

/**
 * Whether otelstack renders values for this chart at this version: only for a chart whose value keys are in
 * CHART_VALUE_KEYS, at exactly that version. The reason says why not (render refuses such a chart with an error;
 * `otelstack catalog` marks it).
 */
export function chartSupport(
  chart: { readonly name: string; readonly version: string },
): { readonly rendered: true } | { readonly rendered: false; readonly refused: boolean; readonly reason: string } {
  const keys = CHART_VALUE_KEYS[chart.name];
  // render warns and writes no Application for such a chart (the component is deployed by hand)
  if (!keys) return { rendered: false, refused: false, reason: `otelstack writes no values (no Application) for the ${chart.name} chart yet` };
  // render refuses with an error
  if (keys.version !== chart.version) return { rendered: false, refused: true, reason: `otelstack writes values for ${chart.name} ${keys.version} only` };
  return { rendered: true };
}
