/**
 * "Jaeger → Tempo" (seed 002 "Migration Path" Phase 2: parallel run, then cutover), on compose. The running
 * definition names an existing Jaeger (`managed: false`: otelstack wires it up, does not deploy it); the target has
 * Tempo. Steps:
 *  1. Tempo starts beside Jaeger (nothing sends to it yet);
 *  2. parallel run: the collector that exports traces (the gateway, or the processor behind Kafka) exports to BOTH —
 *     the step's collector config is the target's, with the running config's Jaeger exporter kept in the traces
 *     pipeline under its own id (so its persistent queue is the same one); the gate compares what each backend
 *     received: the traces of one service over a window on Jaeger's query API and Tempo's search API (counts), and a
 *     sample of trace ids of each side found by id in the other;
 *  3. Grafana's traces datasource moves to Tempo (the step's datasources.yaml: the target's, with the Jaeger
 *     datasource kept — not default — for the history only Jaeger holds);
 *  4. the collectors export to Tempo only (the target's config through the rolling deploy: each collector's queues
 *     are drained before its Jaeger exporter goes away);
 *  5. Jaeger is kept through its history's retention (the traces from before step 2 live only there);
 *  6. Jaeger last: its datasource leaves Grafana (the target's datasources.yaml), and the Jaeger otelstack never
 *     deployed is decommissioned by whoever runs it.
 * Jaeger's API facts are in the catalog (src/catalog/jaeger.ts), Tempo's in src/catalog/tempo.ts.
 */
import { CANARY_NAME } from '../../catalog/canary.js';
import { COLLECTOR_METRICS } from '../../catalog/metrics.js';
import type { Stack } from '../../model/schema.js';
import { grafanaDatasources } from '../../render/configs/engines.js';
import { CATALOG } from '../../catalog/index.js';
import { OTELCOL_TYPES, renderCollectorConfig, type CollectorConfig, type CollectorPlacement, type CollectorRole } from '../../render/configs/otelcol.js';
import { toYaml } from '../../render/fileset.js';
import type { RenderInput } from '../../render/types.js';
import type { Topology } from '../../topology/types.js';
import { promql } from './gates.js';
import { Steps, type Difference, type Runbook } from './types.js';

export const JAEGER_TEMPO_RUNBOOK = 'jaeger-to-tempo';

/** Why the runbook does not apply (undefined: it does). */
export function jaegerTempoRefusal(from: Topology, to: Topology): string | undefined {
  const a = from.engines.find((e) => e.signal === 'traces');
  const b = to.engines.find((e) => e.signal === 'traces');
  if (a?.engine !== 'jaeger' || b?.engine !== 'tempo') return 'not a change of the traces engine from Jaeger to Tempo';
  if (from.env.target !== 'compose') return `the Jaeger → Tempo runbook covers compose environments (its steps render collector configs and Grafana provisioning for compose); ${from.env.name} is a ${from.env.target} environment`;
  if (!b.managed) return 'the Jaeger → Tempo runbook needs Tempo deployed by otelstack (managed)';
  if (!from.ingestion || !to.ingestion || from.ingestion.collector !== 'otelcol' || to.ingestion.collector !== 'otelcol') return 'the Jaeger → Tempo runbook renders the OpenTelemetry Collector configs otelstack renders (ingestion.collector: otelcol in both definitions)';
  if (from.ingestion.kafkaBuffer !== to.ingestion.kafkaBuffer) return 'the ingestion shape changes too (a Kafka buffer): add Kafka first (its own runbook), then migrate the traces engine';
  return undefined;
}

/** The differences the runbook makes: the traces engine, Tempo's components and buckets. */
export function jaegerTempoCovers(d: Difference): boolean {
  return d.subject === 'traces' || d.subject.startsWith('tempo/') || d.subject.startsWith('jaeger/') || (d.what === 'bucket' && /traces/.test(d.subject));
}

/** The pool whose exporters reach the engines: the gateway, or the processor behind Kafka. */
export function exportingRole(t: Topology): CollectorRole {
  return t.ingestion?.kafkaBuffer ? 'processor' : 'gateway';
}

interface Pipelines {
  [name: string]: { receivers: string[]; processors: string[]; exporters: string[] };
}

/**
 * The parallel run's collector config: the target's, with the running config's traces exporters that the target
 * lacks (Jaeger's) added under their own ids and into every traces pipeline of the target. Keeping the id keeps the
 * exporter's persistent queue (file_storage keys queues by exporter id).
 */
