/**
 * Grafana deployed by otelstack (grafana.deploy.<env>): its pods — state in the external PostgreSQL, sessions in the
 * external Redis, so no volume — and, with sidecar provisioning, the chart's sidecar containers in every pod.
 */
import { CATALOG } from '../../catalog/index.js';
import { GRAFANA_SIDECAR } from '../../catalog/grafana.js';
import type { ComponentOverrideDef } from '../../model/schema.js';
import { resources, type TopologyTransform } from '../resources.js';
import type { TopoComponent } from '../types.js';

export const deployGrafana: TopologyTransform = (t, { stack, env, memoryLimitRequired }) => {
  const gd = stack.grafana.deploy?.[env.name];
  if (!gd) return t;
  const components: TopoComponent[] = [...t.components];
  const cf = CATALOG.grafana.versions[0]!.modes.monolithic!.components.find((c) => c.name === 'grafana');
  const base = `grafana.deploy.${env.name}`;
  const { cpu, memory, memoryLimit } = gd;
  const override: ComponentOverrideDef = { storage: 0, ...(cpu !== undefined ? { cpu } : {}), ...(memory !== undefined ? { memory } : {}), ...(memoryLimit !== undefined ? { memoryLimit } : {}) };
  // one shape for both (key order as every other component, so plan --json reads alike)
  const pod = (component: string, replicas: number, perReplica: TopoComponent['perReplica']): TopoComponent => ({
    engine: 'grafana', component, phase: 1, replicas, path: 'read', stateful: false, replicated: false, singleton: false, known: true, budgeted: true, perReplica, definitionPath: base,
  });
  components.push({ ...pod('grafana', gd.replicas, resources(cf, override, memoryLimitRequired('grafana'))), note: 'state in the external PostgreSQL, sessions in the external Redis: no volume' });
  if (stack.grafana.provisioning === 'sidecar') {
    components.push({
      ...pod('sidecar', gd.replicas * GRAFANA_SIDECAR.containers.length, { cpuRequestMillicores: GRAFANA_SIDECAR.cpu, memoryRequestBytes: GRAFANA_SIDECAR.memory, storageBytes: 0 }),
      note: `the chart's ${GRAFANA_SIDECAR.containers.join(' and ')} sidecar containers, one each per Grafana pod`,
      sidecarOf: { component: 'grafana', containers: GRAFANA_SIDECAR.containerNames('grafana') },
    });
  }
  return { ...t, components };
};
