/**
 * The four dashboards of seed 000 ("Import Grafana Dashboards") and issue 7, written with the Grafana Foundation
 * SDK builders. Each one covers every environment of its Grafana through the environment selector and has a
 * namespace variable:
 *  1. traces   — trace explorer and service map (Tempo: TraceQL search; service graph)
 *  2. services — RED per service from Tempo's span metrics and service-graph metrics in the metrics backend
 *  3. namespaces — namespace metrics overview from the metrics backend (Mimir, not per-namespace Prometheus)
 *  4. stack    — the stack itself: collector pipeline, Kafka lag, ingestion and errors per backend, object storage
 *  5. rum      — real user monitoring (rum-dashboard.ts), only where an environment records Faro logs (t.rum)
 * Every metric name comes from src/catalog/metrics.ts.
 */
import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { createHash } from 'node:crypto';
import {
  COLLECTOR_METRICS,
  KUBELET_METRICS,
  LOKI_METRICS,
  METRICS_GENERATOR_SETUP,
  MIMIR_METRICS,
  NAMESPACE_LABEL,
  OTELCOL_KAFKA_METRICS,
  PROMETHEUS_METRICS,
  PROMETHEUS_WRITE_HANDLERS,
  SCRAPE_METRICS,
  SPAN_METRICS,
  TEMPO_METRICS,
  type Signal3,
} from '../../catalog/metrics.js';
import { CANARY_ALERTS, CANARY_LABELS, CANARY_METRICS } from '../../catalog/canary.js';
import { anyOf, sel, sumBy, type Matchers } from '../rules/promql.js';
import { rumDashboard } from './rum-dashboard.js';
import {
  ENV_VARIABLE,
  NAMESPACE_VARIABLE,
  PanelIds,
  SERVICE_VARIABLE,
  datasourceVariable,
  engineFor,
  envVariable,
  promLabelVariable,
  promTable,
  serviceMap,
  stat,
  tempoAttributeVariable,
  timeseries,
  traceSearch,
  type DashboardScope,
  type DsRef,
} from './kit.js';

export type DashboardId = 'traces' | 'services' | 'namespaces' | 'stack' | 'rum';
/** The four dashboards every stack with the engines they read gets (the RUM dashboard only where Faro logs are recorded). */
export const DASHBOARD_IDS: readonly DashboardId[] = ['traces', 'services', 'namespaces', 'stack'];

export interface RenderedDashboard {
  id: DashboardId;
  uid: string;
  title: string;
  dashboard: Dashboard;
}

const RATE = '$__rate_interval';
const ns = { re: `$${NAMESPACE_VARIABLE}` };
const svc = { re: `$${SERVICE_VARIABLE}` };

/** Stable dashboard uid (Grafana allows 40 characters): `<stack>-<id>`, hashed when too long. */
export function dashboardUid(stack: string, id: DashboardId): string {
  const plain = `${stack}-${id}`;
  if (plain.length <= 40) return plain;
  const h = createHash('sha256').update(plain).digest('hex').slice(0, 8);
  return `${stack.slice(0, 40 - id.length - 10)}-${h}-${id}`;
}

export function base(scope: DashboardScope, id: DashboardId, title: string, description: string): DashboardBuilder {
  return new DashboardBuilder(`${scope.stack.name} / ${title}`)
    .uid(dashboardUid(scope.stack.name, id))
    .description(description)
    .tags(['otelstack', scope.stack.name, id])
    .editable()
    .refresh('1m')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .version(1)
    .withVariable(envVariable(scope));
}

const rate = (s: string) => `rate(${s}[${RATE}])`;

function slowThresholdMs(scope: DashboardScope): number {
  const p = scope.stack.ingestion?.sampling?.policies.find((x) => x.type === 'latency');
  return p?.thresholdMs ?? 1000;
}

