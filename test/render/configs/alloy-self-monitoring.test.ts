// Kubernetes meta-monitoring: every series the rendered dashboards and alert rules read is produced by a scrape in
// the rendered Alloy configuration (or by Tempo's metrics-generator remote write) and reaches the environment's
// metrics engine with the environment's namespace. Targets are synthetic pods / nodes / Alloy labelled as the charts
// label them (src/catalog/charts/* scrape facts), followed through the parsed configuration's relabelling.
// Plus the profiles path (pyroscope.receive_http → pyroscope.write) and the plan rule for unscraped environments.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CANARY_PORT_NAME } from '../../../src/catalog/canary.js';
import { parse } from 'yaml';
import { ALLOY_COMPONENT_STABILITY, K8S_APP_LABELS, K8S_META, KUBELET_SCRAPE, alloyComponentsIn, requiredStability } from '../../../src/catalog/alloy.js';
import { CHART_FACTS } from '../../../src/catalog/charts/index.js';
import { CATALOG } from '../../../src/catalog/index.js';
import { METRIC_FAMILIES, SOURCE_PREFIXES, familyOf, hasMetricsGenerator, type MetricSource } from '../../../src/catalog/metrics.js';
import type { Stack } from '../../../src/model/schema.js';
import { selfMonitoring } from '../../../src/plan/rules/self-monitoring.js';
import { metricsOfDashboard } from '../../../src/render/grafana/index.js';
import { renderStack, type RenderAllResult } from '../../../src/render/index.js';
import { recordedNames, type RuleFile } from '../../../src/render/rules/index.js';
import { metricNamesOf } from '../../../src/render/rules/promql-names.js';
import { expand, expandAll } from '../../../src/topology/expand.js';
import type { EngineDeployment, Topology } from '../../../src/topology/types.js';
import { scrapedSeries, type Labels } from '../../support/alloy-flow.js';
import { componentGraph, parseAlloy, type ComponentGraph, type ComponentNode } from '../../support/alloy-parser.js';
import { example, ruleFiles } from '../rules/support.js';

type Json = Record<string, any>;

/** The Alloy configuration serving an environment, from a render. */
function alloyConfigOf(r: RenderAllResult, env: string): string {
  const text = r.files.get(`configs/alloy/${env}/config.alloy`) ?? r.files.get('configs/alloy/config.alloy');
  assert.ok(text, `no Alloy configuration for ${env}`);
  return text;
}

/** Series the environment's dashboards and rules read, with where each is read. */
function reads(r: RenderAllResult, env: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (name: string, where: string) => out.set(name, [...(out.get(name) ?? []), where]);
  let dashboards = 0;
  for (const [path, text] of r.files) {
    if (!path.startsWith(`kubernetes/${env}/grafana-dashboards/`)) continue;
    const cm = parse(text) as Json;
    for (const json of Object.values(cm['data'] as Record<string, string>)) {
      const d = JSON.parse(json) as Json;
      dashboards++;
      for (const n of metricsOfDashboard(d)) add(n, `dashboard ${d['uid']}`);
    }
  }
  assert.ok(dashboards > 0, `${env}: no dashboards rendered`);
  const rf = ruleFiles(r).get(env);
  assert.ok(rf, `${env}: no rule file rendered`);
  const file = parse(rf.text) as RuleFile;
  const recorded = recordedNames(file);
  for (const g of file.groups) {
    for (const rule of g.rules) {
      const where = `rule ${g.name}/${'alert' in rule ? rule.alert : rule.record}`;
      for (const n of metricNamesOf(rule.expr).names) if (!recorded.has(n)) add(n, where);
    }
  }
  return out;
}

/** Pods of an engine as the chart labels them: one per component (monolithic: no component label). */
function podsOf(t: Topology, e: EngineDeployment, extraComponents: readonly string[] = []): Labels[] {
  const s = CHART_FACTS[(e.chart as { name: string }).name]!.scrape!;
  const comps = e.mode === 'monolithic' ? [undefined] : [...t.components.filter((c) => c.engine === e.engine).map((c) => c.component), ...extraComponents];
  return comps.map((c, i) => ({
    __address__: `10.0.0.${i + 1}:80`,
    [K8S_META.namespace]: t.env.namespace,
    [K8S_META.podName]: `${e.release}-${c ?? 'all'}-0`,
    [K8S_META.podPhase]: 'Running',
    [K8S_META.containerName]: e.engine,
    [K8S_META.containerPortName]: s.metricsPort,
    [K8S_META.podLabel(K8S_APP_LABELS.name)]: s.name,
    [K8S_META.podLabel(K8S_APP_LABELS.instance)]: e.release,
    ...(c ? { [K8S_META.podLabel(K8S_APP_LABELS.component)]: c } : {}),
  }));
}

