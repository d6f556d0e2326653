import { PrometheusClient, mimirPrometheusUrl } from '../backends/index.js';
import type { GateCondition, Step } from './types.js';

export interface ConditionResult {
  /** 'hold' | 'fail' for what otelstack checks; 'manual' for what a person (or a later otelstack) checks */
  status: 'hold' | 'fail' | 'manual';
  kind: GateCondition['kind'];
  description: string;
  query?: string;
  /** what was seen: series and values, or the error */
  detail: string;
}

export interface GateResult {
  step: number;
  id: string;
  ok: boolean;
  conditions: ConditionResult[];
}

export interface CheckOptions {
  /** Prometheus API root (Prometheus: http://host:9090; Mimir: http://host:8080, the /prometheus prefix is added) */
  url: string;
  api: 'prometheus' | 'mimir';
  tenant?: string;
  timeoutMs?: number;
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(4));

/** Runs a step's gate: each PromQL condition through GET /api/v1/query; ring, wait and manual conditions are listed. */
export async function checkGate(step: Step, opts: CheckOptions): Promise<GateResult> {
  const url = opts.api === 'mimir' ? mimirPrometheusUrl(opts.url) : opts.url.replace(/\/+$/, '');
  const client = new PrometheusClient({ url, ...(opts.tenant ? { tenant: opts.tenant } : {}), timeoutMs: opts.timeoutMs ?? 10_000 });
  const conditions: ConditionResult[] = [];
  for (const g of step.gate) {
    if (g.kind !== 'promql') {
      const detail = g.kind === 'ring' ? `ring check (${g.ring}: ${g.expect === 'both' ? 'both kinds present' : 'left'}) is not automated yet: check the ring page` : g.kind === 'wait' ? 'not timed by otelstack: wait before running the next step' : 'check by hand';
      conditions.push({ status: 'manual', kind: g.kind, description: g.description, detail });
      continue;
    }
    try {
      const samples = await client.query(g.query);
      const positive = samples.filter((s) => s.value > 0);
      const series = samples.map((s) => `${Object.entries(s.metric).map(([k, v]) => `${k}="${v}"`).join(',') || '{}'} = ${fmt(s.value)}`).join('; ');
      const holds = g.expect === 'nonzero' ? positive.length > 0 : positive.length === 0;
      const seen = samples.length === 0 ? 'no series' : series;
      conditions.push({ status: holds ? 'hold' : 'fail', kind: 'promql', description: g.description, query: g.query, detail: `expected ${g.expect === 'nonzero' ? 'a series > 0' : 'every series 0 (or none)'}; got ${seen}` });
    } catch (e) {
      conditions.push({ status: 'fail', kind: 'promql', description: g.description, query: g.query, detail: `query failed: ${(e as Error).message}` });
    }
  }
  return { step: step.n, id: step.id, ok: conditions.every((c) => c.status !== 'fail'), conditions };
}

/** One line per condition: `hold   <description>: <detail>`. */
export function gateLines(r: GateResult): string[] {
  return r.conditions.map((c) => `${c.status.padEnd(6)} ${c.description}: ${c.detail}${c.query && c.status === 'fail' ? `\n       query: ${c.query}` : ''}`);
}