export function dualExportConfig(target: CollectorConfig, source: CollectorConfig): CollectorConfig {
  const tExp = (target['exporters'] ?? {}) as Record<string, unknown>;
  const sExp = (source['exporters'] ?? {}) as Record<string, unknown>;
  const tPipes = ((target['service'] as { pipelines?: Pipelines } | undefined)?.pipelines ?? {}) as Pipelines;
  const sPipes = ((source['service'] as { pipelines?: Pipelines } | undefined)?.pipelines ?? {}) as Pipelines;
  const isTraces = (name: string) => name === 'traces' || name.startsWith('traces/');
  const sourceTraceExporters = [...new Set(Object.entries(sPipes).filter(([n]) => isTraces(n)).flatMap(([, p]) => p.exporters))].filter((id) => !(id in tExp) && id.startsWith(`${OTELCOL_TYPES.otlpGrpcExporter}/`));
  if (sourceTraceExporters.length === 0) throw new Error('dualExportConfig: the running collector config has no traces exporter the target lacks');
  const exporters = { ...tExp, ...Object.fromEntries(sourceTraceExporters.map((id) => [id, sExp[id]])) };
  const pipelines: Pipelines = {};
  for (const [n, p] of Object.entries(tPipes)) {
    // only the pipelines that end at a trace backend (otlp exporters), not those that write to Kafka
    const toBackend = isTraces(n) && p.exporters.some((id) => id.startsWith(`${OTELCOL_TYPES.otlpGrpcExporter}/`));
    pipelines[n] = toBackend ? { ...p, exporters: [...p.exporters, ...sourceTraceExporters] } : p;
  }
  return { ...target, exporters, service: { ...(target['service'] as Record<string, unknown>), pipelines } };
}

/** The step-2 config of the exporting pool, from the two definitions' inputs (placement: the test's loopback layout). */
export function parallelRunConfig(from: RenderInput, to: RenderInput, placement?: CollectorPlacement): CollectorConfig {
  const role = exportingRole(to.topology);
  return dualExportConfig(renderCollectorConfig(to, role, [], placement), renderCollectorConfig(from, role, [], placement));
}

/** Grafana's datasources with the traces datasource on Tempo and the Jaeger one kept (not default) for the history. */
export function cutoverDatasources(from: Topology, to: Topology): Record<string, unknown> {
  const target = grafanaDatasources(to) as { apiVersion: number; datasources: Array<Record<string, unknown>> };
  const jaeger = (grafanaDatasources(from) as { datasources: Array<Record<string, unknown>> }).datasources.filter((d) => d['type'] === CATALOG.jaeger.datasourceType);
  const datasources: Array<Record<string, unknown>> = [...target.datasources, ...jaeger.map((d): Record<string, unknown> => ({ ...d, isDefault: false }))].sort((a, b) => (String(a['uid']) < String(b['uid']) ? -1 : 1));
  return { apiVersion: target.apiVersion, datasources };
}

const OTEL = COLLECTOR_METRICS.otelcol;

/** The traces comparison of the parallel run (the canary's service by default: it runs in every environment with a canary). */
export const TRACES_GATE = { windowSeconds: 300, settleSeconds: 30, sample: 10, limit: 1000, tolerancePercent: 1 } as const;