/** 1. Trace explorer / service map. */
export function tracesDashboard(scope: DashboardScope): RenderedDashboard | undefined {
  const traces = datasourceVariable(scope, 'traces');
  const tempo = engineFor(scope, 'traces');
  if (!traces || tempo?.engine !== 'tempo') return undefined;
  const ids = new PanelIds();
  const t = traces.ref;
  const nsAttr = `resource.${METRICS_GENERATOR_SETUP.namespaceAttribute}`;
  const filter = `${nsAttr} =~ "\${${NAMESPACE_VARIABLE}:regex}" && resource.service.name =~ "\${${SERVICE_VARIABLE}:regex}"`;
  const slow = slowThresholdMs(scope);
  const metrics = datasourceVariable(scope, 'metrics');
  const d = base(scope, 'traces', 'Traces & service map', 'Search traces with TraceQL and see how services call each other (Tempo).').withVariable(traces.builder);
  if (metrics) d.withVariable(metrics.builder);
  d.withVariable(tempoAttributeVariable(NAMESPACE_VARIABLE, 'Namespace', t, nsAttr, 'Kubernetes namespace of the services (resource attribute k8s.namespace.name)'))
    .withVariable(tempoAttributeVariable(SERVICE_VARIABLE, 'Service', t, 'resource.service.name', 'service.name of the traced services'))
    .withRow(new RowBuilder('Search').id(ids.next()))
    .withPanel(traceSearch(ids, 'Recent traces', t, `{ ${filter} }`, { description: 'Latest traces of the selected namespaces and services. Click a trace id to open it.', limit: 50 }))
    .withPanel(traceSearch(ids, 'Traces with errors', t, `{ ${filter} && status = error }`, { description: 'Traces containing at least one span with status error.', limit: 50, w: 12 }))
    .withPanel(
      traceSearch(ids, `Slow spans (> ${slow} ms)`, t, `{ ${filter} && duration > ${slow}ms }`, {
        description: `Traces with a span slower than ${slow} ms (the definition's latency sampling threshold, or 1 s).`,
        limit: 50,
        w: 12,
      }),
    )
    .withRow(new RowBuilder('Service map').id(ids.next()))
    .withPanel(
      serviceMap(ids, 'Service map', t, `{${METRICS_GENERATOR_SETUP.serviceGraphServerNamespaceLabel}=~"\${${NAMESPACE_VARIABLE}:regex}"}`, {
        description: "Services and the requests between them, from Tempo's service-graph metrics (needs Tempo's metrics-generator).",
      }),
    );
  if (metrics) {
    const m = metrics.ref;
    const edge: Matchers = { [METRICS_GENERATOR_SETUP.serviceGraphServerNamespaceLabel]: ns, server: svc };
    d.withPanel(
      timeseries(ids, 'Requests between services', m, [{ expr: sumBy(['client', 'server'], rate(sel(SPAN_METRICS.graphRequests, edge))), legend: '{{client}} → {{server}}' }], {
        description: 'Requests per second on each edge of the service graph, into the selected services.',
        unit: 'reqps',
      }),
    ).withPanel(
      timeseries(ids, 'Failed requests between services', m, [{ expr: sumBy(['client', 'server'], rate(sel(SPAN_METRICS.graphFailedRequests, edge))), legend: '{{client}} → {{server}}' }], {
        description: 'Failed requests per second on each edge of the service graph.',
        unit: 'reqps',
      }),
    );
  }
  return { id: 'traces', uid: dashboardUid(scope.stack.name, 'traces'), title: 'Traces & service map', dashboard: d.build() };
}

