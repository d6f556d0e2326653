/**
 * Tenancy (seed 003): the tenants an environment serves, each with its engine tenant id, its own Faro receiver port
 * and the limits of the seed's three levels of protection, in base units. The renderers read `t.tenants`: the
 * collectors' per-tenant Faro receivers, the ingress and gateway rate limits, the engines' per-tenant overrides and
 * the tenants' Grafana datasources. Nothing is decided here about whether the limits fit together: the plan's rules
 * say so.
 */
import type { TenantDef } from '../../model/schema.js';
import { tenantPorts } from '../../model/tenants.js';
import { bytes, type TopologyTransform } from '../resources.js';
import type { RequestLimit, TenantPlan } from '../types.js';

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
      propagation: [...new Set(d.propagation)].sort(),
      ...(d.load ? { load: { activeSessions: d.load.activeSessions, requestsPerMinute: d.load.requestsPerMinute } } : {}),
      limits: limitsOf(d.limits),
      definitionPath: `tenants.${name}`,
    });
  }
  return tenants.length > 0 ? { ...t, tenants } : t;
};
