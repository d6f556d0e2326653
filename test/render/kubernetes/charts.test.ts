// Loki and Pyroscope values (every mode), the resource policy as the topology states it, and the ApplicationSet style
// through renderStack (what `otelstack render` calls).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationSet } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import { parse } from 'yaml';
import { LOKI_TARGET_KEYS } from '../../../src/catalog/charts/loki.js';
import { LOKI_DEPLOYMENT_MODE } from '../../../src/catalog/loki.js';
import type { Stack } from '../../../src/model/schema.js';
import { renderStack } from '../../../src/render/index.js';
import { renderKubernetesAll } from '../../../src/render/kubernetes/index.js';
import { expand } from '../../../src/topology/expand.js';
import type { Topology } from '../../../src/topology/types.js';
import { stackOf } from '../../fixtures/stacks.js';
import { assertKnownKeys, assertObjectsValidate, resourcesBlocks, valuesOf, type Obj } from './inspect.js';

/** dev: monolithic, test: simple-scalable / single binary, prod (HA): microservices with every component. */
function fixture(mutate: (s: Record<string, unknown>) => void = () => {}): Stack {
  return stackOf((s) => {
    s.environments.splice(1, 0, { name: 'test', namespace: 'demo-test', target: 'kubernetes', objectStorage: 's3' });
    s.signals.metrics!.environments['test'] = { mode: 'microservices', ingestStorage: false };
    s.signals.logs = {
      engine: 'loki',
      environments: {
        dev: { mode: 'monolithic', components: { loki: { cpu: '100m', memory: '512Mi', storage: '2Gi' } } },
        // a memory limit the definition asks for on the write target: rendered because the topology carries it
        test: { mode: 'simple-scalable', tenant: 'team-a', components: { write: { replicas: 3, memoryLimit: '2Gi' } } },
        prod: {
          mode: 'microservices',
          components: { ingester: { replicas: 3 }, distributor: { replicas: 2 }, querier: { replicas: 2 }, ruler: { replicas: 1 } },
        },
      },
    };
    s.signals.profiles = {
      engine: 'pyroscope',
      environments: {
        dev: { mode: 'monolithic' },
        test: { mode: 'monolithic', components: { pyroscope: { storage: '0' } } },
        prod: { mode: 'microservices', components: { 'query-scheduler': { replicas: 2 }, 'store-gateway': { replicas: 2 } } },
      },
    };
    mutate(s as unknown as Record<string, unknown>);
  });
}

function renderAll(stack: Stack): ReturnType<typeof renderKubernetesAll> & { topologies: Topology[] } {
  const topologies = stack.environments.map((e) => expand(stack, e.name));
  return { ...renderKubernetesAll(stack, topologies), topologies };
}

const valuesFile = (files: Map<string, string>, env: string, engine: string) => parse(files.get(`kubernetes/${env}/values/${engine}.yaml`)!) as Obj;
const at = (o: unknown, ...path: string[]): unknown => path.reduce<unknown>((x, k) => (x && typeof x === 'object' ? (x as Obj)[k] : undefined), o);