/** 2. Service overview — RED from span metrics. */
export function servicesDashboard(scope: DashboardScope): RenderedDashboard | undefined {
  const metrics = datasourceVariable(scope, 'metrics');
  if (!metrics || engineFor(scope, 'traces')?.engine !== 'tempo') return undefined;
  const ids = new PanelIds();
  const m = metrics.ref;
  const nsLabel = METRICS_GENERATOR_SETUP.spanMetricsNamespaceLabel;
  const inbound: Matchers = { [nsLabel]: ns, service: svc, span_kind: { re: anyOf(SPAN_METRICS.inboundKinds) } };
  const errors: Matchers = { ...inbound, status_code: SPAN_METRICS.errorStatus };
  const calls = sel(SPAN_METRICS.calls, inbound);
  const bucket = sel(`${SPAN_METRICS.latency}_bucket`, inbound);
  const q = (x: number, by: string[]) => `histogram_quantile(${x}, ${sumBy(['le', ...by], rate(bucket))})`;
  const d = base(scope, 'services', 'Services (RED)', 'Rate, errors and duration per service, from the span metrics Tempo writes into the metrics backend.')
    .withVariable(metrics.builder)
    .withVariable(promLabelVariable(NAMESPACE_VARIABLE, 'Namespace', m, `label_values(${SPAN_METRICS.calls}, ${nsLabel})`, 'Kubernetes namespace of the services (span-metrics dimension k8s.namespace.name)'))
    .withVariable(promLabelVariable(SERVICE_VARIABLE, 'Service', m, `label_values(${sel(SPAN_METRICS.calls, { [nsLabel]: ns })}, service)`, 'service.name of the traced services'))
    .withRow(new RowBuilder('RED').id(ids.next()))
    .withPanel(timeseries(ids, 'Rate', m, [{ expr: sumBy(['service'], rate(calls)), legend: '{{service}}' }], { description: 'Requests per second handled by each service (server and consumer spans).', unit: 'reqps', w: 8 }))
    .withPanel(
      timeseries(ids, 'Errors', m, [{ expr: `${sumBy(['service'], rate(sel(SPAN_METRICS.calls, errors)))} / ${sumBy(['service'], rate(calls))}`, legend: '{{service}}' }], {
        description: 'Share of requests whose span ended with status error.',
        unit: 'percentunit',
        w: 8,
        thresholds: [
          [0.01, 'orange'],
          [0.05, 'red'],
        ],
      }),
    )
    .withPanel(
      timeseries(
        ids,
        'Duration',
        m,
        [
          { expr: q(0.5, ['service']), legend: 'p50 {{service}}' },
          { expr: q(0.95, ['service']), legend: 'p95 {{service}}' },
          { expr: q(0.99, ['service']), legend: 'p99 {{service}}' },
        ],
        { description: 'Latency percentiles of the requests each service handles.', unit: 's', w: 8 },
      ),
    )
    .withRow(new RowBuilder('Operations').id(ids.next()))
    .withPanel(
      promTable(
        ids,
        'Operations',
        m,
        [
          { expr: `topk(25, ${sumBy(['service', 'span_name'], `rate(${calls}[$__range])`)})`, legend: 'rate' },
          { expr: sumBy(['service', 'span_name'], `rate(${sel(SPAN_METRICS.calls, errors)}[$__range])`), legend: 'errors' },
          { expr: `histogram_quantile(0.99, ${sumBy(['le', 'service', 'span_name'], `rate(${bucket}[$__range])`)})`, legend: 'p99' },
        ],
        { description: 'The busiest operations over the selected time range: request rate, error rate and p99 latency.' },
      ),
    )
    .withRow(new RowBuilder('Dependencies').id(ids.next()))
    .withPanel(
      timeseries(
        ids,
        'Calls into the selected services',
        m,
        [{ expr: sumBy(['client', 'server'], rate(sel(SPAN_METRICS.graphRequests, { [METRICS_GENERATOR_SETUP.serviceGraphServerNamespaceLabel]: ns, server: svc }))), legend: '{{client}} → {{server}}' }],
        { description: 'Who calls the selected services (service-graph edges).', unit: 'reqps' },
      ),
    )
    .withPanel(
      timeseries(
        ids,
        'Calls made by the selected services',
        m,
        [{ expr: sumBy(['client', 'server'], rate(sel(SPAN_METRICS.graphRequests, { [METRICS_GENERATOR_SETUP.serviceGraphClientNamespaceLabel]: ns, client: svc }))), legend: '{{client}} → {{server}}' }],
        { description: 'What the selected services call (service-graph edges).', unit: 'reqps' },
      ),
    );
  return { id: 'services', uid: dashboardUid(scope.stack.name, 'services'), title: 'Services (RED)', dashboard: d.build() };
}

function kubernetesScope(scope: DashboardScope): boolean {
  return scope.envs.some((t) => t.env.target === 'kubernetes');
}

