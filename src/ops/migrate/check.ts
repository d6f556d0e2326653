import { MIMIR_READ_WRITE_MIGRATION } from '../../catalog/migrations.js';
import { JaegerClient, LokiClient, PrometheusClient, TempoClient, mimirPrometheusUrl } from '../backends/index.js';
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
  /** where the rings' status pages answer (Mimir's HTTP port: http://host:8080); without it ring conditions are manual */
  ringUrl?: string;
  /** the target's query API for `compare` conditions (Mimir: its base URL with targetApi mimir); without it they are manual */
  targetUrl?: string;
  targetApi?: 'prometheus' | 'mimir';
  /** the source engine's query API for `traces` conditions (Jaeger's query service: http://host:16686) */
  sourceUrl?: string;
  /** the service whose traces `traces` conditions compare, instead of the gate's */
  service?: string;
  /** where `logql` conditions query (the target Loki's read path / gateway: http://host:3100) */
  lokiUrl?: string;
  /** when this step's timed waits started (the state file); undefined: they start now */
  waitStartedAt?: Date;
  now?: Date;
  timeoutMs?: number;
}

/** One instance of a ring, as its status page lists it. */
export interface RingInstance {
  id: string;
  state: string;
  zone: string;
}

/** GET <base>/<component>/ring as JSON (dskit's ring page); throws with what came back when it is not the ring JSON. */
export async function fetchRing(base: string, ring: string, timeoutMs = 10_000, page?: string): Promise<RingInstance[]> {
  const r = MIMIR_READ_WRITE_MIGRATION;
  const path = page ?? r.ringPages[ring];
  if (!path) throw new Error(`the catalog has no status page for the ${ring} ring`);
  const url = `${base.replace(/\/+$/, '')}${path}`;
  const res = await fetch(url, { headers: { Accept: r.ringJson.accept }, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${text.slice(0, 200).trim()}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`GET ${url} did not answer JSON (${(res.headers.get('content-type') ?? 'no content type').split(';')[0]}): is it a ring status page?`);
  }
  const list = (body as Record<string, unknown>)[r.ringJson.instances];
  if (!Array.isArray(list)) throw new Error(`GET ${url}: no "${r.ringJson.instances}" list in the answer`);
  return list.map((x) => {
    const o = x as Record<string, unknown>;
    return { id: String(o[r.ringJson.id] ?? ''), state: String(o[r.ringJson.state] ?? ''), zone: String(o[r.ringJson.zone] ?? '') };
  });
}

/** Whether a ring condition holds for the instances seen: `both` kinds present (ACTIVE), or the microservices `left`. */
export function ringHolds(expect: 'both' | 'left', instances: readonly RingInstance[], newInstance: string = MIMIR_READ_WRITE_MIGRATION.readWriteInstance, kinds: { old: string; new: string } = { old: 'microservices', new: 'read-write' }): { holds: boolean; detail: string } {
  const rw = new RegExp(newInstance);
  const readWrite = instances.filter((i) => rw.test(i.id));
  const micro = instances.filter((i) => !rw.test(i.id));
  const list = (xs: readonly RingInstance[]) => (xs.length ? xs.map((i) => `${i.id} ${i.state}`).join(', ') : 'none');
  const seen = `${kinds.new}: ${list(readWrite)}; ${kinds.old}: ${list(micro)}`;
  if (expect === 'both') {
    const active = (xs: readonly RingInstance[]) => xs.some((i) => i.state === 'ACTIVE');
    return { holds: active(readWrite) && active(micro), detail: `expected an ACTIVE instance of each kind; ${seen}` };
  }
  return { holds: micro.length === 0, detail: `expected no ${kinds.old} instance; ${seen}` };
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(4));

