import Table from 'cli-table3';
import pc from 'picocolors';
import { formatBytes, formatCpu, formatRate } from '../model/quantity.js';
import type { PlanEnvironment, PlanReport, QuotaJson } from './index.js';

export type Format = 'table' | 'markdown' | 'json';

/** A table as rows of printed cells: the one source of the plan's tables (terminal, markdown and `otelstack report`'s HTML). */
export interface Grid {
  head: string[];
  rows: string[][];
}

function markdownTable(g: Grid): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(g.head), line(g.head.map(() => '---')), ...g.rows.map(line)].join('\n');
}

function terminalTable(g: Grid, colour: boolean): string {
  const t = new Table({
    head: g.head.map((h) => (colour ? pc.bold(h) : h)),
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const r of g.rows) t.push(r);
  return t.toString();
}

const mem = (b: number | null) => (b === null || b === 0 ? '—' : formatBytes(b));

export function componentGrid(e: PlanEnvironment): Grid {
  const rows = e.components.map((c) => [
    c.engine,
    c.known ? c.component : `${c.component} (!)`,
    String(c.phase),
    c.autoscaling ? `×${c.autoscaling.min}–${c.autoscaling.max} (${c.autoscaling.scaler === 'keda' ? 'KEDA' : 'HPA'}; budget ×${c.replicas})` : `×${c.replicas}`,
    formatCpu(c.cpuRequestMillicores),
    formatBytes(c.memoryRequestBytes),
    c.perReplica.memoryLimitBytes === null ? '—' : `${formatBytes(c.perReplica.memoryLimitBytes)} each`,
    c.storageBytes === 0 ? '—' : c.replicas > 1 ? `${formatBytes(c.storageBytes)} (${formatBytes(c.perReplica.storageBytes)}×${c.replicas})` : formatBytes(c.storageBytes),
    c.budgeted ? (c.note ? 'see chart workloads' : '') : 'shared, not budgeted',
  ]);
  for (const p of e.phases) rows.push(['', `Phase ${p.phase} total`, String(p.phase), '', formatCpu(p.cpuRequestMillicores), formatBytes(p.memoryRequestBytes), '', mem(p.storageBytes), '']);
  rows.push(['', 'Total', '', '', formatCpu(e.totals.cpuRequestMillicores), formatBytes(e.totals.memoryRequestBytes), '', mem(e.totals.storageBytes), '']);
  return { head: ['Engine', 'Component', 'Phase', 'Replicas', 'CPU req', 'Memory req', 'Memory limit', 'Storage', 'Note'], rows };
}

export function quotaGrid(e: PlanEnvironment): Grid | undefined {
  const q = e.quota;
  if (!q) return undefined;
  const phases = [...new Set([...q.cpu.byPhase, ...q.memory.byPhase].map((p) => p.phase))].sort((a, b) => a - b);
  const row = (name: string, l: QuotaJson, fmt: (n: number) => string) => [
    name,
    fmt(l.current),
    fmt(l.used),
    ...phases.map((p) => fmt(l.byPhase.find((x) => x.phase === p)?.amount ?? 0)),
    fmt(l.required),
    fmt(l.requested),
    `${l.headroomPercent}%`,
  ];
  return {
    head: ['Resource', 'Current quota', 'Currently used', ...phases.map((p) => `Phase ${p} new`), 'Total required', 'Requested', 'Headroom'],
    rows: [row('CPU', q.cpu, formatCpu), row('Memory', q.memory, formatBytes), row('Storage', q.storage, formatBytes)],
  };
}

/** The sizing of the collection layer against the expected load (environments with a load only). */
export function sizingGrid(e: PlanEnvironment): Grid | undefined {
  const z = e.sizing;
  if (!z) return undefined;
  const status = (have: number, need: number) => (have >= need ? 'ok' : `UNDER: needs ${need}`);
  const rows: string[][] = [];
  for (const p of z.pools) {
    const per = (['traces', 'metrics', 'logs'] as const).filter((s) => z.load[s] !== undefined).map((s) => `${s} ${formatRate(p.perReplica[s])}${p.sources[s] === 'seed' && z.source === 'calibration' ? ' (seed)' : ''}`);
    rows.push([`${p.pool} replicas`, `${p.role}, ${formatCpu(p.cpuPerReplicaMillicores)} each: ${per.join(', ')} per replica`, `${p.coresNeeded.toFixed(2)} cores → ${p.needed}`, String(p.replicas), status(p.replicas, p.needed)]);
  }
  for (const t of z.topics) rows.push([`${t.topic} partitions`, `${t.signal} ${formatRate(z.load[t.signal]!)}`, String(t.needed), String(t.partitions), status(t.partitions, t.needed)]);
  if (z.kafka) rows.push(['Kafka brokers', `${z.kafka.tier} tier (${z.kafka.tierSource})`, String(z.kafka.needed), String(z.kafka.brokers), z.kafka.managed ? status(z.kafka.brokers, z.kafka.needed) : 'existing cluster']);
  return { head: ['What', 'Basis', 'Needed', 'Defined', 'Status'], rows };
}

/** Seed 003's three limits per tenant side by side: client sampling, ingress, gateway (environments with tenants). */
export function tenantLimitsGrid(e: PlanEnvironment): Grid | undefined {
  if (!e.tenants?.length) return undefined;
  const level = (l: { perSecond: number; burst: number; enforcedBy: string | null; scope: string }) =>
    l.enforcedBy ? `${l.perSecond}/s, burst ${l.burst} — ${l.enforcedBy} (${l.scope})` : `${l.perSecond}/s, burst ${l.burst} — NOT enforced: ${l.scope}`;
  const rows = e.tenants.map((t) => [
    t.id === t.tenant ? t.tenant : `${t.tenant} (id ${t.id})`,
    `${t.sampling}`,
    level(t.ingress),
    level(t.gateway),
    t.expectedPerSecond !== undefined ? `${t.expectedPerSecond}/s (${t.expectedBasis})` : '— (no tenants.<name>.load)',
  ]);
  return { head: ['Tenant', 'Client sampling', 'Ingress limit', 'Gateway limit', 'Expected at the gateway'], rows };
}

/** The sizing's header line: the load and where the per-core figures come from. */
export function sizingLine(e: PlanEnvironment): string | undefined {
  const z = e.sizing;
  if (!z) return undefined;
  const load = (['traces', 'metrics', 'logs'] as const).filter((s) => z.load[s] !== undefined).map((s) => `${s} ${formatRate(z.load[s]!)}`).join(', ');
  return `Load: ${load} (+${z.headroomPercent}% headroom = ${formatRate(z.totalWithHeadroom).replace('/s', '')} events/s); sized from ${z.basis}`;
}

export function fitLine(e: PlanEnvironment): string | undefined {
  if (!e.fit) return undefined;
  const a = e.fit.available;
  const pct = (used: number, avail: number) => (avail > 0 ? `${Math.round((used / avail) * 100)}%` : '—');
  const what = e.fit.kind === 'headroom' ? 'Headroom' : 'Free in quota';
  return `${what}: ${formatCpu(a.cpuMillicores)} CPU / ${formatBytes(a.memoryBytes)} memory / ${formatBytes(a.storageBytes)} storage — ${e.fit.fits ? 'fits' : 'does NOT fit'} (uses ${pct(e.totals.cpuRequestMillicores, a.cpuMillicores)} / ${pct(e.totals.memoryRequestBytes, a.memoryBytes)} / ${pct(e.totals.storageBytes, a.storageBytes)})`;
}

/** Which phase is current, and what render deploys in it against every phase. */
export function currentPhaseLine(e: PlanEnvironment): string {
  const c = e.currentPhase;
  const later = e.phases.filter((p) => p.phase > c.phase).map((p) => p.phase);
  const how = c.set ? 'currentPhase' : 'default: the highest phase the definition uses';
  if (later.length === 0) return `Current phase: ${c.phase} (${how}) — render deploys every phase`;
  type A = { cpuRequestMillicores: number; memoryRequestBytes: number; storageBytes: number };
  const amounts = (a: A) => `${formatCpu(a.cpuRequestMillicores)} CPU / ${formatBytes(a.memoryRequestBytes)} memory / ${mem(a.storageBytes)} storage`;
  const short = (a: A) => `${formatCpu(a.cpuRequestMillicores)} / ${formatBytes(a.memoryRequestBytes)} / ${mem(a.storageBytes)}`;
  const fit = c.fits === null ? '' : `; ${c.fits ? 'fits' : 'does NOT fit'} the ${e.fit?.kind === 'headroom' ? 'headroom' : 'free quota'}`;
  return `Current phase: ${c.phase} (${how}) — render deploys phases ≤ ${c.phase}: ${amounts(c.totals)} (every phase: ${short(e.totals)})${fit}; phase ${later.join(', ')} not rendered yet (render --phase ${later[later.length - 1]})`;
}

export function renderPlan(report: PlanReport, format: Format, colour = false): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  const md = format === 'markdown';
  const table = (g: Grid) => (md ? markdownTable(g) : terminalTable(g, colour));
  const h = (level: number, s: string) => (md ? `${'#'.repeat(level)} ${s}` : colour ? pc.bold(pc.cyan(s)) : s);
  const out: string[] = [h(1, `Plan for ${report.stack}`), ''];
  for (const e of report.environments) {
    out.push(h(2, `${e.name} — namespace ${e.namespace} (${e.target}${e.ha ? ', HA' : ''})`), '');
    const engines = e.engines.map((x) => `${x.engine} ${x.version} ${x.mode}${x.chart ? ` [${x.chart}]` : ''}${x.replicationFactor ? ` RF ${x.replicationFactor}` : ''}${x.managed ? '' : ' (existing)'}${x.phase > 1 ? ` phase ${x.phase}` : ''}`);
    out.push(`Engines: ${engines.join('; ')}`, '', currentPhaseLine(e), '');
    out.push(table(componentGrid(e)), '');
    const fit = fitLine(e);
    if (fit) out.push(fit, '');
    const qg = quotaGrid(e);
    if (qg && e.quota) {
      out.push(h(3, `Quota increase request for ${e.namespace} (target headroom ${e.quota.targetHeadroomPercent}%)`), '', table(qg), '');
    }
    const sg = sizingGrid(e);
    if (sg) {
      out.push(h(3, 'Sizing for the expected load'), '', sizingLine(e)!, '', table(sg), '');
      for (const n of e.sizing!.notes) out.push(`- ${n}`);
      if (e.sizing!.notes.length) out.push('');
    }
    const tg = tenantLimitsGrid(e);
    if (tg) out.push(h(3, 'Tenant limits (seed 003: client sampling, ingress, gateway)'), '', table(tg), '');
    const chartWorkloads = e.chartWorkloads.filter((w) => w.action !== 'component');
    const volumeNotes = e.components.filter((c) => c.note && !chartWorkloads.some((w) => w.engine === c.engine && w.component === c.component));
    if (chartWorkloads.length || volumeNotes.length) {
      out.push(h(3, 'Chart workloads'), '');
      for (const w of chartWorkloads) out.push(`- ${w.engine} (${w.chart}) ${w.workload}: ${w.action === 'budget' ? `budgeted as ${w.component}` : 'switched off'} — ${w.reason}`);
      for (const c of volumeNotes) out.push(`- ${c.engine} ${c.component}: ${c.note}`);
      out.push('');
    }
    if (e.buckets.length) {
      out.push(h(3, 'Buckets'), '');
      const byStore = new Map<string, string[]>();
      for (const b of e.buckets) byStore.set(b.objectStorage, [...(byStore.get(b.objectStorage) ?? []), b.phase > 1 ? `${b.name} (phase ${b.phase})` : b.name]);
      for (const [s, names] of byStore) out.push(`- ${s}: ${names.join(', ')}`);
      out.push('');
    }
  }
  if (report.deprecatedDatasources.length) {
    out.push(h(2, 'Datasources to deprecate'), '');
    for (const d of report.deprecatedDatasources) out.push(`- ${d.name}${d.env ? ` (${d.env})` : ''}${d.reason ? ` — ${d.reason}` : ''}`);
    out.push('');
  }
  out.push(h(2, `Findings: ${report.summary.errors} error(s), ${report.summary.warnings} warning(s), ${report.summary.infos} info`), '');
  for (const f of report.findings) {
    const sev = colour ? (f.severity === 'error' ? pc.red(f.severity) : f.severity === 'warning' ? pc.yellow(f.severity) : pc.dim(f.severity)) : f.severity;
    out.push(`${md ? '- ' : ''}${sev} [${f.rule}]${f.env ? ` ${f.env}` : ''} at ${f.path}: ${f.message}`);
    out.push(`${md ? '  ' : '  '}→ ${f.suggestion}`);
  }
  return `${out.join('\n')}\n`;
}
