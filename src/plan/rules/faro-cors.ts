import type { Finding, Rule, RuleContext } from '../findings.js';

/**
 * The Faro receiver's allowed origins (CORS), on either collector: a browser sends to it from a page on another
 * origin only if the receiver's preflight answer names that origin. None listed: every browser refuses, so the
 * endpoint receives nothing from a web page. "*": any site on the web may post telemetry in the applications' name.
 * About the definition, not one environment: the same list is rendered for every environment's receiver. With
 * tenants, each tenant's receiver has the tenant's origins (schema: at least one), and the shared one may list none.
 */
export const faroCors: Rule = {
  id: 'faro-cors',
  description: 'an enabled Faro receiver lists the origins of the web applications that send to it, and not "*"',
  check({ stack, topologies }) {
    // tenants' receivers (seed 003): each allows its tenant's origins only; "*" would let any site post as the tenant
    const tenantFindings: Finding[] = [];
    for (const [name, tn] of Object.entries(stack.tenants ?? {})) {
      if (!topologies.some((t) => (t.tenants ?? []).some((x) => x.name === name))) continue;
      tn.origins.forEach((o, i) => {
        if (o === '*') {
          tenantFindings.push({
            severity: 'warning',
            rule: this.id,
            path: `tenants.${name}.origins[${i}]`,
            message: `"*" allows every origin on tenant ${name}'s Faro receiver: any site can post telemetry in its name, counted against its rate limit`,
            suggestion: `list the origins ${name}'s pages are served from instead, e.g. ["https://${name}.example.com"]`,
          });
        }
      });
    }
    return [...tenantFindings, ...sharedReceiver(stack, topologies)];
  },
};

/** The environments' shared Faro receiver (ingestion.faro.allowedOrigins). */
function sharedReceiver(stack: RuleContext['stack'], topologies: RuleContext['topologies']): Finding[] {
  const faro = stack.ingestion?.faro;
  if (!faro?.enabled || !topologies.some((t) => t.ingestion?.faro)) return [];
  const path = 'ingestion.faro.allowedOrigins';
  // tenants (seed 003) bring their own receivers with their own origins: the shared receiver may then list none
  const tenantsServed = topologies.some((t) => (t.tenants ?? []).length > 0);
  if (faro.allowedOrigins.length === 0 && !tenantsServed) {
    return [
      {
        severity: 'error',
        rule: 'faro-cors',
        path,
        message: 'Faro is enabled with no allowed origin: browsers refuse to send to the receiver from any web page (its CORS answer names no origin)',
        suggestion: 'list the origins the web applications are served from, e.g. allowedOrigins: ["https://app.example.com"]',
      },
    ];
  }
  const out: Finding[] = [];
  faro.allowedOrigins.forEach((o, i) => {
    if (o !== '*') return;
    out.push({
      severity: 'warning',
      rule: 'faro-cors',
      path: `${path}[${i}]`,
      message: '"*" allows every origin: any site can then post telemetry (logs, errors, traces) to the Faro receiver in the applications\' name',
      suggestion: 'list the origins the web applications are served from instead, e.g. ["https://app.example.com"]',
    });
  });
  return out;
}
