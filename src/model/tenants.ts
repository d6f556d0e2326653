import { FARO_TENANT_PORT_BASE } from '../catalog/otelcol.js';
import type { TenantDef } from './schema.js';

/**
 * Every tenant of the stack in name order, with the Faro receiver port it gets on the gateway: its own `port`, else
 * the next port from the catalog's tenant port base in the name order of the tenants without one, skipping the
 * ports tenants pinned. The same in every environment, so a tenant's ingress route does not change between dev and
 * prod; a tenant added with a pinned port beyond all others moves nobody (what `otelstack tenant add` writes).
 */
export function tenantPorts(tenants: Record<string, Pick<TenantDef, 'port'>>): Map<string, number> {
  const names = Object.keys(tenants).sort();
  const pinned = new Set(names.map((n) => tenants[n]!.port).filter((p): p is number => p !== undefined));
  let next = FARO_TENANT_PORT_BASE;
  return new Map(
    names.map((name) => {
      const own = tenants[name]!.port;
      if (own !== undefined) return [name, own];
      while (pinned.has(next)) next++;
      return [name, next++];
    }),
  );
}

/** The tenants of `before` whose port differs in `after`, with both ports. */
export function tenantPortMoves(before: Map<string, number>, after: Map<string, number>): { name: string; from: number; to: number }[] {
  return [...before].flatMap(([name, from]) => {
    const to = after.get(name);
    return to !== undefined && to !== from ? [{ name, from, to }] : [];
  });
}

