// The pure half of --hydrate: reading releases back from rendered files, parsing helm output, matching workloads
// to planned components and the plan's checks on them. No helm here (hydrate.test.ts runs the real one).
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { toK8sBytes, toK8sCpu } from '../../../src/model/quantity.js';
import { helmRepositoryCache, locateChart } from '../../../src/render/hydrate/charts.js';
import { checkWorkloads, componentOf, type CheckInput } from '../../../src/render/hydrate/checks.js';
import { parseManifests, type Workload } from '../../../src/render/hydrate/manifests.js';
import { releasesOf } from '../../../src/render/hydrate/releases.js';
import { renderStack } from '../../../src/render/index.js';
import { expand } from '../../../src/topology/expand.js';
import type { TopoComponent, Topology } from '../../../src/topology/types.js';
import { stackOf } from '../../fixtures/stacks.js';

const stack = stackOf();
const prod = expand(stack, 'prod');
const dev = expand(stack, 'dev');

/** A workload exactly as the plan has it (what a well-behaved chart renders from our values). */
function asPlanned(c: TopoComponent, over: Partial<Workload> = {}): Workload {
  const p = c.perReplica;
  return {
    kind: p.storageBytes > 0 ? 'StatefulSet' : 'Deployment',
    name: `mimir-${c.component}`,
    labels: { 'app.kubernetes.io/component': c.component },
    replicas: c.replicas,
    containers: [
      {
        name: c.component,
        requests: { cpu: { raw: toK8sCpu(p.cpuRequestMillicores), value: p.cpuRequestMillicores }, memory: { raw: toK8sBytes(p.memoryRequestBytes), value: p.memoryRequestBytes } },
        limits: p.memoryLimitBytes !== undefined ? { memory: { raw: toK8sBytes(p.memoryLimitBytes), value: p.memoryLimitBytes } } : {},
      },
    ],
    volumeClaims: p.storageBytes > 0 ? [{ name: 'storage', storage: { raw: toK8sBytes(p.storageBytes), value: p.storageBytes } }] : [],
    ...over,
  };
}

function input(t: Topology, workloads: Workload[]): CheckInput {
  return { topology: t, policy: t.policy, engine: 'mimir', release: 'mimir', env: t.env.name, definitionPath: `signals.metrics.environments.${t.env.name}`, workloads };
}

const comp = (t: Topology, name: string) => t.components.find((c) => c.component === name)!;

