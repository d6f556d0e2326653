/**
 * Tenancy (seed 003): the tenants an environment serves, each with its engine tenant id, its own Faro receiver port
 * and the limits of the seed's three levels of protection, in base units. The renderers read `t.tenants`: the
 * collectors' per-tenant Faro receivers, the ingress and gateway rate limits, the engines' per-tenant overrides and
 * the tenants' Grafana datasources. Nothing is decided here about whether the limits fit together: the plan's rules
 * say so.
 *
 * An environment that serves tenants runs its managed Loki, Tempo, Mimir and Pyroscope multi-tenant (the renderers
 * turn multi-tenancy on wherever an engine has a `tenant`). An engine without a tenant of its own
 * (signals.<s>.environments.<env>.tenant) gets the tenant it stores data under with multi-tenancy off (Loki "fake",
 * Tempo "single-tenant", Mimir and Pyroscope "anonymous", catalog): the collectors' OTLP path, the canary, verify,
 * the rules and the environment's own datasources keep writing and reading where they did before the environment
 * had tenants, and switching multi-tenancy on loses nothing already stored. Runs right after the signals, before
 * span metrics are linked (Tempo's generator remote-writes to the metrics engine as its tenant).
 */
import { LOKI_API } from '../../catalog/loki.js';
import { MIMIR_API } from '../../catalog/mimir.js';
import { PYROSCOPE_NO_AUTH_TENANT } from '../../catalog/pyroscope.js';
import { TEMPO_API } from '../../catalog/tempo.js';
import type { EngineId } from '../../catalog/types.js';
import type { TenantDef } from '../../model/schema.js';
import { tenantPorts } from '../../model/tenants.js';
import { bytes, type TopologyTransform } from '../resources.js';
import type { EngineDeployment, RequestLimit, TenantDatasource, TenantPlan } from '../types.js';

/** The tenant each multi-tenant engine stores data under with multi-tenancy off (catalog). */
export const NO_AUTH_TENANT: Readonly<Partial<Record<EngineId, string>>> = {
  loki: LOKI_API.noAuthTenant,
  tempo: TEMPO_API.singleTenantId,
  mimir: MIMIR_API.anonymousTenant,
  pyroscope: PYROSCOPE_NO_AUTH_TENANT,
};

const limitOf = (l: { perSecond: number; burst?: number | undefined }): RequestLimit => ({ perSecond: l.perSecond, burst: l.burst ?? Math.ceil(2 * l.perSecond) });
const optBytes = (v: string | number | undefined): number | undefined => (v === undefined ? undefined : bytes(v));

/** Drops the keys whose value is undefined, so the plan's JSON has no `"x": undefined` holes. */
function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function limitsOf(l: TenantDef['limits']): TenantPlan['limits'] {
  const out: TenantPlan['limits'] = {};
  if (l.logs) out.logs = defined({ ingestionRateBytes: optBytes(l.logs.ingestionRate), burstBytes: optBytes(l.logs.burst), maxStreams: l.logs.maxStreams });
  if (l.traces) out.traces = defined({ ingestionRateBytes: optBytes(l.traces.ingestionRate), burstBytes: optBytes(l.traces.burst), maxTraces: l.traces.maxTraces });
  if (l.metrics) out.metrics = defined({ samplesPerSecond: l.metrics.samplesPerSecond, burst: l.metrics.burst, maxSeries: l.metrics.maxSeries });
  return out;
}

/** A datasource naming convention filled in (the placeholders of signals.ts, and {tenant}); unknown ones stay. */
function fill(template: string, vars: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);
}

export const addTenants: TopologyTransform = (t, { stack, env }) => {
  const all = stack.tenants ?? {};
  const ports = tenantPorts(all);
  const tenants: TenantPlan[] = [];
  for (const name of [...ports.keys()]) {
    const d = all[name]!;
    if (d.environments && !d.environments.includes(env.name)) continue;
    const origins = [...new Set(d.origins)].sort();
    tenants.push({
      name,
      id: d.id ?? name,
      origins,
      ...(d.host ? { host: d.host } : {}),
      faroPort: ports.get(name)!,
      sampling: d.sampling,
      rateLimit: limitOf(d.rateLimit),
      ingressRateLimit: limitOf(d.ingressRateLimit ?? d.rateLimit),
      propagateTo: d.propagateTo.length > 0 ? [...d.propagateTo] : origins,
      datasources: [],
      propagation: [...new Set(d.propagation)].sort(),
      ...(d.load ? { load: { activeSessions: d.load.activeSessions, requestsPerMinute: d.load.requestsPerMinute } } : {}),
      limits: limitsOf(d.limits),
      definitionPath: `tenants.${name}`,
    });
  }
  if (tenants.length === 0) return t;
  const engines: EngineDeployment[] = t.engines.map((e) => {
    const own = NO_AUTH_TENANT[e.engine];
    return e.tenant === undefined && e.managed && own !== undefined ? { ...e, tenant: own, tenantFrom: 'tenants' as const } : e;
  });
  // each tenant's datasources: the engines that are multi-tenant and have a datasource (Prometheus has no tenants)
  for (const x of tenants) {
    x.datasources = engines
      .filter((e) => e.datasource && e.tenant !== undefined && e.endpoints.query)
      .map((e): TenantDatasource => {
        const vars = { Engine: e.title, engine: e.engine, env: env.name, stack: stack.name, signal: e.signal, tenant: x.name };
        return { engine: e.engine, name: fill(stack.grafana.tenantDatasourceName, vars), uid: fill(stack.grafana.tenantDatasourceUid, vars), type: e.datasource!.type };
      });
  }
  return { ...t, engines, tenants };
};
