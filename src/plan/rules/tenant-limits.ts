import { GRAFANA_UID_MAX_LENGTH } from '../../catalog/grafana.js';
import { LOKI_TENANT_LIMITS } from '../../catalog/loki.js';
import { MIMIR_TENANT_LIMITS } from '../../catalog/mimir.js';
import { TEMPO_TENANT_LIMITS } from '../../catalog/tempo.js';
import type { SignalName } from '../../model/schema.js';
import type { Topology } from '../../topology/types.js';
import type { Finding, Rule } from '../findings.js';

/** Which engines otelstack renders per-tenant limits for, per limited signal (the renderers' overrides files). */
const LIMITED_ENGINES: Readonly<Record<'logs' | 'traces' | 'metrics', string>> = { logs: 'loki', traces: 'tempo', metrics: 'mimir' };

const mb = (b: number) => `${(b / 1_048_576).toFixed(b % 1_048_576 === 0 ? 0 : 2)} MiB`;

/**
 * Per-tenant engine limits (tenants.<name>.limits) that cannot hold, per environment serving the tenant:
 * - a burst below the rate, on an engine that takes the limits (the definition's, or the engine's default where the definition gives none — catalog
 *   *_TENANT_LIMITS): each engine refuses any single push larger than the burst, so the rate is never reached by the
 *   collectors' batched pushes, and Loki / Mimir refuse such a limit outright (error);
 * - limits for a signal whose engine in that environment takes no per-tenant limits from otelstack: not the engine
 *   otelstack renders overrides for (Prometheus has no tenants), or one that is not multi-tenant (an unmanaged engine
 *   without a tenant) — the limits are not rendered there (warning);
 * - a tenant datasource uid longer than Grafana accepts (error).
 * Not checked: a tenant's maxSeries / maxStreams / maxTraces against an engine-wide limit — otelstack renders none
 * (Mimir's ingester instance limits, Loki's and Tempo's per-instance limits stay at their unlimited defaults), so a
 * tenant's limit above the engine's per-tenant default is an intended override, not a conflict.
 */
export const tenantLimits: Rule = {
  id: 'tenant-limits',
  description: "each tenant's engine limits can hold: bursts at least the rate, and only on multi-tenant engines that take them",
  check({ topologies }) {
    const out: Finding[] = [];
    for (const t of topologies) for (const x of t.tenants ?? []) out.push(...checkTenant(t, x));
    return out;
  },
};

function checkTenant(t: Topology, x: NonNullable<Topology['tenants']>[number]): Finding[] {
  const out: Finding[] = [];
  const env = t.env.name;
  const base = `${x.definitionPath}.limits`;
  // defaulted: the definition gives no burst, so the rate is what goes beyond the engine's default burst
  const burstBelow = (signal: SignalName, rateField: string, burst: number, rate: number, show: (n: number) => string, defaulted: boolean, unit: string) => {
    if (burst >= rate) return;
    out.push({
      severity: 'error',
      rule: tenantLimits.id,
      env,
      path: `${base}.${signal}.${defaulted ? rateField : 'burst'}`,
      message: `tenant ${x.name}'s ${signal} burst (${show(burst)}${defaulted ? `, the engine's default` : ''}) is below its rate (${show(rate)}/s): every push above the burst is refused, so the rate is never reached`,
      suggestion: `set ${base}.${signal}.burst to at least the rate (twice the rate leaves room for the collectors' batches), in ${unit}`,
    });
  };
  // signals whose engine takes the tenant's limits; the others get one warning and no further checks
  const taken = new Set<'logs' | 'traces' | 'metrics'>();
  for (const signal of ['logs', 'traces', 'metrics'] as const) {
    const l = x.limits[signal];
    if (!l || Object.keys(l).length === 0) continue;
    const e = t.engines.find((y) => y.signal === signal);
    const want = LIMITED_ENGINES[signal];
    if (e && e.engine === want && e.tenant !== undefined) {
      taken.add(signal);
      continue;
    }
    const why = !e
      ? `${env} has no ${signal} engine`
      : e.engine !== want
        ? `otelstack renders per-tenant ${signal} limits for ${want} only, and ${env} runs ${e.title}${e.engine === 'prometheus' ? ' (no tenants)' : ''}`
        : `${e.title} in ${env} is not multi-tenant (managed: false and no tenant of its own), so it keeps no per-tenant limits`;
    out.push({
      severity: 'warning',
      rule: tenantLimits.id,
      env,
      path: `${base}.${signal}`,
      message: `tenant ${x.name}'s ${signal} limits are not rendered for ${env}: ${why}`,
      suggestion: e && e.engine === want ? `give signals.${signal}.environments.${env} a tenant, or set the limits in that engine yourself` : `drop ${base}.${signal}, or limit the tenant to environments whose ${signal} engine is ${want} (tenants.${x.name}.environments)`,
    });
  }
  const logs = taken.has('logs') ? x.limits.logs : undefined;
  if (logs && (logs.ingestionRateBytes !== undefined || logs.burstBytes !== undefined)) {
    const d = LOKI_TENANT_LIMITS.defaults;
    burstBelow('logs', 'ingestionRate', logs.burstBytes ?? d.burstBytes, logs.ingestionRateBytes ?? d.ingestionRateBytes, mb, logs.burstBytes === undefined, 'bytes ("8Mi")');
  }
  const traces = taken.has('traces') ? x.limits.traces : undefined;
  if (traces && (traces.ingestionRateBytes !== undefined || traces.burstBytes !== undefined)) {
    const d = TEMPO_TENANT_LIMITS.defaults;
    burstBelow('traces', 'ingestionRate', traces.burstBytes ?? d.burstSizeBytes, traces.ingestionRateBytes ?? d.rateLimitBytes, mb, traces.burstBytes === undefined, 'bytes ("8Mi")');
  }
  const metrics = taken.has('metrics') ? x.limits.metrics : undefined;
  if (metrics && (metrics.samplesPerSecond !== undefined || metrics.burst !== undefined)) {
    const d = MIMIR_TENANT_LIMITS.defaults;
    burstBelow('metrics', 'samplesPerSecond', metrics.burst ?? d.burst, metrics.samplesPerSecond ?? d.samplesPerSecond, (n) => `${n} samples`, metrics.burst === undefined, 'samples');
  }
  for (const ds of x.datasources) {
    if (ds.uid.length <= GRAFANA_UID_MAX_LENGTH) continue;
    out.push({
      severity: 'error',
      rule: tenantLimits.id,
      env,
      path: 'grafana.tenantDatasourceUid',
      message: `tenant ${x.name}'s ${ds.engine} datasource uid "${ds.uid}" has ${ds.uid.length} characters; Grafana accepts at most ${GRAFANA_UID_MAX_LENGTH}`,
      suggestion: 'use a shorter grafana.tenantDatasourceUid pattern (e.g. "{engine}-{env}-{tenant}") or a shorter tenant name',
    });
  }
  return out;
}