export function jaegerToTempo(from: Topology, to: Topology, stacks: { from: Stack; to: Stack }): Runbook {
  const env = to.env.name;
  const fromDir = `out/compose/${env}`;
  const toDir = `next/compose/${env}`;
  const compose = (dir: string) => `docker compose -f ${dir}/docker-compose.yaml`;
  const tempo = to.components.filter((c) => c.engine === 'tempo' && c.budgeted);
  const role = exportingRole(to);
  const pools = role === 'processor' ? 'processors' : 'gateways';
  const replicas = role === 'processor' ? to.ingestion!.processorReplicas : to.ingestion!.gatewayReplicas;
  const services = Array.from({ length: replicas }, (_, i) => `${role}-${i}`);
  const tempoEngine = to.engines.find((e) => e.signal === 'traces')!;
  const jaegerEngine = from.engines.find((e) => e.signal === 'traces')!;
  const jaegerExporter = `${OTELCOL_TYPES.otlpGrpcExporter}/jaeger`;
  const tempoExporter = `${OTELCOL_TYPES.otlpGrpcExporter}/tempo`;
  const dual = parallelRunConfig({ stack: stacks.from, topology: from }, { stack: stacks.to, topology: to });
  const s = new Steps(Object.fromEntries(tempo.map((c) => [c.component, 0])));

  s.add(
    {
      id: 'tempo-up',
      title: 'Start Tempo beside the running Jaeger',
      source: 'seed 002 Migration Path, Phase 2: "Jaeger → Tempo (parallel run, then cutover)"',
      change: {
        summary: `Tempo (${tempo.map((c) => `${c.component} ×${c.replicas}`).join(', ')}) and its buckets; nothing sends to it yet, Jaeger keeps receiving everything`,
        actions: [`render the target definition to ${toDir}, then \`${compose(toDir)} up -d --no-deps tempo buckets-init\``],
      },
      gate: [{ kind: 'manual', description: `Tempo answers GET ${CATALOG.tempo.ready!.path} with 200 (${compose(toDir)} ps tempo: healthy)` }],
      onFailure: 'fix Tempo (its log, the buckets) before anything writes to it; Jaeger is untouched',
      rollback: `${compose(toDir)} rm -sf tempo (nothing was written to it)`,
    },
    Object.fromEntries(tempo.map((c) => [c.component, c.replicas])),
  );

  s.add(
    {
      id: 'parallel-run',
      title: `The ${pools} export traces to both Jaeger and Tempo`,
      source: 'seed 002 Migration Path, Phase 2: "parallel run"',
      change: {
        summary: `the step's otelcol-${role}.yaml is the target's collector config with the running ${jaegerExporter} exporter kept beside ${tempoExporter} in the traces pipeline (same exporter id: its persistent queue is kept); metrics and logs are unchanged`,
        files: { [`otelcol-${role}.yaml`]: `# OpenTelemetry Collector ${role} v${CATALOG.otelcol.pinned}, parallel run Jaeger + Tempo — migrate step 2, rendered by otelstack.\n${toYaml(dual)}` },
        actions: [
          `copy the step's otelcol-${role}.yaml over ${fromDir}/otelcol-${role}.yaml, then restart the ${pools} one at a time (\`${compose(fromDir)} restart ${services.join('`, then `' + compose(fromDir) + ' restart ')}\`), each after the previous one is healthy`,
        ],
      },
      gate: [
        {
          kind: 'traces',
          description: `Jaeger and Tempo received the same traces (service "${CANARY_NAME}", the canary's, unless --service names another)`,
          service: CANARY_NAME,
          ...TRACES_GATE,
        },
        promql(`the ${pools} send to Tempo without failures (where a Prometheus scrapes the collectors)`, `sum(rate(${OTEL.exporterSendFailed.traces}{${OTEL.exporterLabel}="${tempoExporter}"}[5m])) > 0`, 'zero'),
        // a Jaeger exporter that cannot send retries without failing (max_elapsed_time 0s): its send rate falls behind Tempo's
        promql(
          `the ${pools} send Jaeger as many spans as Tempo (within 2 %)`,
          `sum(rate(${OTEL.exporterSent.traces}{${OTEL.exporterLabel}="${jaegerExporter}"}[5m])) < 0.98 * sum(rate(${OTEL.exporterSent.traces}{${OTEL.exporterLabel}="${tempoExporter}"}[5m]))`,
          'zero',
        ),
      ],
      onFailure: `read the ${pools}' logs and ${OTEL.exporterSendFailed.traces} per exporter; Tempo's distributor limits (ingestion rate, trace size) are the usual cause of a shortfall on the Tempo side`,
      rollback: `put the running otelcol-${role}.yaml back (re-render ${fromDir}) and restart the ${pools} one at a time`,
    },
    {},
  );

  s.add(
    {
      id: 'datasource',
      title: "Switch Grafana's traces datasource to Tempo",
      source: 'seed 002 Migration Path, Phase 2: "then cutover"',
      change: {
        summary: `Grafana's provisioning gets the Tempo datasource (${tempoEngine.datasource?.name ?? 'Tempo'}, ${tempoEngine.endpoints.query}); the Jaeger datasource (${jaegerEngine.datasource?.name ?? 'Jaeger'}) stays, not default, for the traces only Jaeger holds`,
        files: { 'datasources.yaml': `# Grafana 12.3 datasource provisioning, traces cut over to Tempo (Jaeger kept for its history) — migrate step 3, rendered by otelstack.\n${toYaml(cutoverDatasources(from, to))}` },
        actions: [`copy the step's datasources.yaml over ${fromDir}/grafana/provisioning/datasources/datasources.yaml, then \`${compose(fromDir)} restart grafana\``],
      },
      gate: [{ kind: 'manual', description: `the Tempo datasource answers in Grafana (Connections → Data sources → ${tempoEngine.datasource?.name ?? 'Tempo'} → Test) and a trace found in Explore on Tempo opens` }],
      onFailure: 'put the running datasources.yaml back and restart Grafana; the collectors still export to both',
      rollback: `copy ${fromDir}/grafana/provisioning/datasources/datasources.yaml back and restart Grafana`,
    },
    {},
  );

  s.add(
    {
      id: 'tempo-only',
      title: `The ${pools} export traces to Tempo only`,
      source: 'derived: Jaeger removed last — the collectors stop feeding it once Tempo is the datasource',
      change: {
        summary: `the target's collector config: ${jaegerExporter} leaves the traces pipeline; each ${role} is drained (its exporter queues waited empty — a queue of an exporter the new config no longer has would never be read again), restarted, health-gated`,
        actions: [`otelstack deploy <to> --env ${env} --only ${pools} --dir ${toDir} --previous ${fromDir}`],
      },
      gate: [
        promql('Tempo receives traces from the collectors (where a Prometheus scrapes the collectors)', `sum(rate(${OTEL.exporterSent.traces}{${OTEL.exporterLabel}="${tempoExporter}"}[5m]))`, 'nonzero'),
        promql('nothing is sent to Jaeger any more', `sum(rate(${OTEL.exporterSent.traces}{${OTEL.exporterLabel}="${jaegerExporter}"}[5m]))`, 'zero'),
        { kind: 'manual', description: `otelstack verify <to> --env ${env}: a trace reaches Tempo and is read back` },
      ],
      onFailure: `the deploy rolls the failing ${role} back to the parallel-run config and stops`,
      rollback: `copy the parallel-run otelcol-${role}.yaml of step 2 back and restart the ${pools} one at a time (the parallel run again)`,
    },
    {},
  );

  s.add(
    {
      id: 'keep-history',
      title: "Keep Jaeger through its history's retention",
      source: 'derived: the traces from before step 2 live only in Jaeger',
      change: { summary: "nothing writes to Jaeger any more; what it received before step 2 is still only there, readable through its datasource, until its storage's retention has passed" },
      gate: [{ kind: 'wait', description: "Jaeger's history is no longer needed (its storage's retention: Cassandra TTL, Elasticsearch / OpenSearch index lifecycle; none for in-memory storage, which a restart empties)" }],
      onFailure: 'keep Jaeger (and its datasource) running until its history is no longer needed',
      rollback: 'nothing to roll back: Jaeger still runs',
    },
    {},
  );

  s.add(
    {
      id: 'retire-jaeger',
      title: 'Retire Jaeger and its datasource',
      source: 'seed 002 Migration Path, Phase 2; issue 10: "Jaeger removed last"',
      change: {
        summary: "Grafana's provisioning of the target render (Tempo only); the Jaeger otelstack never deployed (managed: false) is decommissioned by whoever runs it",
        actions: [`\`${compose(toDir)} up -d --no-deps grafana\` with the target render's datasources.yaml`, `decommission Jaeger (${jaegerEngine.endpoints.query}) where it runs`],
      },
      gate: [],
      onFailure: "put the Jaeger datasource back (step 3's datasources.yaml) while Jaeger still runs",
      rollback: "none once Jaeger and its storage are decommissioned; before that, step 3's datasources.yaml",
    },
    {},
  );

  return {
    id: JAEGER_TEMPO_RUNBOOK,
    title: 'Jaeger → Tempo (parallel run, then cutover)',
    engine: 'tempo',
    engines: ['tempo', 'jaeger'],
    signal: 'traces',
    from: 'jaeger',
    to: 'tempo',
    source: 'seed 002 "Migration Path" Phase 2 (Jaeger → Tempo); issue 10 runbook 3; the order and the gates are derived',
    notes: [
      `the running render is ${fromDir} and the target render ${toDir}`,
      'Jaeger is an existing deployment (managed: false): it is budgeted where it runs, so the plan counts Tempo only',
      `step 2's comparison searches Jaeger (--source-url, its query service: ${jaegerEngine.endpoints.query}) and Tempo (--target-url: ${tempoEngine.endpoints.query}) for one service's traces (--service; the canary's by default)`,
    ],
    steps: s.steps,
  };
}