const inNamespaces = (c: ComponentNode, ns: string): boolean => {
  const names = c.block.blocks.find((b) => b.name === 'namespaces')?.attrs.get('names') as string[] | undefined;
  return !names || names.includes(ns);
};

/** Synthetic sources: only the ones given produce targets. */
function sources(opts: { pods?: Labels[]; nodes?: boolean; alloy?: boolean }) {
  return (c: ComponentNode): Labels[] => {
    if (c.type === 'discovery.kubernetes') {
      const role = c.block.attrs.get('role');
      if (role === 'pod') return (opts.pods ?? []).filter((p) => inNamespaces(c, p[K8S_META.namespace]!));
      if (role === 'node') return opts.nodes ? [{ __address__: '10.1.0.1:10250', [K8S_META.nodeName]: 'node-a' }] : [];
      return [];
    }
    if (c.type === 'prometheus.exporter.self') return opts.alloy ? [{ __address__: 'alloy:12345', instance: 'alloy-0' }] : [];
    throw new Error(`${c.id}: no synthetic targets for this source`);
  };
}

interface Unproduced {
  metric: string;
  where: string[];
  why: string;
}

/**
 * Metrics the environment reads that no scrape of `config` delivers to its metrics engine (with its namespace where
 * the series are the environment's own), nor Tempo's metrics-generator writes. Unmanaged engines are scraped where
 * they are deployed: reported in `external`.
 */
function unproduced(t: Topology, config: string, read: Map<string, string[]>): { missing: Unproduced[]; external: string[] } {
  const g: ComponentGraph = componentGraph(parseAlloy(config));
  const metrics = t.engines.find((e) => e.signal === 'metrics');
  const push = metrics?.endpoints.push;
  const missing: Unproduced[] = [];
  const external: string[] = [];
  const delivered = (series: ReturnType<typeof scrapedSeries>, scoped: boolean) =>
    series.some((s) => s.url === push && (!metrics?.tenant || s.headers['X-Scope-OrgID'] === metrics.tenant) && (!scoped || s.labels['namespace'] === t.env.namespace));
  const produced = (name: string, source: MetricSource): boolean | 'external' => {
    switch (source) {
      case 'tempo':
      case 'mimir':
      case 'loki':
      case 'prometheus': {
        const e = t.engines.find((x) => x.engine === source);
        if (!e) return false;
        if (!e.managed) return 'external';
        return delivered(scrapedSeries(g, name, sources({ pods: podsOf(t, e) })), true);
      }
      case 'alloy':
        return t.ingestion?.collector === 'alloy' && delivered(scrapedSeries(g, name, sources({ alloy: true })), !t.ingestion.shared);
      case 'kubelet': {
        // kubelet series carry the pod's namespace as their own label
        const path = name.startsWith('container_') ? KUBELET_SCRAPE.paths.cadvisor : KUBELET_SCRAPE.paths.kubelet;
        const accept = (c: ComponentNode) => c.block.attrs.get('metrics_path') === path && c.block.attrs.get('scheme') === KUBELET_SCRAPE.scheme;
        return delivered(scrapedSeries(g, name, sources({ nodes: true }), accept, { namespace: t.env.namespace }), true);
      }
      case 'scrape': {
        const pods = t.engines.filter((e) => e.managed && 'name' in e.chart && CHART_FACTS[e.chart.name]?.scrape).flatMap((e) => podsOf(t, e));
        return delivered(scrapedSeries(g, name, sources({ pods, alloy: true })), true);
      }
      case 'otelstack-canary': {
        // the canary's pod as src/render/kubernetes/canary.ts labels it
        if (!t.canary) return false;
        const pod: Labels = {
          __address__: '10.0.0.99:9465',
          [K8S_META.namespace]: t.env.namespace,
          [K8S_META.podName]: `${t.canary.name}-0`,
          [K8S_META.podPhase]: 'Running',
          [K8S_META.containerName]: 'canary',
          [K8S_META.containerPortName]: CANARY_PORT_NAME,
          [K8S_META.podLabel(K8S_APP_LABELS.name)]: t.canary.name,
          [K8S_META.podLabel(K8S_APP_LABELS.instance)]: t.canary.name,
        };
        return delivered(scrapedSeries(g, name, sources({ pods: [pod] })), true);
      }
      case 'tempo-metrics-generator':
        return hasMetricsGenerator(t) && t.engines.find((e) => e.engine === 'tempo')!.metricsGenerator!.remoteWrite === push;
      case 'loki-ruler-rum':
        // written by the Loki ruler (its remote_write: test/render/rules/loki-rum.test.ts), not scraped
        return t.rum?.remoteWrite === push;
      default:
        return false;
    }
  };
  for (const [name, where] of [...read].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const f = familyOf(name);
    if (!f) {
      missing.push({ metric: name, where, why: 'unknown to src/catalog/metrics.ts' });
      continue;
    }
    const results = f.sources.map((s) => produced(name, s));
    if (results.includes(true)) continue;
    if (results.includes('external')) {
      external.push(name);
      continue;
    }
    missing.push({ metric: name, where, why: `no scrape in the Alloy configuration delivers it (sources: ${f.sources.join(', ')}) to ${push ?? 'a metrics engine'} in namespace ${t.env.namespace}` });
  }
  return { missing, external };
}

