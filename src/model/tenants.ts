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

/**
 * A tenant's Grafana datasource name, from its engine's datasource name in the environment (grafana.datasourceName
 * filled for the engine and environment): a `{tenant}` placeholder in the pattern is the tenant's name; without one,
 * the tenant's name follows in brackets ("Loki (prod) [shop]"), so the per-environment datasource-variable regex of
 * the shared dashboards keeps matching the shared datasource only.
 */
export function tenantDatasourceName(engineDatasourceName: string, tenant: string): string {
  return engineDatasourceName.includes('{tenant}') ? engineDatasourceName.replaceAll('{tenant}', tenant) : `${engineDatasourceName} [${tenant}]`;
}

/** A tenant's Grafana datasource uid: its engine's uid in the environment with `{tenant}` filled, or `-<tenant>` appended. */
export function tenantDatasourceUid(engineDatasourceUid: string, tenant: string): string {
  return engineDatasourceUid.includes('{tenant}') ? engineDatasourceUid.replaceAll('{tenant}', tenant) : `${engineDatasourceUid}-${tenant}`;
}
