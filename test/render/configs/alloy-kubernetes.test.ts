// The Alloy on Kubernetes: alloy chart values (configuration in alloy.configMap.content, ports in alloy.extraPorts)
// under kubernetes/shared/ for the one shared Alloy, and an ArgoCD Application when otelstack deploys it.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import { parse } from 'yaml';
import { CHART_VALUE_KEYS, keyAllowed, valueKeyPaths } from '../../../src/catalog/charts/index.js';
import { versions } from '../../../src/catalog/versions.js';
import { loadStack } from '../../../src/model/load.js';
import type { Stack } from '../../../src/model/schema.js';
import { renderAlloyConfigs } from '../../../src/render/configs/alloy.js';
import { renderStack } from '../../../src/render/index.js';
import { renderKubernetesAll } from '../../../src/render/kubernetes/index.js';
import { expandAll } from '../../../src/topology/expand.js';
import { renderTopology } from '../../../src/render/topology.js';
import { componentGraph, parseAlloy } from '../../support/alloy-parser.js';

type Obj = Record<string, any>;
const example = (name: string) => fileURLToPath(new URL(`../../../../examples/${name}`, import.meta.url));

function withStack(s: Stack, patch: (s: Stack) => void): Stack {
  const c = structuredClone(s);
  patch(c);
  return c;
}

// at phase 3, where examples/dts has its Pyroscope (and so the profiles receivers); the render side's topologies
const atPhase3 = (s: Stack) => s.environments.map((e) => renderTopology(s, e.name, 3));
const render = (s: Stack) => renderKubernetesAll(s, atPhase3(s), 3);

function assertKeysAllowed(values: Obj, where: string): void {
  const keys = CHART_VALUE_KEYS['alloy']!;
  assert.equal(keys.version, versions.charts['alloy']);
  assert.deepEqual(valueKeyPaths(values).filter((p) => !keyAllowed(p, keys.keys)), [], `${where}: keys outside the alloy chart ${keys.version} list`);
}