const describeMissing = (m: Unproduced[]) => m.map((x) => `${x.metric} (read by ${[...new Set(x.where)].join(', ')}): ${x.why}`).join('\n');

function variant(s: Stack, patch: (s: Stack) => void): Stack {
  const c = structuredClone(s);
  patch(c);
  return c;
}

describe('kubernetes meta-monitoring: every series the dashboards and rules read is scraped', async () => {
  const production = (await example('production')) as Stack;
  const dts = (await example('dts')) as Stack;
  const cases: Array<[string, Stack]> = [
    ['production (an Alloy DaemonSet per environment)', production],
    ['dts (the shared Alloy, routing by namespace; Loki unmanaged)', dts],
    [
      'dts with an Alloy otelstack deploys (StatefulSet replicas, clustered)',
      variant(dts, (s) => {
        s.ingestion!.shared = false;
      }),
    ],
  ];
  for (const [name, stack] of cases) {
    it(name, () => {
      const r = renderStack(stack, { target: 'all' });
      for (const e of stack.environments.filter((x) => x.target === 'kubernetes')) {
        const t = expand(stack, e.name);
        const read = reads(r, e.name);
        assert.ok(read.size > 10, `${e.name}: reads ${read.size} series`);
        const { missing, external } = unproduced(t, alloyConfigOf(r, e.name), read);
        assert.equal(missing.length, 0, `${e.name}:\n${describeMissing(missing)}`);
        // only an unmanaged engine's series are left to the scraping where it is deployed
        for (const n of external) assert.ok(familyOf(n)!.sources.some((s) => t.engines.some((x) => x.engine === s && !x.managed)), n);
      }
    });
  }

  it('a metric no scrape produces fails with its name and the dashboard / rule reading it', () => {
    const r = renderStack(production, { target: 'all' });
    const t = expand(production, 'prod');
    const config = alloyConfigOf(r, 'prod');
    const broken = config.replace('observability-prod;mimir;mimir;http-metrics|', '');
    assert.notEqual(broken, config);
    const { missing } = unproduced(t, broken, reads(r, 'prod'));
    const mimir = missing.find((m) => m.metric === 'cortex_distributor_received_samples_total');
    assert.ok(mimir, describeMissing(missing));
    assert.ok(mimir.where.some((w) => w.startsWith('dashboard ')) || mimir.where.some((w) => w.startsWith('rule ')), mimir.where.join(', '));
    assert.match(describeMissing(missing), /cortex_distributor_received_samples_total \(read by .*(dashboard|rule) /);
  });

  it('the nginx gateways (port http-metrics, no /metrics) and pods not running are not scraped', () => {
    const r = renderStack(production, { target: 'all' });
    const t = expand(production, 'prod');
    const g = componentGraph(parseAlloy(alloyConfigOf(r, 'prod')));
    for (const engine of ['mimir', 'loki'] as const) {
      const e = t.engines.find((x) => x.engine === engine)!;
      // the chart's gateway (budgeted as a component of the plan, or added here)
      const gw = podsOf(t, e, ['gateway']).filter((p) => p[K8S_META.podLabel(K8S_APP_LABELS.component)] === 'gateway').slice(0, 1);
      assert.equal(gw.length, 1);
      assert.deepEqual(scrapedSeries(g, 'up', sources({ pods: gw })), [], `${engine} gateway`);
      const pending = podsOf(t, e).map((p) => ({ ...p, [K8S_META.podPhase]: 'Pending' }));
      assert.deepEqual(scrapedSeries(g, 'up', sources({ pods: pending })), [], `${engine} pending pods`);
    }
    // a pod of another release, or another namespace, is not the stack's
    const tempo = t.engines.find((x) => x.engine === 'tempo')!;
    const other = podsOf(t, tempo).map((p) => ({ ...p, [K8S_META.podLabel(K8S_APP_LABELS.instance)]: 'someone-elses-tempo' }));
    assert.deepEqual(scrapedSeries(g, 'up', sources({ pods: other })), []);
    const elsewhere = podsOf(t, tempo).map((p) => ({ ...p, [K8S_META.namespace]: 'default' }));
    assert.deepEqual(scrapedSeries(g, 'up', sources({ pods: elsewhere })), []);
    // scraped pods are labelled for the rules: namespace, pod, job <namespace>/<release>-<component>
    const s = scrapedSeries(g, 'up', sources({ pods: podsOf(t, tempo).slice(0, 1) }));
    assert.equal(s.length, 1);
    const comp = t.components.find((c) => c.engine === 'tempo')!.component;
    assert.deepEqual({ ns: s[0]!.labels['namespace'], job: s[0]!.labels['job'] }, { ns: 'observability-prod', job: `observability-prod/tempo-${comp}` });
  });

  it('discovery: a DaemonSet Alloy watches its own node; a clustered one shares targets; the shared one opts in to clustering', () => {
    const daemon = componentGraph(parseAlloy(alloyConfigOf(renderStack(production, { target: 'all' }), 'prod')));
    const pods = daemon.components.get('discovery.kubernetes.otelstack_pods')!;
    assert.equal(pods.block.attrs.get('role'), 'pod');
    assert.deepEqual(pods.block.blocks.find((b) => b.name === 'namespaces')!.attrs.get('names'), ['observability-prod']);
    const sel = pods.block.blocks.find((b) => b.name === 'selectors')!;
    assert.equal(sel.attrs.get('role'), 'pod');
    assert.ok(sel.attrs.get('field'), 'a field selector on spec.nodeName');
    for (const c of daemon.components.values()) if (c.type === 'prometheus.scrape') assert.equal(c.block.blocks.find((b) => b.name === 'clustering'), undefined, c.id);

    const shared = componentGraph(parseAlloy(alloyConfigOf(renderStack(dts, { target: 'all' }), 'dev')));
    const sp = shared.components.get('discovery.kubernetes.otelstack_pods')!;
    assert.deepEqual(sp.block.blocks.find((b) => b.name === 'namespaces')!.attrs.get('names'), [...dts.environments.map((e) => e.namespace)].sort());
    assert.equal(sp.block.blocks.find((b) => b.name === 'selectors'), undefined);
    for (const id of ['prometheus.scrape.otelstack_pods', 'prometheus.scrape.otelstack_kubelet', 'prometheus.scrape.otelstack_cadvisor']) {
      assert.equal(shared.components.get(id)!.block.blocks.find((b) => b.name === 'clustering')?.attrs.get('enabled'), true, id);
    }
  });

  it('every component the configurations use has a stability fact, and none lowers the level (all generally-available)', () => {
    // dts at phase 3: its Pyroscope (and so the profiles path) arrives in phase 3
    for (const [s, phase] of [[production, undefined], [dts, 3]] as const) {
      const r = renderStack(s, { target: 'all', ...(phase ? { phase } : {}) });
      for (const [path, text] of r.files) {
        if (!path.startsWith('configs/alloy/')) continue;
        const used = alloyComponentsIn(text);
        for (const c of ['discovery.kubernetes', 'discovery.relabel', 'prometheus.scrape', 'prometheus.exporter.self', 'pyroscope.receive_http', 'pyroscope.write']) {
          assert.ok(used.includes(c), `${path}: ${c}`);
          assert.equal(ALLOY_COMPONENT_STABILITY[c], 'generally-available', c);
        }
        assert.deepEqual(requiredStability(used).unknown, [], path);
      }
    }
  });

  it('catalog: every family name starts with a prefix its sources expose', () => {
    for (const f of METRIC_FAMILIES.values()) {
      for (const s of f.sources) assert.ok(SOURCE_PREFIXES[s].some((p) => f.name.startsWith(p)), `${f.name} (${s}): prefixes ${SOURCE_PREFIXES[s].join(', ')}`);
    }
  });
});

describe('profiles path: pyroscope.receive_http → pyroscope.write per environment with a Pyroscope', async () => {
  const production = (await example('production')) as Stack;
  const dts = (await example('dts')) as Stack;

  it('production: each environment\'s Alloy receives profiles on the catalog port and pushes them to its Pyroscope', () => {
    const r = renderStack(production, { target: 'all' });
    for (const env of ['staging', 'prod']) {
      const t = expand(production, env);
      const py = t.engines.find((e) => e.signal === 'profiles')!;
      const g = componentGraph(parseAlloy(alloyConfigOf(r, env)));
      const rx = [...g.components.values()].filter((c) => c.type === 'pyroscope.receive_http');
      assert.equal(rx.length, 1);
      const http = rx[0]!.block.blocks.find((b) => b.name === 'http')!;
      assert.equal(http.attrs.get('listen_port'), CATALOG.alloy.ports['profiles']);
      // the component's unused gRPC server stays on loopback (else every interface, a random port: real Alloy 1.12.0)
      assert.equal(rx[0]!.block.blocks.find((b) => b.name === 'grpc')?.attrs.get('listen_address'), '127.0.0.1');
      const to = g.edges.filter((e) => e.from === rx[0]!.id && e.at === 'forward_to');
      assert.equal(to.length, 1);
      const w = g.components.get(to[0]!.to)!;
      assert.equal(w.type, 'pyroscope.write');
      assert.equal(to[0]!.field, 'receiver');
      assert.equal(w.block.blocks.find((b) => b.name === 'endpoint')!.attrs.get('url'), py.endpoints.push);
      // the receiver's port is on the Alloy container and Service
      const values = parse(r.files.get(`kubernetes/${env}/values/alloy.yaml`)!) as Json;
      assert.ok((values['alloy']['extraPorts'] as Json[]).some((p) => p['port'] === CATALOG.alloy.ports['profiles'] && p['name'] === 'profiles'));
    }
  });

  it('dts (one shared Alloy): one receiver per environment, each to its own Pyroscope, on distinct ports — from phase 3, when Pyroscope arrives', () => {
    assert.ok(!renderStack(dts, { target: 'all' }).files.get('configs/alloy/config.alloy')!.includes('pyroscope.receive_http'), 'not at currentPhase 1');
    const r = renderStack(dts, { target: 'all', phase: 3 });
    const g = componentGraph(parseAlloy(r.files.get('configs/alloy/config.alloy')!));
    const ports: number[] = [];
    for (const e of dts.environments) {
      const py = expand(dts, e.name).engines.find((x) => x.signal === 'profiles')!;
      const rx = g.components.get(`pyroscope.receive_http.otelstack_${e.name}`)!;
      ports.push(rx.block.blocks.find((b) => b.name === 'http')!.attrs.get('listen_port') as number);
      const w = g.components.get(g.edges.find((x) => x.from === rx.id)!.to)!;
      assert.equal(w.block.blocks.find((b) => b.name === 'endpoint')!.attrs.get('url'), py.endpoints.push, e.name);
    }
    assert.equal(new Set(ports).size, dts.environments.length);
  });

  it('no profiles signal: no pyroscope components', () => {
    const s = variant(production, (x) => {
      delete (x.signals as Record<string, unknown>)['profiles'];
    });
    const r = renderStack(s, { target: 'all' });
    assert.equal(alloyComponentsIn(alloyConfigOf(r, 'prod')).filter((c) => c.startsWith('pyroscope.')).length, 0);
  });
});

describe('plan rule self-monitoring', async () => {
  const production = (await example('production')) as Stack;

  it('silent when every Kubernetes environment is scraped into a metrics engine', () => {
    assert.deepEqual(selfMonitoring.check({ stack: production, file: 'stack.yaml', topologies: expandAll(production) }), []);
  });

  it('a Kubernetes environment without a metrics engine: a warning naming it and what to add', () => {
    const s = variant(production, (x) => {
      const m = x.signals.metrics as unknown as { environments: Record<string, unknown> };
      delete m.environments['staging'];
      const t = x.signals.traces as unknown as { environments: Record<string, { spanMetrics?: boolean }> };
      t.environments['staging']!.spanMetrics = false;
    });
    const f = selfMonitoring.check({ stack: s, file: 'stack.yaml', topologies: expandAll(s) });
    assert.equal(f.length, 1, JSON.stringify(f));
    assert.equal(f[0]!.env, 'staging');
    assert.equal(f[0]!.severity, 'warning');
    assert.equal(f[0]!.path, 'signals.metrics');
    assert.match(f[0]!.message, /self-monitoring dashboards and alert rules are empty in staging: staging has no metrics engine/);
  });
});
