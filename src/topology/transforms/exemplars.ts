/**
 * Exemplars (trace ids in metric data points, the metrics → traces link): collectors forward them with OTLP metrics
 * and Tempo's metrics-generator sends them, so Mimir stores them — its default of 0 would drop every one. Sized
 * from the catalog's default per tenant.
 */
import { MIMIR_EXEMPLARS } from '../../catalog/mimir.js';
import type { TopologyTransform } from '../resources.js';

export const enableExemplars: TopologyTransform = (t) => ({
  ...t,
  engines: t.engines.map((e) => (e.engine === 'mimir' ? { ...e, exemplars: { maxGlobalPerTenant: MIMIR_EXEMPLARS.defaultPerTenant } } : e)),
});