describe('hydrate checks (pure)', () => {
  it('workloads exactly as planned give no finding', () => {
    const ws = prod.components.filter((c) => c.engine === 'mimir').map((c) => asPlanned(c));
    assert.deepEqual(checkWorkloads(input(prod, ws)), []);
  });

  it('zone-aware StatefulSets (<release>-<component>-<zone>) are summed against the planned replicas', () => {
    const ing = comp(prod, 'ingester');
    assert.equal(ing.replicas, 3);
    const zoned = prod.engines[0]!.zones.map((z) => asPlanned(ing, { name: `mimir-ingester-${z}`, labels: {}, replicas: 1 }));
    const others = prod.components.filter((c) => c.engine === 'mimir' && c !== ing).map((c) => asPlanned(c));
    assert.deepEqual(checkWorkloads(input(prod, [...zoned, ...others])), []);
    const two = checkWorkloads(input(prod, [...zoned.slice(0, 2), ...others]));
    assert.deepEqual(two.map((f) => [f.rule, f.expected, f.found]), [['hydrate-replicas', '3 replica(s)', '2 replica(s)']]);
    assert.match(two[0]!.message, /mimir-ingester-zone-a: 1, mimir-ingester-zone-b: 1/);
  });

  it('matches by the component label, then by <release>-<component>, then <release> for a single component', () => {
    const cs = prod.components.filter((c) => c.engine === 'mimir');
    const w = (name: string, labels: Record<string, string> = {}) => asPlanned(cs[0]!, { name, labels });
    assert.equal(componentOf(w('whatever', { 'app.kubernetes.io/component': 'querier' }), cs, 'mimir', [])?.component, 'querier');
    assert.equal(componentOf(w('mimir-query-frontend'), cs, 'mimir', [])?.component, 'query-frontend');
    assert.equal(componentOf(w('mimir-store-gateway-zone-b'), cs, 'mimir', ['zone-a', 'zone-b'])?.component, 'store-gateway');
    assert.equal(componentOf(w('mimir-store-gateway-zone-z'), cs, 'mimir', ['zone-a', 'zone-b']), undefined);
    assert.equal(componentOf(w('mimir'), cs, 'mimir', []), undefined, 'several components: the bare release name is no match');
    assert.equal(componentOf(w('pyroscope', { 'app.kubernetes.io/component': 'all' }), [cs[0]!], 'pyroscope', [])?.component, cs[0]!.component);
  });

  it('requests other than planned, a missing memory limit the policy requires, and a missing volume are findings', () => {
    const ing = comp(dev, 'ingester');
    const base = asPlanned(ing);
    const bad: Workload = {
      ...base,
      containers: [{ name: 'ingester', requests: { cpu: { raw: '1', value: 1000 }, memory: { raw: '10Gb', value: undefined } }, limits: {} }],
      volumeClaims: [],
    };
    const others = dev.components.filter((c) => c.engine === 'mimir' && c !== ing).map((c) => asPlanned(c));
    const fs = checkWorkloads(input(dev, [bad, ...others]));
    assert.deepEqual(
      fs.map((f) => [f.rule, f.path, f.expected, f.found]),
      [
        ['hydrate-requests', 'signals.metrics.environments.dev.components.ingester', 'requests.cpu 200m', 'requests.cpu 1000m'],
        ['hydrate-requests', 'signals.metrics.environments.dev.components.ingester', 'requests.memory 1Gi', 'requests.memory 10Gb (unparseable)'],
        ['hydrate-memory-limit', 'signals.metrics.environments.dev.components.ingester.memoryLimit', 'limits.memory 4Gi', 'limits.memory none'],
        ['hydrate-storage', 'signals.metrics.environments.dev.components.ingester.storage', '2Gi per replica', 'no volume claims'],
      ],
    );
    assert.ok(fs.every((f) => f.env === 'dev' && f.engine === 'mimir' && f.workload === 'StatefulSet/mimir-ingester' && f.severity === 'error'));
  });

  it('a memory limit on a component the policy does not name, and a CPU limit anywhere, are findings', () => {
    const q = comp(dev, 'querier');
    const w = asPlanned(q);
    w.containers[0]!.limits = { memory: { raw: '1Gi', value: 1024 ** 3 }, cpu: { raw: '500m', value: 500 } };
    const others = dev.components.filter((c) => c.engine === 'mimir' && c !== q).map((c) => asPlanned(c));
    const fs = checkWorkloads(input(dev, [w, ...others]));
    assert.deepEqual(fs.map((f) => [f.rule, f.expected, f.found]).sort(), [
      ['hydrate-cpu-limit', 'no CPU limit', 'limits.cpu 500m'],
      ['hydrate-memory-limit', 'no memory limit', 'limits.memory 1Gi'],
    ]);
    // the policy may allow it
    const allowed = checkWorkloads({ ...input(dev, [w, ...others]), policy: { cpuLimits: ['querier'], memoryLimits: [...dev.policy.memoryLimits, 'querier'] } });
    assert.deepEqual(allowed, []);
  });

  it('a sidecar with requests is a warning; a DaemonSet has no replica count to compare; a planned component without workload is an error', () => {
    const d = comp(dev, 'distributor');
    const side = asPlanned(d);
    side.containers.push({ name: 'exporter', requests: { cpu: { raw: '10m', value: 10 } }, limits: {} });
    const ds = asPlanned(comp(dev, 'querier'), { kind: 'DaemonSet', replicas: undefined });
    const rest = dev.components.filter((c) => c.engine === 'mimir' && !['distributor', 'querier', 'compactor'].includes(c.component)).map((c) => asPlanned(c));
    const fs = checkWorkloads(input(dev, [side, ds, ...rest]));
    assert.deepEqual(fs.map((f) => [f.severity, f.rule, f.workload]), [
      ['warning', 'hydrate-unbudgeted-container', 'Deployment/mimir-distributor'],
      ['error', 'hydrate-missing-workload', 'mimir-compactor'],
    ]);
  });

  it('a stack-wide release (no environment topology) is checked against the policy only', () => {
    const w: Workload = { kind: 'DaemonSet', name: 'alloy', labels: {}, replicas: undefined, volumeClaims: [], containers: [{ name: 'alloy', requests: {}, limits: { cpu: { raw: '1', value: 1000 } } }] };
    const fs = checkWorkloads({ topology: undefined, policy: dev.policy, engine: 'alloy', release: 'alloy', definitionPath: 'ingestion', workloads: [w] });
    assert.deepEqual(fs.map((f) => [f.rule, f.workload, f.path]), [['hydrate-cpu-limit', 'DaemonSet/alloy', 'ingestion']]);
    assert.equal(fs[0]!.env, undefined);
  });
});