/** 3. Namespace metrics overview (the metrics backend that replaces per-namespace Prometheus datasources). */
export function namespacesDashboard(scope: DashboardScope): RenderedDashboard | undefined {
  const metrics = datasourceVariable(scope, 'metrics');
  if (!metrics) return undefined;
  const ids = new PanelIds();
  const m = metrics.ref;
  const engine = engineFor(scope, 'metrics')!;
  const s: Matchers = { [NAMESPACE_LABEL]: ns };
  const d = base(scope, 'namespaces', 'Namespaces', `Every namespace's scraped metrics in ${engine.title}: one datasource per environment instead of one Prometheus per namespace.`)
    .withVariable(metrics.builder)
    .withVariable(promLabelVariable(NAMESPACE_VARIABLE, 'Namespace', m, `label_values(${SCRAPE_METRICS.up}, ${NAMESPACE_LABEL})`, 'Namespaces with scrape targets'))
    .withRow(new RowBuilder('Targets').id(ids.next()))
    .withPanel(stat(ids, 'Targets up', m, [{ expr: `sum(${sel(SCRAPE_METRICS.up, s)})` }], { description: 'Scrape targets answering in the selected namespaces.' }))
    .withPanel(
      stat(ids, 'Targets down', m, [{ expr: `count(${sel(SCRAPE_METRICS.up, s)} == 0) or vector(0)` }], {
        description: 'Scrape targets not answering.',
        thresholds: [[1, 'red']],
      }),
    )
    .withPanel(stat(ids, 'Series', m, [{ expr: `sum(${sel(SCRAPE_METRICS.samplesPostRelabeling, s)})` }], { description: 'Series written by the last scrape of every target (after relabelling).' }))
    .withPanel(stat(ids, 'New series per scrape', m, [{ expr: `sum(${sel(SCRAPE_METRICS.seriesAdded, s)})` }], { description: 'Series created by the last scrapes: churn.' }))
    .withPanel(
      promTable(
        ids,
        'Targets per namespace and job',
        m,
        [
          { expr: sumBy([NAMESPACE_LABEL, 'job'], sel(SCRAPE_METRICS.up, s)), legend: 'up' },
          { expr: `count by (${NAMESPACE_LABEL}, job) (${sel(SCRAPE_METRICS.up, s)})`, legend: 'targets' },
          { expr: sumBy([NAMESPACE_LABEL, 'job'], sel(SCRAPE_METRICS.samplesPostRelabeling, s)), legend: 'series' },
          { expr: sumBy([NAMESPACE_LABEL, 'job'], sel(SCRAPE_METRICS.duration, s), 'max'), legend: 'slowest scrape' },
        ],
        { description: 'Scrape targets by namespace and job: how many answer, the series they write and the slowest scrape.' },
      ),
    )
    .withRow(new RowBuilder('Series').id(ids.next()))
    .withPanel(timeseries(ids, 'Series per namespace', m, [{ expr: sumBy([NAMESPACE_LABEL], sel(SCRAPE_METRICS.samplesPostRelabeling, s)), legend: '{{namespace}}' }], { description: 'Series each namespace writes per scrape.', stacked: true }))
    .withPanel(timeseries(ids, 'Scrape duration', m, [{ expr: sumBy([NAMESPACE_LABEL, 'job'], sel(SCRAPE_METRICS.duration, s), 'max'), legend: '{{namespace}} {{job}}' }], { description: 'Slowest scrape per namespace and job.', unit: 's' }));
  if (kubernetesScope(scope)) {
    const c: Matchers = { ...s, container: { ne: '' } };
    d.withRow(new RowBuilder('Resources').id(ids.next()))
      .withPanel(timeseries(ids, 'CPU by namespace', m, [{ expr: sumBy([NAMESPACE_LABEL], rate(sel(KUBELET_METRICS.containerCpu, c))), legend: '{{namespace}}' }], { description: 'CPU cores used by the containers of each namespace (cAdvisor).', stacked: true, w: 8 }))
      .withPanel(timeseries(ids, 'Memory by namespace', m, [{ expr: sumBy([NAMESPACE_LABEL], sel(KUBELET_METRICS.containerMemory, c)), legend: '{{namespace}}' }], { description: 'Working-set memory of the containers of each namespace (cAdvisor).', unit: 'bytes', stacked: true, w: 8 }))
      .withPanel(
        timeseries(ids, 'Volume usage', m, [{ expr: `1 - ${sel(KUBELET_METRICS.volumeAvailable, s)} / ${sel(KUBELET_METRICS.volumeCapacity, s)}`, legend: '{{namespace}} {{persistentvolumeclaim}}' }], {
          description: 'Used share of every PersistentVolumeClaim (kubelet).',
          unit: 'percentunit',
          w: 8,
          thresholds: [
            [0.85, 'orange'],
            [0.95, 'red'],
          ],
        }),
      );
  }
  return { id: 'namespaces', uid: dashboardUid(scope.stack.name, 'namespaces'), title: 'Namespaces', dashboard: d.build() };
}

