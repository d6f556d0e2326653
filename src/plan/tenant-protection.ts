/**
 * Seed 003's three levels of protection per tenant, side by side (the plan's table and the tenant-protection rule):
 * client sampling, the ingress limit on the tenant's host and the gateway's limit on its Faro receiver — each with
 * what enforces it in this environment, or that nothing does.
 *
 * Arithmetic (only where the definition gives the tenant's load, tenants.<name>.load): the gateway is expected to see
 * activeSessions × sampling × requestsPerMinute / 60 requests per second. Assumption: sessions send evenly over the
 * minute (the SDK batches; a burst of page loads is what the limits' bursts are for), and every sampled session sends
 * (an unsampled one sends nothing). Without a load there is nothing to compute from: no expectation, no finding on it.
 */
import type { Stack } from '../model/schema.js';
import type { RequestLimit, TenantPlan, Topology } from '../topology/types.js';
import { vmFaroProxy } from '../topology/vm-faro-proxy.js';

export interface LimitLevel {
  perSecond: number;
  burst: number;
  /** what enforces it here; null: nothing does in this environment */
  enforcedBy: string | null;
  /** how it counts (per Envoy replica, per client IP, per gateway host, for the whole tenant) */
  scope: string;
}

export interface TenantProtection {
  tenant: string;
  id: string;
  sampling: number;
  ingress: LimitLevel;
  gateway: LimitLevel;
  /** requests per second the gateway is expected to see (the arithmetic above); absent without a load */
  expectedPerSecond?: number;
  /** what the expectation is computed from */
  expectedBasis?: string;
  definitionPath: string;
}

function ingressLevel(stack: Stack, t: Topology, tn: TenantPlan): LimitLevel {
  const l: RequestLimit = tn.ingressRateLimit;
  const ing = stack.ingestion?.faro?.ingress;
  if (t.env.target !== 'kubernetes' || !ing) return { ...l, enforcedBy: null, scope: t.env.target === 'kubernetes' ? 'no ingress (ingestion.faro.ingress)' : `no ingress on the ${t.env.target} target` };
  if (!tn.host) return { ...l, enforcedBy: null, scope: 'no host: no route rendered' };
  if (t.ingestion?.shared) return { ...l, enforcedBy: null, scope: 'shared collectors: no route rendered here' };
  return ing.controller === 'contour'
    ? { ...l, enforcedBy: 'Contour HTTPProxy rateLimitPolicy.local', scope: 'per Envoy replica' }
    : { ...l, enforcedBy: 'ingress-nginx limit-rps / limit-burst-multiplier', scope: 'per client IP' };
}

function gatewayLevel(t: Topology, tn: TenantPlan): LimitLevel {
  const l = tn.rateLimit;
  if (t.ingestion?.collector === 'alloy') return { ...l, enforcedBy: 'Alloy faro.receiver rate_limiting', scope: 'per Alloy replica' };
  if (t.env.target === 'compose') return { ...l, enforcedBy: 'HAProxy stick-table (otlp-lb)', scope: 'whole tenant' };
  // the ansible target: HAProxy on every gateway host, each counting what reaches its own host (vm-faro-proxy.ts)
  const vm = vmFaroProxy(t);
  if (vm?.tenants.some((x) => x.name === tn.name)) {
    const n = vm.gatewayHosts;
    return {
      ...l,
      enforcedBy: 'HAProxy stick-table on each gateway host',
      scope: n > 1 ? `per gateway host: each of the ${n} counts on its own, so spread over them the tenant gets up to ${n} × ${l.perSecond}/s (bursts of ${n} × ${l.burst})` : 'per gateway host (one: the whole tenant)',
    };
  }
  return { ...l, enforcedBy: null, scope: `the OpenTelemetry Collector has no rate limiter; no HAProxy on the ${t.env.target} target` };
}

const round = (n: number) => Math.round(n * 100) / 100;

export function protectionLevels(stack: Stack, t: Topology): TenantProtection[] {
  return (t.tenants ?? []).map((tn) => ({
    tenant: tn.name,
    id: tn.id,
    sampling: tn.sampling,
    ingress: ingressLevel(stack, t, tn),
    gateway: gatewayLevel(t, tn),
    ...(tn.load
      ? {
          expectedPerSecond: round((tn.load.activeSessions * tn.sampling * tn.load.requestsPerMinute) / 60),
          expectedBasis: `${tn.load.activeSessions} sessions × ${tn.sampling} sampled × ${tn.load.requestsPerMinute} requests/min ÷ 60`,
        }
      : {}),
    definitionPath: tn.definitionPath,
  }));
}
