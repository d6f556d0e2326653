import { formatBytes, formatCpu } from '../../model/quantity.js';
import type { MigrationPlan, Step } from './types.js';

export type MigrateFormat = 'table' | 'markdown' | 'json';

const heading = (md: boolean) => (level: number, s: string) => (md ? `${'#'.repeat(level)} ${s}` : `${s}\n${(level === 1 ? '=' : '-').repeat(s.length)}`);
const codeBlock = (md: boolean) => (lang: string, s: string) => (md ? `\`\`\`${lang}\n${s}\n\`\`\`` : s.split('\n').map((l) => `    ${l}`).join('\n'));

/** One step as printed by `migrate plan` (and as the README of `migrate render --step N`). */
export function stepLines(s: Step, format: Exclude<MigrateFormat, 'json'>, passed = false): string[] {
  const md = format === 'markdown';
  const h = heading(md);
  const code = codeBlock(md);
  const out: string[] = [];
  out.push(h(2, `Step ${s.n}: ${s.title}${passed ? ' [passed]' : ''}`), '', `(${s.source}; id ${s.id})`, '', `Change: ${s.change.summary}`);
  for (const a of s.change.actions ?? []) out.push(`- action: ${a}`);
  if (s.change.jsonnet) out.push('', 'jsonnet overlay:', '', code('jsonnet', s.change.jsonnet));
  if (s.change.helm?.length) {
    out.push('', `Helm values (${s.change.helmChart ?? 'mimir-distributed'}):`);
    for (const k of s.change.helm) {
      const v = typeof k.value === 'object' ? `the target's rendered ${k.key} block (${Array.isArray(k.value) ? `${k.value.length} items` : Object.keys(k.value).join(', ')})` : JSON.stringify(k.value);
      out.push(`- ${k.key}: ${v}${k.verified ? '' : ' (unverified)'}`);
    }
  }
  if (s.change.helmGap) out.push('', `Helm: ${s.change.helmGap}`);
  for (const f of Object.keys(s.change.files ?? {}).sort()) out.push('', `File ${f} (migrate render --step ${s.n} writes it)`);
  out.push('', 'Gate before the next step:');
  if (!s.gate.length) out.push('- none (last step)');
  for (const g of s.gate) {
    if (g.kind === 'promql') out.push(`- ${g.description} (${g.expect === 'nonzero' ? 'some series > 0' : 'every series 0'}):`, '', code('promql', g.query), '');
    else if (g.kind === 'compare') out.push(`- compare on source and target (at most ${g.tolerancePercent} % apart): ${g.description}:`, '', code('promql', g.query), '');
    else if (g.kind === 'traces') out.push(`- traces on source and target (service "${g.service}" unless --service, the last ${g.windowSeconds}s ending ${g.settleSeconds}s ago, counts at most ${g.tolerancePercent} % apart, ${g.sample} sampled ids of each found in the other): ${g.description}`);
    else if (g.kind === 'logql') out.push(`- logql on the target's read path (last ${g.windowSeconds}s, some lines): ${g.description}:`, '', code('logql', g.query), '');
    else out.push(`- ${g.kind}: ${g.description}`);
  }
  out.push(`If the gate fails: ${s.onFailure}`, `Roll back: ${s.rollback}`, `Replicas after the step: ${Object.entries(s.replicas).map(([k, v]) => `${k} ${v}`).join(', ')}`, '');
  return out;
}

/**
 * The migration plan as printed. JSON: the MigrationPlan object itself (stack, env, target, from, to, runbook
 * {id, title, engine, signal, from, to, source, notes, steps [{n, id, title, source, change {summary, jsonnet?,
 * helm? [{key, value, verified}], helmGap?, actions?}, gate [condition], onFailure, rollback, replicas}]} | null,
 * uncovered [difference], refusals [string], covered [difference], peak {states, peak, at, available, fits, quotaRequest} | null,
 * findings [Finding], progress {stateFile, passed [{step, passedAt, forced}], next} | null).
 */
export function renderMigrationPlan(p: MigrationPlan, format: MigrateFormat): string {
  if (format === 'json') return `${JSON.stringify(p, null, 2)}\n`;
  const md = format === 'markdown';
  const h = heading(md);
  const out: string[] = [];
  const rb = p.runbook;
  out.push(h(1, `Migration of ${p.stack} (${p.env}, ${p.target}): ${rb ? rb.title : 'no runbook'}`), '');
  out.push(`from ${p.from}`, `to   ${p.to}`, '');
  if (p.progress) {
    const done = p.progress.passed.map((s) => `step ${s.step} passed ${s.passedAt}${s.forced ? ' (forced)' : ''}`);
    out.push(h(2, 'Where the migration stands'), '', `state file ${p.progress.stateFile}`, ...done.map((d) => `- ${d}`), p.progress.next === null ? 'every step has passed' : `next: step ${p.progress.next}`, '');
  }
  if (rb) {
    out.push(`Source: ${rb.source}`, '');
    for (const n of rb.notes) out.push(`- ${n}`);
    out.push('');
    for (const s of rb.steps) out.push(...stepLines(s, format, p.progress?.passed.some((x) => x.step === s.n) ?? false));
  }
  if (p.peak) {
    const pk = p.peak;
    out.push(h(2, 'Resources during the migration (both deployments side by side)'), '');
    const rows = pk.states.map((s) => [String(s.step), s.label, formatCpu(s.totals.cpuRequestMillicores), formatBytes(s.totals.memoryRequestBytes), formatBytes(s.totals.storageBytes)]);
    const head = ['step', 'state', 'CPU', 'memory', 'storage'];
    if (md) out.push(`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`));
    else {
      const w = head.map((x, i) => Math.max(x.length, ...rows.map((r) => r[i]!.length)));
      for (const r of [head, ...rows]) out.push(r.map((c, i) => c.padEnd(w[i]!)).join('  ').trimEnd());
    }
    out.push('', `Peak: CPU ${formatCpu(pk.peak.cpuRequestMillicores)} (step ${pk.at.cpu}), memory ${formatBytes(pk.peak.memoryRequestBytes)} (step ${pk.at.memory}), storage ${formatBytes(pk.peak.storageBytes)} (step ${pk.at.storage})`);
    if (pk.available) out.push(`Available (${pk.available.kind}): CPU ${formatCpu(pk.available.cpuMillicores)}, memory ${formatBytes(pk.available.memoryBytes)}, storage ${formatBytes(pk.available.storageBytes)} — the peak ${pk.fits ? 'fits' : 'does NOT fit'}`);
    if (pk.quotaRequest) out.push(`Quota that holds the peak (${pk.quotaRequest.targetHeadroomPercent}% headroom): CPU ${formatCpu(pk.quotaRequest.cpuMillicores)}, memory ${formatBytes(pk.quotaRequest.memoryBytes)}, storage ${formatBytes(pk.quotaRequest.storageBytes)}`);
    out.push('');
  }
  out.push(h(2, `Differences no runbook covers: ${p.uncovered.length}`), '');
  for (const d of p.uncovered) out.push(`- ${d.subject} ${d.what}: ${d.from} → ${d.to}`);
  if (p.uncovered.length) out.push('');
  out.push(h(2, `Findings: ${p.findings.length}`), '');
  for (const f of p.findings) out.push(`${md ? '- ' : ''}${f.severity} [${f.rule}] ${f.env ?? ''} at ${f.path}: ${f.message}`, `  → ${f.suggestion}`);
  return `${out.join('\n')}\n`;
}