describe('alloy on kubernetes: examples/dts (existing shared Alloy, routing by namespace)', async () => {
  const { stack } = await loadStack(example('dts'));
  const { files, findings } = render(stack);

  it('renders the shared values once, under kubernetes/shared/, and no Application for a deployment owned elsewhere', () => {
    const shared = [...files.keys()].filter((k) => k.startsWith('kubernetes/shared/'));
    assert.deepEqual(shared, ['kubernetes/shared/values/alloy.yaml']);
    assert.ok(![...files.keys()].some((k) => /kubernetes\/(dev|test|prod)\/.*alloy/.test(k)), 'nothing per environment');
  });

  it('configMap.content is the rendered configuration (parses, same text as configs/alloy/config.alloy); OTLP and profiles ports', () => {
    const text = files.get('kubernetes/shared/values/alloy.yaml')!;
    assert.match(text, /^# alloy chart 1\.4\.0 values/);
    assert.match(text, /merge these keys into its values/);
    const v = parse(text) as Obj;
    assertKeysAllowed(v, 'dts');
    assert.equal(v['image'].tag, `v${versions.engines['alloy']}`);
    assert.equal(v['alloy'].configMap.create, true);
    const content = v['alloy'].configMap.content as string;
    assert.equal(content, renderAlloyConfigs(stack, atPhase3(stack)).files.get('configs/alloy/config.alloy'));
    assert.ok(componentGraph(parseAlloy(content)).components.size > 0);
    assert.deepEqual(v['alloy'].extraPorts, [
      { name: 'otlp-grpc', port: 4317, targetPort: 4317, protocol: 'TCP' },
      { name: 'otlp-http', port: 4318, targetPort: 4318, protocol: 'TCP' },
      // one profiles receiver per environment with a Pyroscope (dev, test, prod)
      { name: 'profiles-0', port: 4041, targetPort: 4041, protocol: 'TCP' },
      { name: 'profiles-1', port: 4042, targetPort: 4042, protocol: 'TCP' },
      { name: 'profiles-2', port: 4043, targetPort: 4043, protocol: 'TCP' },
    ]);
    assert.equal(v['rbac'], undefined, 'the shared deployment keeps its RBAC');
    assert.match(v['alloy'].extraEnv[0].value, /^\d+MiB$/);
    assert.equal(v['controller'], undefined, 'the shared deployment keeps its controller');
    assert.equal(v['alloy'].resources, undefined, 'its pods are budgeted elsewhere');
  });

  it('stack-wide findings once (not once per environment): the shared Alloy\'s queue is not on a volume, and its scrapes need it clustered', () => {
    const w = findings.filter((f) => f.rule === 'render-alloy');
    assert.deepEqual(w.map((f) => [f.path, f.severity]), [['ingestion.shared', 'warning'], ['ingestion.persistentQueue', 'warning']], JSON.stringify(w));
    assert.match(w[0]!.suggestion, /alloy\.clustering\.enabled: true/);
  });

  it('renderStack (what `otelstack render` runs) merges the identical shared files of every environment', () => {
    const r = renderStack(stack, { target: 'kubernetes' });
    assert.ok(r.files.has('kubernetes/shared/values/alloy.yaml'));
    assert.equal(r.findings.filter((f) => f.rule === 'render-alloy').length, 2);
    const one = renderStack(stack, { target: 'kubernetes', env: 'test' });
    assert.equal(one.files.get('kubernetes/shared/values/alloy.yaml'), r.files.get('kubernetes/shared/values/alloy.yaml'), 'one environment renders the whole shared Alloy');
  });
});

describe('alloy on kubernetes: otelstack deploys the Alloy (ingestion.shared: false)', async () => {
  const { stack } = await loadStack(example('dts'));
  const owned = withStack(stack, (s) => {
    s.ingestion!.shared = false;
    s.ingestion!.faro = { enabled: true, port: 12347, allowedOrigins: ['https://app.example.com'] };
  });

  it('shared Alloy: an Application into <stack>-shared (created), a StatefulSet with a volume at the storage path, Faro ports', () => {
    const { files } = render(owned);
    const app = parse(files.get('kubernetes/shared/applications/alloy.yaml')!) as Obj;
    assert.doesNotThrow(() => new Application(app as never).validate());
    assert.equal(app['spec'].destination.namespace, 'dts-shared');
    assert.ok(app['spec'].syncPolicy.syncOptions.includes('CreateNamespace=true'));
    assert.equal(app['spec'].source.chart, 'alloy');
    assert.equal(app['spec'].source.targetRevision, versions.charts['alloy']);
    const v = app['spec'].source.helm.valuesObject as Obj;
    assert.deepEqual(v, parse(files.get('kubernetes/shared/values/alloy.yaml')!));
    assertKeysAllowed(v, 'owned');
    assert.equal(v['controller'].type, 'statefulset');
    const gw = expandAll(owned)[0]!.components.find((c) => c.engine === 'alloy' && c.component === 'gateway')!;
    assert.equal(v['controller'].replicas, gw.replicas);
    assert.equal(v['controller'].volumeClaimTemplates[0].metadata.name, v['alloy'].mounts.extra[0].name);
    assert.equal(v['alloy'].mounts.extra[0].mountPath, v['alloy'].storagePath);
    assert.deepEqual(v['alloy'].resources.limits, undefined, 'no limits: the policy sets none for the gateway');
    assert.deepEqual(
      (v['alloy'].extraPorts as Obj[]).map((p) => p['port']),
      [4317, 4318, 12347, 12348, 12349, 4041, 4042, 4043],
    );
    assert.deepEqual(v['rbac'], { create: true }, 'pod and node discovery: the chart\'s ClusterRole');
    assert.deepEqual(v['alloy'].clustering, gw.replicas > 1 ? { enabled: true } : undefined, 'replicas share the scrape targets');
  });

  it('per-environment routing: one Alloy per environment namespace, values and Application under the environment', () => {
    const per = withStack(owned, (s) => {
      s.ingestion!.routing = 'per-environment';
    });
    const { files } = render(per);
    assert.ok(![...files.keys()].some((k) => k.startsWith('kubernetes/shared/')));
    for (const e of per.environments) {
      const app = parse(files.get(`kubernetes/${e.name}/applications/alloy.yaml`)!) as Obj;
      assert.equal(app['spec'].destination.namespace, e.namespace);
      const content = (parse(files.get(`kubernetes/${e.name}/values/alloy.yaml`)!) as Obj)['alloy'].configMap.content as string;
      const g = componentGraph(parseAlloy(content));
      assert.deepEqual([...g.components.keys()].filter((k) => k.startsWith('otelcol.exporter.otlp.')), [`otelcol.exporter.otlp.otelstack_tempo_${e.name}`]);
    }
  });
});