describe('hydrate: releases and manifests', () => {
  it('reads the same releases from Applications and from ApplicationSets', () => {
    const apps = releasesOf(renderStack(stack).files);
    const sets = releasesOf(renderStack(stackOf((s) => ((s as Record<string, unknown>)['kubernetes'] = { argocd: { style: 'applicationset' } }))).files);
    assert.deepEqual(apps.problems, []);
    assert.deepEqual(sets.problems, []);
    const key = (r: (typeof apps.releases)[number]) => ({ ...r, source: undefined });
    assert.deepEqual(apps.releases.map(key), sets.releases.map(key));
    assert.deepEqual(apps.releases.map((r) => [r.env, r.engine, r.release, r.chart, r.namespace, r.hydratedPath]), [
      ['dev', 'mimir', 'mimir', 'mimir-distributed', 'demo-dev', 'kubernetes/dev/hydrated/mimir.yaml'],
      ['prod', 'mimir', 'mimir', 'mimir-distributed', 'demo-prod', 'kubernetes/prod/hydrated/mimir.yaml'],
    ]);
    assert.match(apps.releases[0]!.values, /^distributor:/m);
  });

  it('parses helm output: empty documents skipped, replicas default 1, quantities in base units, claims', () => {
    const text = [
      '---\n# Source: x/templates/empty.yaml\n',
      '---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\n',
      '---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, labels: {a: b}}\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          resources: {requests: {cpu: 0.5, memory: 1Gi}, limits: {memory: 1.5Gi}}\n',
      '---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s, namespace: n}\nspec:\n  replicas: 3\n  template: {spec: {containers: [{name: c}]}}\n  volumeClaimTemplates:\n    - metadata: {name: data}\n      spec: {resources: {requests: {storage: 10Gi}}}\n',
      '---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: ds}\nspec: {template: {spec: {containers: [{name: c}]}}}\n',
    ].join('');
    const m = parseManifests(text);
    assert.deepEqual(m.errors, []);
    assert.equal(m.objects.length, 4);
    assert.deepEqual(m.workloads.map((w) => [w.kind, w.name, w.replicas]), [['Deployment', 'd', 1], ['StatefulSet', 's', 3], ['DaemonSet', 'ds', undefined]]);
    assert.deepEqual(m.workloads[0]!.containers[0], { name: 'c', requests: { cpu: { raw: '0.5', value: 500 }, memory: { raw: '1Gi', value: 1024 ** 3 } }, limits: { memory: { raw: '1.5Gi', value: 1.5 * 1024 ** 3 } } });
    assert.deepEqual(m.workloads[1]!.volumeClaims, [{ name: 'data', storage: { raw: '10Gi', value: 10 * 1024 ** 3 } }]);
  });
});

