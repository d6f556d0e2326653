// The three items `otelstack verify` pushes: one trace (two spans), one metric series whose data point carries an
// exemplar pointing at that trace, and one log line carrying the trace id. All are tagged with the trace id, so a
// run finds exactly its own data, and all carry k8s.namespace.name so a collector routing by namespace (seed 000's
// shared Alloy) sends them to the environment under test.
import { randomSpanId, randomTraceId } from '../otlp/encode.js';
import type { LogsInput, MetricsInput, TracesInput } from '../otlp/types.js';

export const VERIFY_SERVICE = 'otelstack-verify';
/**
 * A monotonic cumulative sum: OTLP → Prometheus translation (Prometheus, Mimir, the collector's remote-write
 * exporter) keeps exemplars of sums (not of gauges), and the name already ends in _total so it reads the same with
 * and without the translation's metric-name suffixes.
 */
export const VERIFY_METRIC = 'otelstack_verify_probe_total';
/** Attribute / label carrying the run's trace id on the metric series and the log record. */
export const VERIFY_ID_ATTRIBUTE = 'verify_id';

export interface Probe {
  readonly traceId: string;
  readonly rootSpanId: string;
  readonly childSpanId: string;
  /** ms since the epoch */
  readonly createdAt: number;
  readonly traces: TracesInput;
  readonly metrics: MetricsInput;
  readonly logs: LogsInput;
  readonly logLine: string;
}

export interface ProbeOptions {
  readonly stack: string;
  readonly env: string;
  readonly namespace: string;
  readonly traceId?: string;
  /** ms since the epoch; default Date.now() */
  readonly now?: number;
  /** service.name of the items; default otelstack-verify (the canary names itself) */
  readonly service?: string;
}

export function buildProbe(o: ProbeOptions): Probe {
  const traceId = o.traceId ?? randomTraceId();
  const rootSpanId = randomSpanId();
  const childSpanId = randomSpanId();
  const now = o.now ?? Date.now();
  const resource = {
    'service.name': o.service ?? VERIFY_SERVICE,
    'service.namespace': o.stack,
    'deployment.environment.name': o.env,
    'k8s.namespace.name': o.namespace,
  };
  const scope = { name: 'otelstack/verify' };
  const logLine = `otelstack verify probe ${traceId}`;
  return {
    traceId,
    rootSpanId,
    childSpanId,
    createdAt: now,
    logLine,
    traces: {
      resource,
      scope,
      spans: [
        { traceId, spanId: rootSpanId, name: 'otelstack verify', kind: 'server', startTime: now - 20, endTime: now, attributes: { [VERIFY_ID_ATTRIBUTE]: traceId } },
        { traceId, spanId: childSpanId, parentSpanId: rootSpanId, name: 'otelstack verify child', kind: 'internal', startTime: now - 15, endTime: now - 5 },
      ],
    },
    metrics: {
      resource,
      scope,
      metrics: [
        {
          name: VERIFY_METRIC,
          description: 'probe series written by otelstack verify',
          kind: 'sum',
          monotonic: true,
          temporality: 'cumulative',
          points: [{ value: 1, startTime: now - 20, time: now, attributes: { [VERIFY_ID_ATTRIBUTE]: traceId }, exemplars: [{ value: 1, time: now, traceId, spanId: rootSpanId }] }],
        },
      ],
    },
    logs: {
      resource,
      scope,
      records: [{ time: now, observedTime: now, severityNumber: 9, severityText: 'INFO', body: logLine, traceId, spanId: rootSpanId, attributes: { [VERIFY_ID_ATTRIBUTE]: traceId } }],
    },
  };
}