function signalsOf(scope: DashboardScope): Signal3[] {
  return (['traces', 'metrics', 'logs'] as const).filter((x) => scope.envs.some((t) => t.engines.some((e) => e.signal === x)));
}

const ITEM_WORD: Record<Signal3, string> = { traces: 'spans', metrics: 'metric points', logs: 'log records' };

function collectorRows(d: DashboardBuilder, ids: PanelIds, scope: DashboardScope, m: DsRef): void {
  const kinds = [...new Set(scope.envs.map((t) => t.ingestion?.collector).filter((k): k is 'otelcol' | 'alloy' => k !== undefined))].sort();
  const signals = signalsOf(scope);
  for (const kind of kinds) {
    const n = COLLECTOR_METRICS[kind];
    // a shared collector (seed 000's Alloy) runs outside the environments' namespaces: not filtered by namespace
    const shared = scope.envs.some((t) => t.ingestion?.shared);
    const s: Matchers = shared ? {} : { [NAMESPACE_LABEL]: ns };
    const title = kind === 'otelcol' ? 'OpenTelemetry Collector' : 'Alloy';
    const per = (pick: (x: Signal3) => string, by: string, what: string) =>
      signals.map((x) => ({ expr: sumBy([by], rate(sel(pick(x), s))), legend: `{{${by}}} ${ITEM_WORD[x]}${what}` }));
    d.withRow(new RowBuilder(`Collector pipeline (${title})`).id(ids.next()))
      .withPanel(timeseries(ids, 'Accepted', m, per((x) => n.receiverAccepted[x], n.receiverLabel, ''), { description: 'Items per second receivers pushed into the pipelines.', w: 6 }))
      .withPanel(
        timeseries(ids, 'Refused', m, per((x) => n.receiverRefused[x], n.receiverLabel, ''), {
          description: 'Items per second receivers refused (memory_limiter backpressure): senders retry or lose them.',
          w: 6,
          thresholds: [[1e-9, 'red']],
        }),
      )
      .withPanel(timeseries(ids, 'Sent', m, per((x) => n.exporterSent[x], n.exporterLabel, ''), { description: 'Items per second exporters delivered.', w: 6 }))
      .withPanel(
        timeseries(ids, 'Failed', m, [...per((x) => n.exporterSendFailed[x], n.exporterLabel, ' send failed'), ...per((x) => n.exporterEnqueueFailed[x], n.exporterLabel, ' enqueue failed (lost)')], {
          description: 'Failed send attempts (retried from the queue) and items that could not be enqueued (lost: queue full).',
          w: 6,
        }),
      )
      .withPanel(
        timeseries(
          ids,
          'Queue size vs capacity',
          m,
          [
            { expr: sumBy([n.exporterLabel], sel(n.exporterQueueSize, s), 'max'), legend: '{{exporter}} size' },
            { expr: sumBy([n.exporterLabel], sel(n.exporterQueueCapacity, s), 'max'), legend: '{{exporter}} capacity' },
          ],
          { description: 'Sending-queue size against its capacity, per exporter (largest replica).', w: 8 },
        ),
      )
      .withPanel(
        timeseries(ids, 'Queue fill', m, [{ expr: sumBy([n.exporterLabel], `${sel(n.exporterQueueSize, s)} / ${sel(n.exporterQueueCapacity, s)}`, 'max'), legend: '{{exporter}}' }], {
          description: 'Share of the sending queue in use; the alerts fire at 80 % and 95 %.',
          unit: 'percentunit',
          w: 8,
          thresholds: [
            [0.8, 'orange'],
            [0.95, 'red'],
          ],
        }),
      )
      .withPanel(
        timeseries(ids, 'Memory (RSS)', m, [{ expr: sumBy(['instance'], sel(n.processMemory, s), 'max'), legend: '{{instance}}' }], {
          description: kind === 'otelcol' ? 'Resident memory per collector; the memory_limiter refuses data above its soft limit (60 % of the memory budget, see the alert).' : 'Resident memory per Alloy instance.',
          unit: 'bytes',
          w: 8,
        }),
      );
  }
  if (scope.envs.some((t) => t.ingestion?.collector === 'otelcol' && t.ingestion.kafkaBuffer)) {
    d.withRow(new RowBuilder('Kafka buffer').id(ids.next()))
      .withPanel(timeseries(ids, 'Consumer lag', m, [{ expr: sumBy(['topic'], sel(OTELCOL_KAFKA_METRICS.receiverOffsetLag, { [NAMESPACE_LABEL]: ns })), legend: '{{topic}}' }], { description: 'Records the processors are behind, per topic (sum over partitions).' }))
      .withPanel(
        timeseries(ids, 'Produced messages', m, [{ expr: sumBy(['topic', 'outcome'], rate(sel(OTELCOL_KAFKA_METRICS.exporterMessages, { [NAMESPACE_LABEL]: ns }))), legend: '{{topic}} {{outcome}}' }], {
          description: 'Messages per second the gateways produce, by outcome.',
        }),
      );
  }
}

