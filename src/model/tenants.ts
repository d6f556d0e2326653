import { FARO_TENANT_PORT_BASE } from '../catalog/otelcol.js';
import type { TenantDef } from './schema.js';

/**
 * Every tenant of the stack in name order, with the Faro receiver port it gets on the gateway: its own `port`, else
 * the catalog's tenant port base plus its position by name. The same in every environment, so a tenant's ingress
 * route does not change between dev and prod.
 */
export function tenantPorts(tenants: Record<string, TenantDef>): Map<string, number> {
  return new Map(
    Object.keys(tenants)
      .sort()
      .map((name, i) => [name, tenants[name]!.port ?? FARO_TENANT_PORT_BASE + i]),
  );
}

