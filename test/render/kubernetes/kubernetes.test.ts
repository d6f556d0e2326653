import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Application, ApplicationSet } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import { Job } from 'kubernetes-models/batch/v1';
import { StatefulSet } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { parse, parseAllDocuments } from 'yaml';
import { CHART_VALUE_KEYS, keyAllowed, valueKeyPaths } from '../../../src/catalog/charts/index.js';
import type { Stack } from '../../../src/model/schema.js';
import { diffFileSets, type FileSet } from '../../../src/render/fileset.js';
import { renderKubernetes } from '../../../src/render/kubernetes/index.js';
import { expand } from '../../../src/topology/expand.js';
import { exampleStack, readGolden, renderAll } from './support.js';

type Obj = Record<string, unknown>;

const MODELS: Record<string, (o: Obj) => { validate(): void }> = {
  'argoproj.io/v1alpha1/Application': (o) => new Application(o as never),
  'argoproj.io/v1alpha1/ApplicationSet': (o) => new ApplicationSet(o as never),
  'batch/v1/Job': (o) => new Job(o as never),
  'policy/v1/PodDisruptionBudget': (o) => new PodDisruptionBudget(o as never),
  'v1/ConfigMap': (o) => new ConfigMap(o as never),
  'v1/Service': (o) => new Service(o as never),
  'apps/v1/StatefulSet': (o) => new StatefulSet(o as never),
};

const isValuesFile = (p: string) => p.includes('/values/');

function objectsOf(files: FileSet): Array<{ path: string; obj: Obj }> {
  const out: Array<{ path: string; obj: Obj }> = [];
  for (const [path, text] of files) {
    if (isValuesFile(path)) continue;
    for (const d of parseAllDocuments(text)) out.push({ path, obj: d.toJS() as Obj });
  }
  return out;
}

/** values objects with the chart they are for: from Applications' valuesObject and from values/ files. */
function valuesOf(files: FileSet): Array<{ where: string; chart: string; values: Obj }> {
  const out: Array<{ where: string; chart: string; values: Obj }> = [];
  for (const { path, obj } of objectsOf(files)) {
    if (obj['kind'] === 'Application') {
      const src = (obj['spec'] as Obj)['source'] as Obj;
      out.push({ where: path, chart: String(src['chart']), values: (src['helm'] as Obj)['valuesObject'] as Obj });
    }
    if (obj['kind'] === 'ApplicationSet') {
      const spec = obj['spec'] as { generators: Array<{ list: { elements: Obj[] } }> };
      for (const el of spec.generators[0]!.list.elements) out.push({ where: `${path} (${String(el['env'])})`, chart: String(el['chart']), values: parse(String(el['values'])) as Obj });
    }
  }
  for (const [path, text] of files) {
    if (!isValuesFile(path)) continue;
    if (path.endsWith('/grafana-datasources.yaml')) out.push({ where: path, chart: 'grafana', values: parse(text) as Obj });
    else {
      const app = files.get(path.replace('/values/', '/applications/'));
      if (app) out.push({ where: path, chart: String(((parse(app) as Obj)['spec'] as { source: { chart: string } }).source.chart), values: parse(text) as Obj });
    }
  }
  return out;
}

/** Every resources block: [where, owner key, resources]. */
function resourcesBlocks(node: unknown, where: string, owner = ''): Array<{ where: string; owner: string; resources: Obj }> {
  const out: Array<{ where: string; owner: string; resources: Obj }> = [];
  if (Array.isArray(node)) node.forEach((x) => out.push(...resourcesBlocks(x, where, owner)));
  else if (node && typeof node === 'object') {
    const o = node as Obj;
    for (const [k, v] of Object.entries(o)) {
      if (k === 'resources' && v && typeof v === 'object' && ('requests' in (v as Obj) || 'limits' in (v as Obj))) {
        out.push({ where, owner: typeof o['name'] === 'string' ? String(o['name']) : owner, resources: v as Obj });
      } else out.push(...resourcesBlocks(v, where, k));
    }
  }
  return out;
}