describe('render kubernetes: loki and pyroscope charts', () => {
  const stack = fixture();
  const { files, findings, topologies } = renderAll(stack);

  it('renders without errors; every object validates; values use only documented keys', () => {
    assert.deepEqual(findings.filter((f) => f.severity === 'error'), []);
    for (const env of ['dev', 'test', 'prod']) for (const engine of ['loki', 'pyroscope']) assert.ok(files.has(`kubernetes/${env}/applications/${engine}.yaml`), `${env} ${engine}`);
    assert.ok(assertObjectsValidate(files) > 10);
    const charts = new Set(assertKnownKeys(files).map((v) => v.chart));
    assert.ok(charts.has('loki') && charts.has('pyroscope'));
    assert.ok(!findings.some((f) => /not rendered yet/.test(f.message)), 'pyroscope gets real values');
  });

  it('policy: no CPU limit; a memory limit exactly where the topology carries one', () => {
    let checked = 0;
    for (const t of topologies) {
      for (const engine of ['loki', 'pyroscope'] as const) {
        const v = valuesFile(files, t.env.name, engine);
        for (const b of resourcesBlocks(v, `${t.env.name}/${engine}`)) assert.equal(((b.resources['limits'] ?? {}) as Obj)['cpu'], undefined, `${b.where} ${b.owner}: CPU limit`);
        const e = t.engines.find((x) => x.engine === engine)!;
        const chartWorkload = (name: string) => (t.chartWorkloads ?? []).some((w) => w.action === 'budget' && w.engine === engine && w.component === name);
        for (const c of t.components.filter((x) => x.engine === engine && !chartWorkload(x.component))) {
          const resources =
            engine === 'loki'
              ? at(v, LOKI_TARGET_KEYS[LOKI_DEPLOYMENT_MODE[e.mode as keyof typeof LOKI_DEPLOYMENT_MODE]]![c.component]!, 'resources')
              : e.mode === 'monolithic'
                ? at(v, 'pyroscope', 'resources')
                : at(v, 'architecture', 'microservices', 'v1', c.component, 'resources');
          assert.ok(resources, `${t.env.name} ${engine} ${c.component}: resources rendered`);
          const mem = at(resources, 'limits', 'memory');
          assert.equal(mem !== undefined, c.perReplica.memoryLimitBytes !== undefined, `${t.env.name} ${engine} ${c.component}: memory limit follows the topology`);
          checked++;
        }
      }
    }
    assert.ok(checked >= 15);
    // the definition's write limit is honoured; the policy's ingester / store-gateway limits are there
    assert.equal(at(valuesFile(files, 'test', 'loki'), 'write', 'resources', 'limits', 'memory'), '2Gi');
    assert.ok(at(valuesFile(files, 'prod', 'loki'), 'ingester', 'resources', 'limits', 'memory'));
    const v1 = at(valuesFile(files, 'prod', 'pyroscope'), 'architecture', 'microservices', 'v1') as Obj;
    assert.ok(at(v1, 'store-gateway', 'resources', 'limits', 'memory'));
    assert.equal(at(v1, 'querier', 'resources', 'limits'), null, "the chart's default memory limit is removed");
  });

  it('loki: deploymentMode per mode, the other modes\' targets at 0, S3 buckets and RF from the topology', () => {
    const dev = valuesFile(files, 'dev', 'loki');
    assert.equal(dev['deploymentMode'], 'SingleBinary');
    assert.equal(at(dev, 'singleBinary', 'replicas'), 1);
    assert.deepEqual(at(dev, 'singleBinary', 'persistence'), { enabled: true, size: '2Gi' });
    assert.deepEqual(at(dev, 'singleBinary', 'extraArgs'), ['-config.expand-env=true'], 'singleBinary takes no global args');
    for (const k of ['write', 'read', 'backend']) assert.equal(at(dev, k, 'replicas'), 0, `${k} off in SingleBinary`);
    assert.equal(at(dev, 'loki', 'commonConfig', 'replication_factor'), 1);
    assert.equal(at(dev, 'loki', 'auth_enabled'), false);

    const test = valuesFile(files, 'test', 'loki');
    assert.equal(test['deploymentMode'], 'SimpleScalable');
    assert.equal(at(test, 'write', 'replicas'), 3);
    assert.equal(at(test, 'loki', 'commonConfig', 'replication_factor'), 3);
    assert.equal(at(test, 'loki', 'auth_enabled'), true, 'a tenant turns on multi-tenancy');
    assert.deepEqual(at(test, 'ruler'), { enabled: true }, 'the ruler runs inside the backend target');

    const prod = valuesFile(files, 'prod', 'loki');
    assert.equal(prod['deploymentMode'], 'Distributed');
    for (const k of ['write', 'read', 'backend']) assert.equal(at(prod, k, 'replicas'), 0, `${k} off in Distributed`);
    assert.deepEqual(at(prod, 'ingester', 'zoneAwareReplication'), { enabled: true });
    assert.deepEqual(at(prod, 'ingester', 'persistence', 'claims'), [{ name: 'data', accessModes: ['ReadWriteOnce'], size: '10Gi' }]);
    assert.equal(at(prod, 'distributor', 'maxUnavailable'), 1, 'Distributed targets with replicas > 1 need maxUnavailable');
    assert.equal(at(prod, 'ruler', 'enabled'), true);
    assert.deepEqual(at(prod, 'loki', 'storage', 'bucketNames'), { chunks: 'demo-logs-prod-chunks', ruler: 'demo-logs-prod-ruler' });
    assert.deepEqual(at(prod, 'loki', 'schemaConfig', 'configs', '0'), {
      from: '2024-04-01',
      index: { period: '24h', prefix: 'index_' },
      object_store: 's3',
      schema: 'v13',
      store: 'tsdb',
    });
    for (const v of [dev, test, prod]) {
      assert.deepEqual(v['minio'], { enabled: false });
      assert.deepEqual(v['chunksCache'], { enabled: false });
      assert.deepEqual(v['lokiCanary'], { enabled: false });
      assert.deepEqual(at(v, 'loki', 'storage', 's3'), {
        accessKeyId: '${AWS_ACCESS_KEY_ID}',
        endpoint: 's3.local:8333',
        insecure: true,
        region: 'us-east-1',
        s3ForcePathStyle: true,
        secretAccessKey: '${AWS_SECRET_ACCESS_KEY}',
      });
    }
    const env = at(prod, 'global', 'extraEnv') as Array<{ name: string; valueFrom: { secretKeyRef: { name: string } } }>;
    assert.deepEqual(env.map((x) => [x.name, x.valueFrom.secretKeyRef.name]), [['AWS_ACCESS_KEY_ID', 's3-creds'], ['AWS_SECRET_ACCESS_KEY', 's3-creds']]);
  });

  it('loki: a ruler-less Distributed deployment turns the chart\'s ruler off; zones the chart cannot honour are reported', () => {
    const s = fixture((x) => {
      const logs = (x['signals'] as { logs: { environments: Record<string, { components?: Record<string, unknown> }> } }).logs;
      logs.environments['prod']!.components = { ingester: { replicas: 4 } };
    });
    const r = renderAll(s);
    const prod = valuesFile(r.files, 'prod', 'loki');
    assert.deepEqual(prod['ruler'], { enabled: false });
    assert.equal(at(prod, 'loki', 'storage', 'bucketNames', 'ruler'), undefined);
    assert.ok(r.findings.some((f) => f.env === 'prod' && f.severity === 'warning' && /3 zones of ceil\(4\/3\) = 2/.test(f.message)), JSON.stringify(r.findings));
  });

  it('pyroscope: single binary and v1 microservices; chart defaults the topology lacks are removed', () => {
    const dev = valuesFile(files, 'dev', 'pyroscope');
    assert.equal(at(dev, 'pyroscope', 'replicaCount'), 1);
    assert.deepEqual(at(dev, 'pyroscope', 'persistence'), { enabled: true, size: '10Gi' });
    assert.equal(at(dev, 'architecture'), undefined);
    assert.deepEqual(at(valuesFile(files, 'test', 'pyroscope'), 'pyroscope', 'persistence'), { enabled: false });
    const prod = valuesFile(files, 'prod', 'pyroscope');
    assert.equal(at(prod, 'architecture', 'microservices', 'enabled'), true);
    const v1 = at(prod, 'architecture', 'microservices', 'v1') as Obj;
    assert.equal(v1['tenant-settings'], null);
    assert.equal(v1['ad-hoc-profiles'], null);
    assert.equal(at(v1, 'ingester', 'replicaCount'), 3);
    assert.equal(at(v1, 'querier', 'persistence'), undefined, 'Deployments get no volume');
    assert.deepEqual(at(prod, 'alloy'), { enabled: false });
    assert.deepEqual(at(prod, 'pyroscope', 'podDisruptionBudget'), { enabled: true });
    assert.deepEqual(at(dev, 'pyroscope', 'podDisruptionBudget'), { enabled: false });
    assert.equal(at(prod, 'pyroscope', 'structuredConfig', 'ingester', 'lifecycler', 'ring', 'replication_factor'), 3);
    assert.equal(at(prod, 'pyroscope', 'structuredConfig', 'storage', 's3', 'bucket_name'), 'demo-profiles-prod-blocks');
    assert.deepEqual(at(prod, 'pyroscope', 'extraEnvVars', 'AWS_ACCESS_KEY_ID'), { valueFrom: { secretKeyRef: { key: 'AWS_ACCESS_KEY_ID', name: 's3-creds' } } });
    assert.ok(findings.some((f) => f.env === 'prod' && /no zone-aware replication/.test(f.message)));
    assert.ok(!findings.some((f) => /query-scheduler and serve stored blocks/.test(f.message)), 'the read path is complete');
  });

  it('pyroscope: a microservices topology without query-scheduler / store-gateway is reported', () => {
    const s = fixture((x) => {
      const p = (x['signals'] as { profiles: { environments: Record<string, { components?: Record<string, unknown> }> } }).profiles;
      p.environments['prod']!.components = {};
    });
    const r = renderAll(s);
    const v1 = at(valuesFile(r.files, 'prod', 'pyroscope'), 'architecture', 'microservices', 'v1') as Obj;
    assert.equal(v1['query-scheduler'], null);
    assert.equal(v1['store-gateway'], null);
    assert.ok(r.findings.some((f) => f.env === 'prod' && f.severity === 'warning' && /no query-scheduler and no store-gateway/.test(f.message)));
  });
});

