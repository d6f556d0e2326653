import type { Finding, Rule } from '../findings.js';

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
    const faro = stack.ingestion?.faro;
    if (!faro?.enabled || !topologies.some((t) => t.ingestion?.faro)) return [];
    const path = 'ingestion.faro.allowedOrigins';
    // tenants (seed 003) bring their own receivers with their own origins: the shared receiver may then list none
    const tenantsServed = topologies.some((t) => (t.tenants ?? []).length > 0);
    if (faro.allowedOrigins.length === 0 && !tenantsServed) {
      return [
        {
          severity: 'error',
          rule: this.id,
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
        rule: this.id,
        path: `${path}[${i}]`,
        message: '"*" allows every origin: any site can then post telemetry (logs, errors, traces) to the Faro receiver in the applications\' name',
        suggestion: 'list the origins the web applications are served from instead, e.g. ["https://app.example.com"]',
      });
    });
    return out;
  },
};
