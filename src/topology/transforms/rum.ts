/**
 * Real user monitoring (seed 003: web vitals live in Loki; "Adopt Loki Rulers to ingest Loki query result into
 * Prometheus" for a fast dashboard). Where browsers send Faro telemetry — the environment serves tenants, or its
 * gateway has the shared Faro endpoint — and the logs engine is a Loki otelstack deploys, its ruler records the
 * web vitals, exceptions and sessions of each Loki tenant's Faro lines and remote-writes them to the environment's
 * metrics engine. A tenant's Faro logs are in Loki under its id (the tenants' receivers send X-Scope-OrgID = id);
 * without tenants they are under the environment's Loki tenant (Loki's no-auth tenant when Loki is single-tenant).
 *
 * Targets: compose and Kubernetes render the rules and the ruler's configuration; the ansible target does not yet
 * (its roles place a fixed set of files), so no RUM plan is made there.
 */
import { LOKI_API } from '../../catalog/loki.js';
import type { TopologyTransform } from '../resources.js';

export const addRum: TopologyTransform = (t) => {
  if (t.env.target === 'ansible') return t;
  const loki = t.engines.find((e) => e.signal === 'logs' && e.engine === 'loki' && e.managed);
  const metrics = t.engines.find((e) => e.signal === 'metrics');
  if (!loki || !metrics?.endpoints.push) return t;
  const tenants = t.tenants?.length ? t.tenants.map((x) => ({ name: x.name, id: x.id })) : t.ingestion?.faro ? [{ name: loki.tenant ?? LOKI_API.noAuthTenant, id: loki.tenant ?? LOKI_API.noAuthTenant }] : [];
  if (tenants.length === 0) return t;
  return { ...t, rum: { tenants, remoteWrite: metrics.endpoints.push, metricsEngine: metrics.engine, definitionPath: t.tenants?.length ? 'tenants' : 'ingestion.faro' } };
};
