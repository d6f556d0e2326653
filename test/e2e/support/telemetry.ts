// The collector's own metrics (its Prometheus pull endpoint, the :8888 of a container), read with the names of
// src/catalog/metrics.ts. The text exposition format is parsed here by hand: a line-oriented format whose sample
// lines are `name{label="value",...} number [timestamp]` (Prometheus "Exposition formats", text format 0.0.4), and
// no maintained npm parser of it exists among this project's dependencies; only names, labels and values are needed.
import { request } from 'undici';

import { COLLECTOR_METRICS, type Signal3 } from '../../../src/catalog/metrics.js';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LABEL_RE = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    if (m[3]) for (const l of m[3].matchAll(LABEL_RE)) labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    out.push({ name: m[1]!, labels, value: Number(m[4]) });
  }
  return out;
}

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
