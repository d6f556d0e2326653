/**
 * Chart workloads: every workload an engine's Helm chart deploys is either budgeted in the plan or switched off by
 * the values (chart facts: src/catalog/charts). This transform adds the workloads the plan budgets on its own (e.g.
 * Tempo's memcached, Mimir's and Loki's gateways) as components, sized from the chart facts (the definition may
 * resize them by naming the component), and drops the volume of components the chart cannot give one (Tempo's
 * live-store), saying why. The renderer reads `chartWorkloads` to write the matching values. Only Kubernetes
 * environments install charts: compose and VM environments run the engines' own processes, no chart workload.
 */
import { chartFacts, type ChartWorkload } from '../../catalog/charts/index.js';
import type { TopologyTransform } from '../resources.js';
import type { ChartWorkloadDecision, EngineDeployment, TopoComponent } from '../types.js';

function applies(w: ChartWorkload, e: EngineDeployment, named: boolean): boolean {
  if (w.otelstack.action !== 'budget') return true;
  if (w.otelstack.when === 'zone-aware') return e.zoneAware;
  if (w.otelstack.when === 'named') return named;
  return true;
}

export const budgetChartWorkloads: TopologyTransform = (t, { memoryLimitRequired }) => {
  if (t.env.target !== 'kubernetes') return t;
  const components = [...t.components];
  const decisions: ChartWorkloadDecision[] = [];
  for (const e of t.engines) {
    if (!e.managed || !('name' in e.chart)) continue;
    const facts = chartFacts(e.chart);
    if (!facts) continue;
    const own = (name: string) => components.findIndex((c) => c.engine === e.engine && c.component === name);
    for (const w of facts.workloads) {
      const o = w.otelstack;
      if (o.action === 'component') {
        const i = own(o.component);
        if (i < 0) continue;
        decisions.push({ engine: e.engine, chart: facts.chart, workload: w.key, action: 'component', component: o.component, reason: `budgeted as ${e.engine} ${o.component}` });
        const c = components[i]!;
        if (w.noVolume && c.perReplica.storageBytes > 0) {
          components[i] = {
            ...c,
            perReplica: { ...c.perReplica, storageBytes: 0 },
            note: `no volume: the ${facts.chart} ${facts.version} chart gives ${w.key} none (emptyDir)`,
          };
        }
        continue;
      }
      if (o.action === 'disable' || !applies(w, e, own(o.component) >= 0)) {
        const reason = o.action === 'disable' ? o.reason : (o.otherwise ?? o.reason);
        decisions.push({ engine: e.engine, chart: facts.chart, workload: w.key, action: 'disable', reason });
        continue;
      }
      const i = own(o.component);
      const first = components.findIndex((c) => c.engine === e.engine);
      const phase = first >= 0 ? components[first]!.phase : e.phase;
      if (i >= 0) {
        // the definition names it: its sizing wins (expand marked it unknown: the engine's catalog mode lacks it)
        components[i] = { ...components[i]!, known: true, note: o.reason };
      } else {
        const memory = o.sizing.memory;
        const c: TopoComponent = {
          engine: e.engine,
          component: o.component,
          phase,
          replicas: t.env.ha ? o.sizing.replicas.ha : o.sizing.replicas.single,
          path: 'read',
          stateful: false,
          replicated: false,
          singleton: o.sizing.singleton === true,
          known: true,
          budgeted: true,
          perReplica: { cpuRequestMillicores: o.sizing.cpu, memoryRequestBytes: memory, storageBytes: 0, ...(memoryLimitRequired(o.component) ? { memoryLimitBytes: memory } : {}) },
          definitionPath: e.definitionPath,
          note: o.reason,
        };
        // after the engine's last component, so the plan lists it with its engine
        let last = -1;
        components.forEach((x, j) => {
          if (x.engine === e.engine) last = j;
        });
        components.splice(last + 1, 0, c);
      }
      decisions.push({ engine: e.engine, chart: facts.chart, workload: w.key, action: 'budget', component: o.component, reason: o.reason });
    }
  }
  return { ...t, components, chartWorkloads: decisions };
};