function errorShare(metric: string, s: Matchers, label: string): { expr: string; legend: string } {
  const c = `${metric}_count`;
  return { expr: `${sumBy([], rate(sel(c, { ...s, status_code: { re: '5..' } })))} / ${sumBy([], rate(sel(c, s)))}`, legend: label };
}

function backendRows(d: DashboardBuilder, ids: PanelIds, scope: DashboardScope, m: DsRef): void {
  const has = (id: string) => scope.envs.some((t) => t.engines.some((e) => e.engine === id));
  const s: Matchers = { [NAMESPACE_LABEL]: ns };
  d.withRow(new RowBuilder('Ingestion per backend').id(ids.next()));
  const errors: Array<{ expr: string; legend: string }> = [];
  if (has('tempo')) {
    d.withPanel(
      timeseries(
        ids,
        'Tempo: spans received / discarded',
        m,
        [
          { expr: sumBy(['tenant'], rate(sel(TEMPO_METRICS.spansReceived, s))), legend: 'received {{tenant}}' },
          { expr: sumBy(['reason'], rate(sel(TEMPO_METRICS.discardedSpans, s))), legend: 'discarded: {{reason}}' },
          { expr: sumBy(['receiver'], rate(sel(TEMPO_METRICS.receiverRefused, s))), legend: 'refused by {{receiver}}' },
        ],
        { description: 'Spans per second the distributors received, discarded (limits) and refused.', w: 8 },
      ),
    );
    errors.push(errorShare(TEMPO_METRICS.requestDuration, s, 'Tempo'));
  }
  if (has('mimir')) {
    d.withPanel(
      timeseries(
        ids,
        'Mimir: samples received / discarded',
        m,
        [
          { expr: sumBy(['user'], rate(sel(MIMIR_METRICS.samplesReceived, s))), legend: 'received {{user}}' },
          { expr: sumBy(['reason'], rate(sel(MIMIR_METRICS.discardedSamples, s))), legend: 'discarded: {{reason}}' },
        ],
        { description: 'Samples per second the distributors received and discarded.', w: 8 },
      ),
    );
    errors.push(errorShare(MIMIR_METRICS.requestDuration, s, 'Mimir'));
  }
  if (has('loki')) {
    d.withPanel(
      timeseries(
        ids,
        'Loki: lines received / discarded',
        m,
        [
          { expr: sumBy(['tenant'], rate(sel(LOKI_METRICS.linesReceived, s))), legend: 'received {{tenant}}' },
          { expr: sumBy(['reason'], rate(sel(LOKI_METRICS.discardedSamples, s))), legend: 'discarded: {{reason}}' },
          { expr: sumBy(['ingester'], rate(sel(LOKI_METRICS.ingesterAppendTimeouts, s))), legend: 'append timeouts {{ingester}}' },
        ],
        { description: 'Log lines per second the distributors received and discarded, and timed-out appends to ingesters.', w: 8 },
      ),
    );
    errors.push(errorShare(LOKI_METRICS.requestDuration, s, 'Loki'));
  }
  if (has('prometheus')) {
    const h: Matchers = { ...s, handler: { re: anyOf(PROMETHEUS_WRITE_HANDLERS) } };
    d.withPanel(
      timeseries(ids, 'Prometheus: write requests', m, [{ expr: sumBy(['handler', 'code'], rate(sel(PROMETHEUS_METRICS.httpRequests, h))), legend: '{{handler}} {{code}}' }], {
        description: 'Remote-write and OTLP requests per second, by status code.',
        w: 8,
      }),
    );
  }
  if (errors.length) {
    d.withPanel(
      timeseries(ids, 'Request errors (5xx share)', m, errors, {
        description: 'Share of each backend’s requests answered with a server error.',
        unit: 'percentunit',
        thresholds: [[0.05, 'red']],
        w: 24,
      }),
    );
  }
  const storage: Array<{ expr: string; legend: string }> = [];
  if (has('tempo')) storage.push({ expr: sumBy(['operation', 'status_code'], rate(sel(`${TEMPO_METRICS.backendRequestDuration}_count`, s))), legend: 'Tempo {{operation}} {{status_code}}' });
  if (has('mimir')) {
    storage.push({ expr: sumBy(['operation'], rate(sel(MIMIR_METRICS.objstoreOperations, s))), legend: 'Mimir {{operation}}' });
    storage.push({ expr: sumBy(['operation'], rate(sel(MIMIR_METRICS.objstoreFailures, s))), legend: 'Mimir {{operation}} failed' });
  }
  if (has('loki')) storage.push({ expr: sumBy(['operation', 'status_code'], rate(sel(`${LOKI_METRICS.s3RequestDuration}_count`, s))), legend: 'Loki {{operation}} {{status_code}}' });
  if (storage.length) {
    d.withRow(new RowBuilder('Object storage').id(ids.next())).withPanel(
      timeseries(ids, 'Object storage operations', m, storage, { description: 'Object-storage requests per second by engine, operation and outcome.', w: 12 }),
    );
    const p99: Array<{ expr: string; legend: string }> = [];
    if (has('tempo')) p99.push({ expr: `histogram_quantile(0.99, ${sumBy(['le', 'operation'], rate(sel(`${TEMPO_METRICS.backendRequestDuration}_bucket`, s)))})`, legend: 'Tempo {{operation}}' });
    if (has('loki')) p99.push({ expr: `histogram_quantile(0.99, ${sumBy(['le', 'operation'], rate(sel(`${LOKI_METRICS.s3RequestDuration}_bucket`, s)))})`, legend: 'Loki {{operation}}' });
    if (p99.length) d.withPanel(timeseries(ids, 'Object storage latency (p99)', m, p99, { description: 'p99 latency of object-storage requests.', unit: 's', w: 12 }));
  }
}