describe('hydrate: finding charts', () => {
  it("Helm's repository cache location follows Helm's environment variables", () => {
    assert.equal(helmRepositoryCache({ HELM_REPOSITORY_CACHE: '/r' }, 'linux'), '/r');
    assert.equal(helmRepositoryCache({ HELM_CACHE_HOME: '/c', XDG_CACHE_HOME: '/x' }, 'linux'), '/c/repository');
    assert.equal(helmRepositoryCache({ XDG_CACHE_HOME: '/x' }, 'linux'), '/x/helm/repository');
    assert.match(helmRepositoryCache({}, 'linux'), /\/\.cache\/helm\/repository$/);
    assert.match(helmRepositoryCache({}, 'darwin'), /\/Library\/Caches\/helm\/repository$/);
  });

  it('a directory whose Chart.yaml names another chart is skipped and said so; the right one is found', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otelstack-charts-'));
    try {
      mkdirSync(join(dir, 'mimir-distributed'));
      writeFileSync(join(dir, 'mimir-distributed', 'Chart.yaml'), 'apiVersion: v2\nname: something-else\nversion: 6.0.0\n');
      const miss = await locateChart('mimir-distributed', '6.0.0', { chartsDir: dir });
      assert.equal(miss.ok, false);
      if (!miss.ok) assert.match(miss.unreadable[0]!.reason, /names chart "something-else", not mimir-distributed/);
      writeFileSync(join(dir, 'mimir-distributed', 'Chart.yaml'), 'apiVersion: v2\nname: mimir-distributed\nversion: 6.0.0\n');
      const hit = await locateChart('mimir-distributed', '6.0.0', { chartsDir: dir });
      assert.deepEqual(hit, { ok: true, location: { path: join(dir, 'mimir-distributed'), layout: 'directory' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('hydrate checks: sidecar components (sidecarOf) are containers of their owner, not workloads', async () => {
  const { loadStack } = await import('../../../src/model/load.js');
  const { ROOT } = await import('../../support/paths.js');
  const { stack: production } = await loadStack(`${ROOT}examples/production`);
  const t = expand(production, 'prod');
  const g = t.components.find((c) => c.engine === 'grafana' && c.component === 'grafana')!;
  const sc = t.components.find((c) => c.engine === 'grafana' && c.component === 'sidecar')!;
  const container = (name: string, cpu: number, memory: number) => ({ name, requests: { cpu: { raw: toK8sCpu(cpu), value: cpu }, memory: { raw: toK8sBytes(memory), value: memory } }, limits: {} });
  const grafanaPod = (sidecarCpu: number): Workload => ({
    kind: 'Deployment',
    name: 'grafana',
    labels: {},
    replicas: g.replicas,
    containers: [
      container('grafana-sc-dashboard', sidecarCpu, sc.perReplica.memoryRequestBytes),
      container('grafana-sc-datasources', sidecarCpu, sc.perReplica.memoryRequestBytes),
      container('grafana', g.perReplica.cpuRequestMillicores, g.perReplica.memoryRequestBytes),
    ],
    volumeClaims: [],
  });
  const grafanaInput = (ws: Workload[]): CheckInput => ({ topology: t, policy: t.policy, engine: 'grafana', release: 'grafana', env: 'prod', definitionPath: 'grafana.deploy.prod', workloads: ws });

  it('the Grafana Deployment with its two sidecars as planned gives no finding (no missing sidecar workload)', () => {
    assert.equal(sc.sidecarOf?.component, 'grafana');
    assert.equal(sc.replicas, g.replicas * 2);
    assert.deepEqual(checkWorkloads(grafanaInput([grafanaPod(sc.perReplica.cpuRequestMillicores)])), []);
  });

  it('a sidecar with other requests than planned is a requests finding at the sidecar, not an unbudgeted container', () => {
    const fs = checkWorkloads(grafanaInput([grafanaPod(50)]));
    assert.deepEqual(fs.map((f) => f.rule), ['hydrate-requests', 'hydrate-requests']);
    assert.ok(fs.every((f) => f.path === 'grafana.deploy.prod' && f.expected === 'requests.cpu 10m' && f.found === 'requests.cpu 50m'), JSON.stringify(fs));
  });
});