/** 7200 → "2h 0m", 59 → "59s" */
function duration(s: number): string {
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}h ${m}m` : `${m}m ${s % 60}s`;
}

/** Runs a step's gate: each PromQL condition through GET /api/v1/query, each ring condition through its status page (with ringUrl); waits and manual conditions are listed. */
export async function checkGate(step: Step, opts: CheckOptions): Promise<GateResult> {
  const url = opts.api === 'mimir' ? mimirPrometheusUrl(opts.url) : opts.url.replace(/\/+$/, '');
  const client = new PrometheusClient({ url, ...(opts.tenant ? { tenant: opts.tenant } : {}), timeoutMs: opts.timeoutMs ?? 10_000 });
  const conditions: ConditionResult[] = [];
  for (const g of step.gate) {
    if (g.kind === 'ring' && opts.ringUrl) {
      try {
        const r = ringHolds(g.expect, await fetchRing(opts.ringUrl, g.ring, opts.timeoutMs ?? 10_000, g.page), g.newInstance, g.kinds);
        conditions.push({ status: r.holds ? 'hold' : 'fail', kind: 'ring', description: g.description, detail: r.detail });
      } catch (e) {
        conditions.push({ status: 'fail', kind: 'ring', description: g.description, detail: `ring page failed: ${(e as Error).message}` });
      }
      continue;
    }
    if (g.kind === 'compare') {
      if (!opts.targetUrl) {
        conditions.push({ status: 'manual', kind: 'compare', description: g.description, query: g.query, detail: 'pass --target-url (the target engine\'s query API) to compare it with --prometheus-url' });
        continue;
      }
      const target = new PrometheusClient({ url: opts.targetApi === 'prometheus' ? opts.targetUrl.replace(/\/+$/, '') : mimirPrometheusUrl(opts.targetUrl), ...(opts.tenant ? { tenant: opts.tenant } : {}), timeoutMs: opts.timeoutMs ?? 10_000 });
      try {
        const one = (xs: Array<{ value: number }>, who: string) => {
          if (xs.length !== 1) throw new Error(`${who} answered ${xs.length} series, expected 1`);
          return xs[0]!.value;
        };
        const a = one(await client.query(g.query), 'the source');
        const b = one(await target.query(g.query), 'the target');
        const off = a === 0 ? (b === 0 ? 0 : Infinity) : (Math.abs(a - b) / a) * 100;
        const holds = a > 0 && off <= g.tolerancePercent;
        conditions.push({ status: holds ? 'hold' : 'fail', kind: 'compare', description: g.description, query: g.query, detail: `source ${fmt(a)}, target ${fmt(b)}: ${Number.isFinite(off) ? `${off.toFixed(1)} %` : 'the source has none'} apart (at most ${g.tolerancePercent} %)` });
      } catch (e) {
        conditions.push({ status: 'fail', kind: 'compare', description: g.description, query: g.query, detail: `comparison failed: ${(e as Error).message}` });
      }
      continue;
    }
    if (g.kind === 'traces') {
      conditions.push(await tracesCondition(g, opts));
      continue;
    }
    if (g.kind === 'logql') {
      conditions.push(await logqlCondition(g, opts));
      continue;
    }
    if (g.kind === 'wait' && g.seconds !== undefined) {
      const now = opts.now ?? new Date();
      const started = opts.waitStartedAt ?? now;
      const left = g.seconds - Math.floor((now.getTime() - started.getTime()) / 1000);
      const since = opts.waitStartedAt ? `since ${started.toISOString()} (the first check of this step)` : 'starting now (this first check of the step); run the check again then';
      conditions.push(
        left <= 0
          ? { status: 'hold', kind: 'wait', description: g.description, detail: `${duration(g.seconds)} waited ${since}` }
          : { status: 'fail', kind: 'wait', description: g.description, detail: `${duration(left)} of ${duration(g.seconds)} left, ${since}: not before ${new Date(started.getTime() + g.seconds * 1000).toISOString()}` },
      );
      continue;
    }
    if (g.kind !== 'promql') {
      const detail = g.kind === 'ring' ? `ring check (${g.ring}: ${g.expect === 'both' ? 'both kinds present' : 'left'}): pass --ring-url (the engine's HTTP port${g.page ? `, serving ${g.page}` : ''}) to check the ring page` : g.kind === 'wait' ? 'a wait the documentation gives no duration for: wait before running the next step' : 'check by hand';
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

const iso = (s: number) => new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * A `traces` condition: the traces of one service in one window on the source (Jaeger) and on the target (Tempo):
 * both found some, the counts agree within the tolerance, and a sample of each side's trace ids is found by id on
 * the other side (a trace found by id is there whatever the window edges did to the searches).
 */
async function tracesCondition(g: Extract<GateCondition, { kind: 'traces' }>, opts: CheckOptions): Promise<ConditionResult> {
  const service = opts.service ?? g.service;
  const description = g.description;
  if (!opts.sourceUrl || !opts.targetUrl) {
    return { status: 'manual', kind: 'traces', description, detail: `pass --source-url (Jaeger's query service, e.g. http://jaeger:16686) and --target-url (Tempo's HTTP API, e.g. http://tempo:3200) to compare the traces of service "${service}" on both` };
  }
  const now = (opts.now ?? new Date()).getTime() / 1000;
  const end = Math.floor(now - g.settleSeconds);
  const start = end - g.windowSeconds;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const jaeger = new JaegerClient({ url: opts.sourceUrl, timeoutMs });
  const tempo = new TempoClient({ url: opts.targetUrl, ...(opts.tenant ? { tenant: opts.tenant } : {}), timeoutMs });
  try {
    const a = [...new Set((await jaeger.search(service, { start, end, limit: g.limit })).map((t) => t.traceId))].sort();
    const b = [...new Set((await tempo.search(`{ resource.service.name = ${JSON.stringify(service)} }`, { start, end, limit: g.limit })).map((t) => t.traceId))].sort();
    const capped = (n: number) => (n >= g.limit ? `${n} (the search limit: at least)` : String(n));
    const where = `service "${service}", traces started ${iso(start)} – ${iso(end)}`;
    const counts = `Jaeger ${capped(a.length)}, Tempo ${capped(b.length)}`;
    if (a.length === 0 || b.length === 0) {
      const none = a.length === 0 && b.length === 0 ? 'neither backend has any: is load flowing through the collectors?' : a.length === 0 ? 'Jaeger received none of them' : 'Tempo received none of them';
      return { status: 'fail', kind: 'traces', description, detail: `${where}: ${counts}: ${none}` };
    }
    const off = (Math.abs(a.length - b.length) / a.length) * 100;
    // a sample spread over each side's ids, looked up by id on the other side
    const pick = (ids: string[]) => (ids.length <= g.sample ? ids : Array.from({ length: g.sample }, (_, i) => ids[Math.floor((i * ids.length) / g.sample)]!));
    const inB = new Set(b);
    const inA = new Set(a);
    const missingInTempo: string[] = [];
    for (const id of pick(a)) if (!inB.has(id) && !(await tempo.getTrace(id))) missingInTempo.push(id);
    const missingInJaeger: string[] = [];
    for (const id of pick(b)) if (!inA.has(id) && !(await jaeger.getTrace(id))) missingInJaeger.push(id);
    const sampled = Math.min(g.sample, a.length) + Math.min(g.sample, b.length);
    const lacks = [
      missingInTempo.length ? `Tempo lacks ${missingInTempo.length} of ${Math.min(g.sample, a.length)} sampled Jaeger traces (${missingInTempo.join(', ')})` : '',
      missingInJaeger.length ? `Jaeger lacks ${missingInJaeger.length} of ${Math.min(g.sample, b.length)} sampled Tempo traces (${missingInJaeger.join(', ')})` : '',
    ].filter(Boolean);
    const holds = off <= g.tolerancePercent && lacks.length === 0;
    const detail = `${where}: ${counts} (${off.toFixed(1)} % apart, at most ${g.tolerancePercent} %); ${lacks.length ? lacks.join('; ') : `all ${sampled} sampled trace ids found in both`}`;
    return { status: holds ? 'hold' : 'fail', kind: 'traces', description, detail };
  } catch (e) {
    return { status: 'fail', kind: 'traces', description, detail: `comparison failed: ${(e as Error).message}` };
  } finally {
    await jaeger.close();
    await tempo.close();
  }
}

/** A `logql` condition: the query answers log lines on the target Loki's read path. */
async function logqlCondition(g: Extract<GateCondition, { kind: 'logql' }>, opts: CheckOptions): Promise<ConditionResult> {
  if (!opts.lokiUrl) return { status: 'manual', kind: 'logql', description: g.description, query: g.query, detail: "pass --loki-url (the new read path: Loki's gateway or query-frontend, e.g. http://loki-gateway) to run the query there" };
  const loki = new LokiClient({ url: opts.lokiUrl, ...(opts.tenant ? { tenant: opts.tenant } : {}), timeoutMs: opts.timeoutMs ?? 10_000 });
  const now = opts.now ?? new Date();
  try {
    const entries = await loki.queryRange(g.query, { start: new Date(now.getTime() - g.windowSeconds * 1000), end: now, limit: 100 });
    const streams = new Set(entries.map((e) => JSON.stringify(e.labels))).size;
    return { status: entries.length > 0 ? 'hold' : 'fail', kind: 'logql', description: g.description, query: g.query, detail: entries.length > 0 ? `${entries.length} line(s) in ${streams} stream(s) over the last ${g.windowSeconds}s at ${opts.lokiUrl}` : `no log lines over the last ${g.windowSeconds}s at ${opts.lokiUrl}` };
  } catch (e) {
    return { status: 'fail', kind: 'logql', description: g.description, query: g.query, detail: `query failed: ${(e as Error).message}` };
  } finally {
    await loki.close();
  }
}

/** One line per condition: `hold   <description>: <detail>`. */
export function gateLines(r: GateResult): string[] {
  return r.conditions.map((c) => `${c.status.padEnd(6)} ${c.description}: ${c.detail}${c.query && c.status === 'fail' ? `\n       query: ${c.query}` : ''}`);
}