/**
 * The canary (otelstack canary), where an environment of the scope runs one: write→visible latency per signal and
 * stage, items found / missing / duplicated, query errors by kind, and the time since the last successful round.
 * Selected by the canary's own `env` label, bound to the environment selector.
 */
function canaryRows(d: DashboardBuilder, ids: PanelIds, scope: DashboardScope, m: DsRef): void {
  if (!scope.envs.some((t) => t.canary)) return;
  const C = CANARY_METRICS;
  const e = { [CANARY_LABELS.env]: `$${ENV_VARIABLE}` };
  d.withRow(new RowBuilder('Canary (write → read)').id(ids.next()))
    .withPanel(
      timeseries(ids, 'Write → visible latency (p99)', m, [{ expr: `histogram_quantile(0.99, ${sumBy(['le', 'signal', 'stage'], rate(sel(`${C.latency}_bucket`, e)))})`, legend: '{{signal}} {{stage}}' }], {
        description: 'p99 seconds from a canary push until the item was accepted by the ingestion endpoint, visible in its backend, linked to its trace, stored in object storage.',
        unit: 's',
        w: 12,
        thresholds: [[CANARY_ALERTS.latencySeconds, 'red']],
      }),
    )
    .withPanel(
      timeseries(ids, 'Canary items', m, [
        { expr: sumBy(['signal'], `increase(${sel(C.found, e)}[${RATE}])`), legend: '{{signal}} found' },
        { expr: sumBy(['signal'], `increase(${sel(C.missing, e)}[${RATE}])`), legend: '{{signal}} missing' },
        { expr: sumBy(['signal'], `increase(${sel(C.duplicated, e)}[${RATE}])`), legend: '{{signal}} duplicated' },
        { expr: sumBy(['signal'], `increase(${sel(C.brokenLinks, e)}[${RATE}])`), legend: '{{signal}} link broken' },
      ], { description: 'Canary items read back within the deadline, missing (the OtelstackCanaryLoss alert), returned twice, or with a link that did not lead to their trace.', w: 12 }),
    )
    .withPanel(
      timeseries(ids, 'Canary query and push errors', m, [
        { expr: sumBy(['signal', 'kind'], rate(sel(C.queryErrors, e))), legend: '{{signal}} {{kind}}' },
        { expr: sumBy(['signal'], rate(sel(C.pushErrors, e))), legend: '{{signal}} push' },
      ], { description: 'Failed reads of the backends by kind (unreachable, timeout, http, bad-response), and pushes the ingestion endpoint did not accept.', w: 12 }),
    )
    .withPanel(
      stat(ids, 'Since the last successful round', m, [{ expr: `time() - ${sumBy([CANARY_LABELS.env], sel(C.lastSuccess, e), 'max')}`, legend: '{{env}}' }], {
        description: 'Seconds since a canary round passed every check.',
        unit: 's',
        w: 12,
      }),
    );
}

