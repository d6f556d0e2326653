// Human and JSON forms of a LoadReport.
//
// JSON shape (stable; keys in this order): { endpoint, protocol, compression, durationMs, elapsedMs, setupMs, workers,
// concurrency, batchSize, shape: {depth, fanOut, attributes, errorRatio, spansPerTrace},
// signals: { traces?|metrics?|logs?: { unit, targetRate, requests, failedRequests, sent, accepted, rejected,
// achievedRate, traces?: {sent, accepted, achievedRate}, lastError? } },
// totals: {sent, accepted, rejected, requests, failedRequests},
// rejected: {"429", "503", "4xx", "5xx", network, partial}, latencyMs: {count, p50, p90, p99, max, mean},
// cpu: {userMs, systemMs}, readBack?: {tempoUrl, sampled, found, incomplete, missing, loss, missingTraceIds, error?},
// unreachable?: string (sending stopped early: no request reached a server) }
import Table from 'cli-table3';
import pc from 'picocolors';

import type { Signal } from '../otlp/types.js';
import type { LoadReport } from './run.js';
import { REJECT_KINDS } from './stats.js';

export function loadReportJson(r: LoadReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

const fmt = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 1 });

export function loadReportText(r: LoadReport, colour: boolean): string {
  const b = (s: string): string => (colour ? pc.bold(s) : s);
  const lines: string[] = [];
  lines.push(
    `${b('otelstack load')} → ${r.endpoint} (${r.protocol}${r.compression === 'gzip' ? ', gzip' : ''}): ${(r.elapsedMs / 1000).toFixed(1)} s, ${r.workers} worker(s) × ${r.concurrency} in flight per signal, batches of ${r.batchSize}`,
  );
  if (r.signals.traces) lines.push(`trace shape: depth ${r.shape.depth}, fan-out ${r.shape.fanOut} (${r.shape.spansPerTrace} spans), ${r.shape.attributes} attributes, error ratio ${r.shape.errorRatio}`);
  const t = new Table({ head: ['signal', 'target rate', 'sent', 'accepted', 'rejected', 'achieved rate', 'requests (failed)'].map(b), style: { head: [], border: [] } });
  for (const s of ['traces', 'metrics', 'logs'] as Signal[]) {
    const x = r.signals[s];
    if (!x) continue;
    const target = x.targetRate === 0 ? 'unthrottled' : `${fmt(x.targetRate)} ${s === 'traces' ? 'traces' : x.unit}/s`;
    const achieved = x.traces ? `${fmt(x.traces.achievedRate)} traces/s (${fmt(x.achievedRate)} spans/s)` : `${fmt(x.achievedRate)} ${x.unit}/s`;
    t.push([s, target, `${fmt(x.sent)} ${x.unit}`, fmt(x.accepted), x.rejected ? (colour ? pc.red(fmt(x.rejected)) : fmt(x.rejected)) : '0', achieved, `${fmt(x.requests)} (${fmt(x.failedRequests)})`]);
  }
  lines.push(t.toString());
  const rej = REJECT_KINDS.filter((k) => r.rejected[k] > 0).map((k) => `${k === '503' ? '503/UNAVAILABLE' : k === '429' ? '429/RESOURCE_EXHAUSTED' : k === 'tls' ? 'TLS handshake' : k}: ${fmt(r.rejected[k])}`);
  lines.push(`rejected items by kind: ${rej.length ? rej.join(', ') : 'none'}`);
  for (const s of ['traces', 'metrics', 'logs'] as Signal[]) if (r.signals[s]?.lastError) lines.push(`  last ${s} error: ${r.signals[s]!.lastError}`);
  const l = r.latencyMs;
  lines.push(`request latency (ms): p50 ${l.p50}  p90 ${l.p90}  p99 ${l.p99}  max ${l.max}  (${fmt(l.count)} requests)`);
  lines.push(`cpu: ${fmt(r.cpu.userMs)} ms user + ${fmt(r.cpu.systemMs)} ms system`);
  if (r.readBack) {
    const rb = r.readBack;
    const loss = `${(rb.loss * 100).toFixed(2)} %`;
    lines.push(
      `read-back from ${rb.tempoUrl}: ${rb.found}/${rb.sampled} found${rb.incomplete ? ` (${rb.incomplete} incomplete)` : ''}, loss ${colour ? (rb.missing ? pc.red(loss) : pc.green(loss)) : loss}${rb.missing ? `; missing e.g. ${rb.missingTraceIds.slice(0, 3).join(', ')}` : ''}${rb.error ? `; last error: ${rb.error}` : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
