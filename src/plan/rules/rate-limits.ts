import { expand } from '../../topology/expand.js';
import type { Topology } from '../../topology/types.js';
import type { Finding, Rule } from '../findings.js';

/**
 * Per-tenant rate limits (seed 003) apply to the Faro receivers of the Alloy collection layer: each names a tenant
 * (an environment's X-Scope-OrgID) or an environment the Alloy serves. One that matches neither limits nothing.
 * The Alloy serves every Kubernetes environment of the definition, so they are all looked at, whatever the
 * selection the plan was asked for. A tenant of tenants.* is not named here: its receiver has its own limit.
 */
export const rateLimits: Rule = {
  id: 'rate-limits',
  description: 'every per-tenant rate limit names a tenant or an environment the Alloy serves',
  check({ stack, topologies }) {
    const ing = stack.ingestion;
    if (!ing || ing.collector !== 'alloy' || !(ing.faro?.enabled ?? false) || ing.rateLimits.length === 0) return [];
    const all: Topology[] = stack.environments.map((e) => topologies.find((t) => t.env.name === e.name) ?? expand(stack, e.name));
    const served = all.filter((t) => t.env.target === 'kubernetes' && t.ingestion?.collector === 'alloy');
    if (served.length === 0) return [];
    const out: Finding[] = [];
    // tenants (seed 003) carry their own gateway limit: an entry naming one limits the environment's shared receiver only
    const tenantOf = (name: string) => Object.entries(stack.tenants ?? {}).find(([n, tn]) => n === name || tn.id === name)?.[0];
    ing.rateLimits.forEach((l, i) => {
      const tn = tenantOf(l.tenant);
      if (tn !== undefined) {
        out.push({ severity: 'error', rule: this.id, path: `ingestion.rateLimits[${i}].tenant`, message: `"${l.tenant}" is tenant ${tn} of tenants: its Faro receiver is its own, limited by tenants.${tn}.rateLimit; ingestion.rateLimits limits the environments' shared receivers`, suggestion: `move the limit to tenants.${tn}.rateLimit and remove this entry` });
        return;
      }
      const used = served.some((t) => {
        const tenant = t.engines.find((e) => e.signal === 'traces')?.tenant ?? t.engines.find((e) => e.signal === 'metrics')?.tenant;
        return l.tenant === tenant || l.tenant === t.env.name;
      });
      if (!used) out.push({ severity: 'error', rule: this.id, path: `ingestion.rateLimits[${i}].tenant`, message: `tenant "${l.tenant}" is neither the tenant nor the name of an environment this Alloy serves`, suggestion: `use one of: ${served.map((t) => t.env.name).join(', ')}` });
    });
    return out;
  },
};
