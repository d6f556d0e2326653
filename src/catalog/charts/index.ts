import { alloyKeys } from './alloy.js';
import { grafanaKeys } from './grafana.js';
import { lokiKeys } from './loki.js';
import { MIMIR_DISTRIBUTED_5_FACTS, mimirDistributed5Keys, mimirDistributedKeys } from './mimir-distributed.js';
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
 * Further chart versions otelstack writes values for, beside the pinned one: an engine line the catalog still
 * supports whose chart differs (Mimir 2.x and mimir-distributed 5.8.0 — the line with read-write mode).
 */
const OTHER_CHART_VERSIONS: ReadonlyArray<{ keys: ChartValueKeys; facts: ChartFacts }> = [{ keys: mimirDistributed5Keys, facts: MIMIR_DISTRIBUTED_5_FACTS }];

type ChartAt = { readonly name: string; readonly version: string };

/** The value keys of a chart at its version (undefined: otelstack writes no values for that chart version). */
export function chartValueKeys(chart: ChartAt): ChartValueKeys | undefined {
  const pinned = CHART_VALUE_KEYS[chart.name];
  if (pinned?.version === chart.version) return pinned;
  return OTHER_CHART_VERSIONS.find((o) => o.keys.chart === chart.name && o.keys.version === chart.version)?.keys;
}

/** The chart facts of a chart at its version (undefined: none recorded for that version). */
export function chartFacts(chart: ChartAt): ChartFacts | undefined {
  const pinned = CHART_FACTS[chart.name];
  if (pinned?.version === chart.version) return pinned;
  return OTHER_CHART_VERSIONS.find((o) => o.facts.chart === chart.name && o.facts.version === chart.version)?.facts;
}

/** The versions of a chart otelstack writes values for, pinned first. */
export function valueKeyVersions(name: string): string[] {
  const pinned = CHART_VALUE_KEYS[name];
  return [...(pinned ? [pinned.version] : []), ...OTHER_CHART_VERSIONS.filter((o) => o.keys.chart === name).map((o) => o.keys.version)];
}

/**
 * Whether otelstack renders values for this chart at this version: only for a chart whose value keys are in
 * CHART_VALUE_KEYS (or OTHER_CHART_VERSIONS), at exactly that version. The reason says why not (render refuses such a chart with an error;
 * `otelstack catalog` marks it).
 */
export function chartSupport(
  chart: { readonly name: string; readonly version: string },
): { readonly rendered: true } | { readonly rendered: false; readonly refused: boolean; readonly reason: string } {
  const keys = CHART_VALUE_KEYS[chart.name];
  // render warns and writes no Application for such a chart (the component is deployed by hand)
  if (!keys) return { rendered: false, refused: false, reason: `otelstack writes no values (no Application) for the ${chart.name} chart yet` };
  // render refuses with an error
  if (!chartValueKeys(chart)) return { rendered: false, refused: true, reason: `otelstack writes values for ${chart.name} ${valueKeyVersions(chart.name).join(' and ')} only` };
  return { rendered: true };
}