/** 4. The stack itself. */
export function stackDashboard(scope: DashboardScope): RenderedDashboard | undefined {
  const metrics = datasourceVariable(scope, 'metrics');
  if (!metrics) return undefined;
  const ids = new PanelIds();
  const m = metrics.ref;
  const d = base(scope, 'stack', 'Stack self-monitoring', 'The observability stack itself: collector pipeline, Kafka buffer, ingestion and errors per backend, object storage (seed 002 §6).')
    .withVariable(metrics.builder)
    .withVariable(promLabelVariable(NAMESPACE_VARIABLE, 'Namespace', m, `label_values(${SCRAPE_METRICS.up}, ${NAMESPACE_LABEL})`, 'Namespaces the stack runs in'));
  collectorRows(d, ids, scope, m);
  backendRows(d, ids, scope, m);
  canaryRows(d, ids, scope, m);
  d.withRow(new RowBuilder('Targets').id(ids.next())).withPanel(
    promTable(ids, 'Scrape targets down', m, [{ expr: `${sel(SCRAPE_METRICS.up, { [NAMESPACE_LABEL]: ns })} == 0`, legend: 'down' }], {
      description: 'Targets of the stack not answering their scrape (the StackTargetDown alert).',
      h: 6,
    }),
  );
  if (kubernetesScope(scope)) {
    d.withPanel(
      timeseries(ids, 'Volume usage', m, [{ expr: `1 - ${sel(KUBELET_METRICS.volumeAvailable, { [NAMESPACE_LABEL]: ns })} / ${sel(KUBELET_METRICS.volumeCapacity, { [NAMESPACE_LABEL]: ns })}`, legend: '{{persistentvolumeclaim}}' }], {
        description: 'Used share of the stack’s volumes (WALs, persistent queues, Kafka logs); alerts at 85 % and 95 %.',
        unit: 'percentunit',
        w: 24,
        thresholds: [
          [0.85, 'orange'],
          [0.95, 'red'],
        ],
      }),
    );
  }
  return { id: 'stack', uid: dashboardUid(scope.stack.name, 'stack'), title: 'Stack self-monitoring', dashboard: d.build() };
}

/** All dashboards of a scope, in a fixed order. */
export function buildDashboards(scope: DashboardScope): RenderedDashboard[] {
  return [tracesDashboard(scope), servicesDashboard(scope), namespacesDashboard(scope), stackDashboard(scope), rumDashboard(scope)].filter((x): x is RenderedDashboard => x !== undefined);
}
