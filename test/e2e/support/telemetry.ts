// The collector's own metrics (its Prometheus pull endpoint, the :8888 of a container), read with the names of
// src/catalog/metrics.ts; the text exposition format is parsed by the deploy's parser (src/ops/deploy/metrics-text.ts).
import { request } from 'undici';

import { COLLECTOR_METRICS, type Signal3 } from '../../../src/catalog/metrics.js';

import { parseExposition, type Sample } from '../../../src/ops/deploy/metrics-text.js';

export { parseExposition, type Sample };

export async function scrape(url: string, timeoutMs = 5000): Promise<Sample[]> {
  const res = await request(url, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`GET ${url}: HTTP ${res.statusCode}`);
  return parseExposition(text);
}

const NAMES = COLLECTOR_METRICS.otelcol;

/** What the queues and exporters of one collector say, summed over exporters. */
export interface QueueState {
  /** otelcol_exporter_queue_size per exporter */
  readonly queueSize: Readonly<Record<string, number>>;
  /** otelcol_exporter_enqueue_failed_* summed over signals, per exporter */
  readonly enqueueFailed: Readonly<Record<string, number>>;
  /** otelcol_exporter_send_failed_* per exporter (informational: retries of a down backend count here) */
  readonly sendFailed: Readonly<Record<string, number>>;
  /** otelcol_exporter_sent_* per exporter */
  readonly sent: Readonly<Record<string, number>>;
}

function sumBy(samples: readonly Sample[], names: readonly string[], label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    if (!names.includes(s.name)) continue;
    const k = s.labels[label] ?? '';
    out[k] = (out[k] ?? 0) + s.value;
  }
  return out;
}

export function queueState(samples: readonly Sample[]): QueueState {
  const signals: Signal3[] = ['traces', 'metrics', 'logs'];
  const per = (rec: Record<Signal3, string>) => signals.map((s) => rec[s]);
  return {
    queueSize: sumBy(samples, [NAMES.exporterQueueSize], NAMES.exporterLabel),
    enqueueFailed: sumBy(samples, per(NAMES.exporterEnqueueFailed), NAMES.exporterLabel),
    sendFailed: sumBy(samples, per(NAMES.exporterSendFailed), NAMES.exporterLabel),
    sent: sumBy(samples, per(NAMES.exporterSent), NAMES.exporterLabel),
  };
}

export function totalOf(rec: Readonly<Record<string, number>>): number {
  return Object.values(rec).reduce((a, b) => a + b, 0);
}
