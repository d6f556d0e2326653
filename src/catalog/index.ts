import { alloy } from './alloy.js';
import { grafana } from './grafana.js';
import { jaeger } from './jaeger.js';
import { kafka } from './kafka.js';
import { loki } from './loki.js';
import { memcached } from './memcached.js';
import { mimir } from './mimir.js';
import { otelcol } from './otelcol.js';
import { prometheus } from './prometheus.js';
import { pyroscope } from './pyroscope.js';
import { seaweedfs } from './seaweedfs.js';
import { tempo } from './tempo.js';
import type { EngineFacts, EngineId, EngineVersionFacts } from './types.js';
import { CHART_FACTS } from './charts/index.js';
import type { SignalName } from '../model/schema.js';

export * from './types.js';

export const CATALOG: Readonly<Record<EngineId, EngineFacts>> = {
  tempo,
  jaeger,
  mimir,
  loki,
  pyroscope,
  prometheus,
  grafana,
  alloy,
  otelcol,
  kafka,
  seaweedfs,
  memcached,
};

/** Which engines may serve which signal. */
export const SIGNAL_ENGINES: Readonly<Record<SignalName, readonly EngineId[]>> = {
  // jaeger: an existing Jaeger only (managed: false), the source of the Jaeger → Tempo migration
  traces: ['tempo', 'jaeger'],
  metrics: ['mimir', 'prometheus'],
  logs: ['loki'],
  profiles: ['pyroscope'],
};

export function engine(id: string): EngineFacts | undefined {
  return (CATALOG as Record<string, EngineFacts>)[id];
}

/** The version line for a requested version ("3", "3.0", "3.0.1", "2.x"); undefined if the catalog doesn't know it. */
export function versionLine(e: EngineFacts, requested: string | undefined): EngineVersionFacts | undefined {
  const v = (requested ?? e.pinned).replace(/^v/, '');
  const line = v.split('.')[0];
  return e.versions.find((x) => x.line === line);
}

export function knownVersions(e: EngineFacts): string[] {
  return e.versions.map((v) => `${v.line}.x (${v.releases.join(', ')})`);
}

/** Components the plan budgets for chart workloads (Tempo's memcached, Mimir's and Loki's caches and gateways). */
const CHART_WORKLOAD_COMPONENTS = Object.values(CHART_FACTS).flatMap((f) => f.workloads.flatMap((w) => (w.otelstack.action === 'budget' ? [w.otelstack.component] : [])));

/** Every component name any engine has (and every chart workload the plan budgets), for telling a typo (bad input) from a component of another engine (a finding). */
export const ALL_COMPONENT_NAMES: readonly string[] = [
  ...new Set([
    ...Object.values(CATALOG).flatMap((e) => e.versions.flatMap((v) => Object.values(v.modes).flatMap((m) => m?.components.map((c) => c.name) ?? []))),
    ...CHART_WORKLOAD_COMPONENTS,
  ]),
].sort();

/** An engine's readiness endpoint (its catalog `ready` fact) on `host`, e.g. http://127.0.0.1:3200/ready. */
export function readyUrl(id: EngineId, host: string): string {
  const r = CATALOG[id].ready;
  if (!r) throw new Error(`catalog: ${id} has no readiness endpoint`);
  return `http://${host}:${CATALOG[id].ports[r.port]}${r.path}`;
}
