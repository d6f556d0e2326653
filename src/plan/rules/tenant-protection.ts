import type { Finding, Rule } from '../findings.js';
import { protectionLevels, type TenantProtection } from '../tenant-protection.js';

/**
 * Seed 003's three limits of each tenant fit together (src/plan/tenant-protection.ts has the table and the arithmetic):
 *  - the ingress allows less than the gateway expects: the gateway's limit is never reached, and the ingress's is the
 *    real one (warning). Checked for Contour only, whose limit is per host (per Envoy replica, so several replicas let
 *    through more: the check is for one); ingress-nginx counts per client IP, which says nothing about the tenant's
 *    total. An ingress above the gateway is the normal shape (the gateway is the finer limit);
 *  - the client sampling sends more than the limits let through: what sampling keeps, a limit refuses with 429 anyway
 *    (warning, with the sampling that would fit). Only where tenants.<name>.load gives a load to compute from. A limit
 *    counted per Envoy replica or per gateway host (the ansible target's HAProxy) is checked as one replica's / one
 *    host's: the tenant's browsers are not guaranteed to spread evenly;
 *  - no level enforces anything on the server side in the environment (warning), or only the ingress does (info).
 */
export const tenantProtection: Rule = {
  id: 'tenant-protection',
  description: "each tenant's client sampling, ingress limit and gateway limit fit together",
  check({ stack, topologies }) {
    const out: Finding[] = [];
    for (const t of topologies) {
      for (const row of protectionLevels(stack, t)) out.push(...checkRow(this.id, t.env.name, row));
    }
    return out;
  },
};

function checkRow(rule: string, env: string, r: TenantProtection): Finding[] {
  const out: Finding[] = [];
  const { ingress: i, gateway: g } = r;
  if (!g.enforcedBy && !i.enforcedBy) {
    out.push({ severity: 'warning', rule, env, path: `${r.definitionPath}.rateLimit`, message: `nothing limits tenant ${r.tenant}'s Faro requests in ${env}: ${g.scope}, and ${i.scope}`, suggestion: 'render an ingress for its host (ingestion.faro.ingress and tenants.<name>.host), or collect with Alloy (faro.receiver rate_limiting)' });
  } else if (!g.enforcedBy) {
    out.push({ severity: 'info', rule, env, path: `${r.definitionPath}.rateLimit`, message: `tenant ${r.tenant}'s gateway limit (${g.perSecond}/s) is not enforced in ${env} (${g.scope}): the ingress limit (${i.perSecond}/s, ${i.scope}) is the only one`, suggestion: 'nothing to do unless the ingress can be bypassed; give the ingress the limit the gateway should have' });
  }
  if (i.enforcedBy && g.enforcedBy && i.scope === 'per Envoy replica' && (i.perSecond < g.perSecond || i.burst < g.burst)) {
    out.push({
      severity: 'warning',
      rule,
      env,
      path: `${r.definitionPath}.ingressRateLimit`,
      message: `tenant ${r.tenant}'s ingress allows less (${i.perSecond}/s, bursts of ${i.burst}, per Envoy replica) than its gateway expects (${g.perSecond}/s, bursts of ${g.burst}): the gateway's limit is never reached`,
      suggestion: `give ${r.definitionPath}.ingressRateLimit at least the gateway's rate and burst (or leave it out: it then is the gateway's)`,
    });
  }
  if (r.expectedPerSecond !== undefined) {
    const levels = [
      { name: 'ingress', l: i },
      { name: 'gateway', l: g },
    ].filter((x) => x.l.enforcedBy && x.l.scope !== 'per client IP');
    const tightest = levels.sort((a, b) => a.l.perSecond - b.l.perSecond)[0];
    if (tightest && r.expectedPerSecond > tightest.l.perSecond) {
      const fits = Math.floor(((r.sampling * tightest.l.perSecond) / r.expectedPerSecond) * 1000) / 1000;
      out.push({
        severity: 'warning',
        rule,
        env,
        path: `${r.definitionPath}.sampling`,
        message: `tenant ${r.tenant}'s sampling ${r.sampling} lets through an expected ${r.expectedPerSecond} requests/s (${r.expectedBasis}), above its ${tightest.name} limit of ${tightest.l.perSecond}/s: the limit refuses (429) what sampling keeps, so sessions lose data at random instead of being sampled out`,
        suggestion: `lower ${r.definitionPath}.sampling to ${fits > 0 ? `at most ${fits}` : 'fit'}, or raise the ${tightest.name} limit`,
      });
    }
  }
  return out;
}