describe('render kubernetes: ApplicationSet style through renderStack', () => {
  const stack = fixture((s) => {
    s['kubernetes'] = { argocd: { style: 'applicationset' } };
  });

  it('renders one ApplicationSet per engine with a list generator over the environments, and no Applications', () => {
    const r = renderStack(stack, { target: 'kubernetes' });
    assert.deepEqual(r.findings.filter((f) => f.severity === 'error'), []);
    assert.ok(![...r.files.keys()].some((k) => k.includes('/applications/')), 'no per-environment Applications');
    for (const engine of ['loki', 'mimir', 'pyroscope']) {
      const text = r.files.get(`kubernetes/applicationsets/${engine}.yaml`);
      assert.ok(text, `ApplicationSet for ${engine}`);
      const obj = parse(text) as Obj;
      assert.doesNotThrow(() => new ApplicationSet(obj as never).validate(), `${engine} ApplicationSet validates`);
      const elements = (at(obj, 'spec', 'generators') as Array<{ list: { elements: Obj[] } }>)[0]!.list.elements;
      assert.deepEqual(elements.map((e) => e['env']), ['dev', 'test', 'prod']);
      assert.deepEqual(elements.map((e) => e['namespace']), ['demo-dev', 'demo-test', 'demo-prod']);
      assert.equal(at(obj, 'spec', 'template', 'spec', 'destination', 'namespace'), '{{.namespace}}');
    }
    // per-environment files are still there (values, bucket jobs, datasources)
    for (const env of ['dev', 'test', 'prod']) assert.ok(r.files.has(`kubernetes/${env}/values/loki.yaml`) && r.files.has(`kubernetes/${env}/buckets-job.yaml`));
    assert.ok(assertObjectsValidate(r.files) > 5);
    assert.ok(assertKnownKeys(r.files).some((v) => v.chart === 'loki'));
    // the element values are the per-environment values files
    const loki = parse(r.files.get('kubernetes/applicationsets/loki.yaml')!) as Obj;
    const prodEl = (at(loki, 'spec', 'generators') as Array<{ list: { elements: Obj[] } }>)[0]!.list.elements.find((e) => e['env'] === 'prod')!;
    assert.deepEqual(parse(String(prodEl['values'])), valuesFile(r.files, 'prod', 'loki'));
  });

  it('--env narrows the list generator to that environment', () => {
    const r = renderStack(stack, { target: 'kubernetes', env: 'test' });
    const obj = parse(r.files.get('kubernetes/applicationsets/mimir.yaml')!) as Obj;
    assert.deepEqual((at(obj, 'spec', 'generators') as Array<{ list: { elements: Obj[] } }>)[0]!.list.elements.map((e) => e['env']), ['test']);
    assert.ok(valuesOf(r.files).length > 0);
  });
});