function withStack(s: Stack, patch: (s: Stack) => void): Stack {
  const c = structuredClone(s);
  patch(c);
  return c;
}

describe('render kubernetes (examples/dts)', async () => {
  const stack = await exampleStack();
  const { files, findings } = renderAll(stack);
  const appSetStack = withStack(stack, (s) => {
    s.kubernetes.argocd.style = 'applicationset';
    s.grafana.provisioning = 'chart-values';
  });
  const appSet = renderAll(appSetStack);

  it('renders Applications, values, bucket jobs and datasources for every environment', () => {
    for (const env of stack.environments.map((e) => e.name)) {
      for (const f of ['applications/mimir.yaml', 'applications/tempo.yaml', 'values/mimir.yaml', 'values/tempo.yaml', 'buckets-job.yaml', 'grafana-datasources.yaml']) {
        assert.ok(files.has(`kubernetes/${env}/${f}`), `missing kubernetes/${env}/${f}`);
      }
    }
    assert.ok(appSet.files.has('kubernetes/applicationsets/mimir.yaml'));
    assert.ok(![...appSet.files.keys()].some((k) => k.includes('/applications/')), 'applicationset style renders no per-env Applications');
  });

  it('every rendered object validates with its @kubernetes-models class', () => {
    const objs = [...objectsOf(files), ...objectsOf(appSet.files)];
    assert.ok(objs.length > 10);
    for (const { path, obj } of objs) {
      const make = MODELS[`${String(obj['apiVersion'])}/${String(obj['kind'])}`];
      assert.ok(make, `${path}: no model for ${String(obj['apiVersion'])} ${String(obj['kind'])}`);
      assert.doesNotThrow(() => make(obj).validate(), `${path} does not validate`);
    }
  });

  it('sync waves: buckets before engines before datasources; bucket job is an idempotent PreSync hook', () => {
    const wave = (o: Obj) => Number(((o['metadata'] as Obj)['annotations'] as Obj)['argocd.argoproj.io/sync-wave']);
    const job = parse(files.get('kubernetes/prod/buckets-job.yaml')!) as Obj;
    const app = parse(files.get('kubernetes/prod/applications/mimir.yaml')!) as Obj;
    const cm = parse(files.get('kubernetes/prod/grafana-datasources.yaml')!) as Obj;
    assert.ok(wave(job) < wave(app) && wave(app) < wave(cm));
    const ann = (job['metadata'] as Obj)['annotations'] as Obj;
    assert.equal(ann['argocd.argoproj.io/hook'], 'PreSync');
    assert.equal(ann['argocd.argoproj.io/hook-delete-policy'], 'BeforeHookCreation');
    const text = files.get('kubernetes/prod/buckets-job.yaml')!;
    assert.match(text, /head-bucket --bucket dts-metrics-prod-blocks .*\|\| aws s3api create-bucket --bucket dts-metrics-prod-blocks/);
    assert.ok(!text.includes('-dev-'), 'prod bucket job touches only prod buckets');
  });

  it('values write no key outside the chart\'s documented key list', () => {
    const all = [...valuesOf(files), ...valuesOf(appSet.files)];
    assert.ok(all.length >= 6);
    for (const { where, chart, values } of all) {
      const list = CHART_VALUE_KEYS[chart];
      assert.ok(list, `${where}: no value-key list for chart ${chart}`);
      const bad = valueKeyPaths(values).filter((p) => !keyAllowed(p, list.keys));
      assert.deepEqual(bad, [], `${where}: keys not in ${chart} ${list.version}'s list`);
    }
  });

  it('the key lists are for the pinned chart versions', async () => {
    const { versions } = await import('../../../src/catalog/versions.js');
    for (const k of Object.values(CHART_VALUE_KEYS)) assert.equal(versions.charts[k.chart], k.version, `${k.chart}`);
  });

  it('policy: no CPU limit anywhere; memory limits exactly on ingester and store-gateway; PDBs in prod', () => {
    const blocks = [
      ...objectsOf(files).flatMap(({ path, obj }) => resourcesBlocks(obj, path)),
      ...valuesOf(files).flatMap(({ where, values }) => resourcesBlocks(values, where)),
    ];
    assert.ok(blocks.length > 20);
    let memLimits = 0;
    for (const b of blocks) {
      const limits = (b.resources['limits'] ?? {}) as Obj;
      assert.equal(limits['cpu'], undefined, `${b.where} ${b.owner}: CPU limit`);
      const wantMem = ['ingester', 'store_gateway', 'store-gateway'].includes(b.owner);
      assert.equal(limits['memory'] !== undefined, wantMem, `${b.where} ${b.owner}: memory limit ${wantMem ? 'missing' : 'not allowed'}`);
      if (wantMem) memLimits++;
    }
    assert.ok(memLimits >= 6, 'ingester and store-gateway limits in every environment');
    const prodPdbs = objectsOf(files).filter(({ path, obj }) => path.startsWith('kubernetes/prod/') && obj['kind'] === 'PodDisruptionBudget');
    assert.ok(prodPdbs.length > 0, 'policy/v1 PDBs in prod');
    const mimirProd = parse(files.get('kubernetes/prod/values/mimir.yaml')!) as Obj;
    for (const c of ['distributor', 'ingester', 'querier', 'query_frontend', 'store_gateway', 'compactor']) {
      assert.deepEqual((mimirProd[c] as Obj)['podDisruptionBudget'], { maxUnavailable: 1 }, `mimir ${c} PDB in prod`);
    }
    assert.ok(![...files.keys()].some((k) => k.startsWith('kubernetes/dev/pdbs/')), 'no PDBs outside HA');
  });

  it('mimir: external S3 only, ingest storage off without Kafka, RF and zones from the topology', () => {
    const v = parse(files.get('kubernetes/prod/values/mimir.yaml')!) as Obj;
    assert.deepEqual(v['minio'], { enabled: false });
    assert.deepEqual(v['kafka'], { enabled: false });
    const sc = (v['mimir'] as Obj)['structuredConfig'] as Obj;
    assert.deepEqual(sc['ingest_storage'], { enabled: false });
    assert.deepEqual(sc['ingester'], { ring: { replication_factor: 3 } });
    assert.deepEqual(((v['ingester'] as Obj)['zoneAwareReplication'] as Obj), { enabled: true });
    const dev = parse(files.get('kubernetes/dev/values/mimir.yaml')!) as Obj;
    assert.deepEqual(((dev['ingester'] as Obj)['zoneAwareReplication'] as Obj), { enabled: false });
    assert.deepEqual(dev['ruler'], { enabled: false }, 'chart-default ruler off when the topology has none');
    assert.equal(((((dev['mimir'] as Obj)['structuredConfig'] as Obj)['blocks_storage'] as Obj)['s3'] as Obj)['bucket_name'], 'dts-metrics-dev-blocks');
  });

  it('tempo-distributed: OTLP receivers on, S3 and Kafka topic from the topology', () => {
    const v = parse(files.get('kubernetes/prod/values/tempo.yaml')!) as Obj;
    assert.deepEqual(v['traces'], { otlp: { grpc: { enabled: true }, http: { enabled: true } } });
    assert.equal((((v['storage'] as Obj)['trace'] as Obj)['s3'] as Obj)['bucket'], 'dts-traces-prod-blocks');
    assert.equal(((v['ingest'] as Obj)['kafka'] as Obj)['auto_create_topic_default_partitions'], 2);
  });

  it('datasources: names, stable uids, cross links', () => {
    const cm = parse(files.get('kubernetes/prod/grafana-datasources.yaml')!) as { metadata: { labels: Obj }; data: Record<string, string> };
    assert.equal(cm.metadata.labels['grafana_datasource'], '1');
    const prov = parse(Object.values(cm.data)[0]!) as { apiVersion: number; datasources: Obj[] };
    assert.equal(prov.apiVersion, 1);
    const byUid = new Map(prov.datasources.map((d) => [String(d['uid']), d]));
    assert.equal(byUid.get('tempo-prod')?.['name'], 'Tempo (prod)');
    assert.equal(byUid.get('mimir-prod')?.['name'], 'Mimir (prod)');
    assert.deepEqual((byUid.get('mimir-prod')?.['jsonData'] as Obj)['exemplarTraceIdDestinations'], [{ name: 'trace_id', datasourceUid: 'tempo-prod' }]);
    const tempoJson = byUid.get('tempo-prod')?.['jsonData'] as Obj;
    assert.equal((tempoJson['serviceMap'] as Obj)['datasourceUid'], 'mimir-prod');
    if (byUid.has('loki-prod')) assert.equal((tempoJson['tracesToLogsV2'] as Obj)['datasourceUid'], 'loki-prod');
    assert.ok(appSet.files.has('kubernetes/prod/values/grafana-datasources.yaml'), 'chart-values provisioning');
  });

  it('no secret values: credentials appear only as Secret references', () => {
    const secrets = new Set(Object.values(stack.objectStorage).map((o) => o.credentials.secretName));
    for (const [path, text] of [...files, ...appSet.files]) {
      assert.ok(!/(access_key|secret_key|access_key_id|secret_access_key):\s+(?!"?\$\{)/.test(text), `${path}: literal S3 key`);
      for (const m of text.matchAll(/secretKeyRef:\s*\n\s+key: (\S+)\n\s+name: (\S+)/g)) assert.ok(secrets.has(m[2]!), `${path}: unknown secret ${m[2]}`);
    }
    assert.ok([...files.values()].some((t) => t.includes('secretKeyRef')));
  });

  it('is deterministic', () => {
    const again = renderAll(stack);
    assert.deepEqual([...again.files.entries()], [...files.entries()]);
  });

  it('managed Kafka: KRaft StatefulSet, headless Service and PDB matching the topology bootstrap', () => {
    const t = expand(stack, 'prod');
    if (!t.kafka?.managed) return;
    const sts = parse(files.get('kubernetes/prod/kafka/statefulset.yaml')!) as { spec: { replicas: number; serviceName: string; template: { spec: { containers: Array<{ image: string; env: Array<{ name: string; value: string }> }> } } } };
    assert.equal(sts.spec.replicas, t.kafka.brokers);
    assert.equal(sts.spec.serviceName, 'kafka');
    const c = sts.spec.template.spec.containers[0]!;
    assert.match(c.image, /^apache\/kafka:/);
    const voters = c.env.find((e) => e.name === 'KAFKA_CONTROLLER_QUORUM_VOTERS')!.value;
    for (const b of t.kafka.bootstrap.split(',')) assert.ok(voters.includes(b.replace(':9092', ':9093')), `${b} is a voter`);
    assert.ok(files.has('kubernetes/prod/kafka/service.yaml') && files.has('kubernetes/prod/kafka/pdb.yaml'));
    assert.ok(!findings.some((f) => f.severity === 'error'), JSON.stringify(findings.filter((f) => f.severity === 'error')));
  });

  it('golden: matches examples/dts/rendered/kubernetes', () => {
    const diffs = diffFileSets(files, readGolden());
    const text = diffs.map((d) => `${d.change}: ${d.path}${d.detail ? `\n${d.detail}` : ''}`).join('\n');
    assert.equal(diffs.length, 0, `rendered output differs from the golden files (- golden, + rendered; to accept: node dist/test/render/kubernetes/update-golden.js):\n${text}`);
  });
});

describe('render kubernetes: bad input', async () => {
  const stack = await exampleStack();
  it('a mode no chart can deploy → error finding at <engine>.mode, no files for it', () => {
    const s = withStack(stack, (x) => {
      x.signals.metrics!.environments['dev']!.mode = 'read-write';
      x.signals.metrics!.environments['dev']!.components = {};
    });
    const r = renderKubernetes({ stack: s, topology: expand(s, 'dev') });
    const f = r.findings.find((x) => x.severity === 'error' && x.path === 'signals.metrics.environments.dev.mode');
    assert.ok(f, JSON.stringify(r.findings));
    assert.match(f.message, /jsonnet/);
    assert.ok(![...r.files.keys()].some((k) => k.includes('mimir')));
  });
});
