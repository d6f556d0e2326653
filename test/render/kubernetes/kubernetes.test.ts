import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { CHART_VALUE_KEYS } from '../../../src/catalog/charts/index.js';
import type { Stack } from '../../../src/model/schema.js';
import { diffFileSets } from '../../../src/render/fileset.js';
import { renderKubernetes } from '../../../src/render/kubernetes/index.js';
import { expand } from '../../../src/topology/expand.js';
import { assertKnownKeys, assertObjectsValidate, objectsOf, resourcesBlocks, valuesOf, withStack, type Obj } from './inspect.js';
import { exampleStack, readGolden, renderAll, renderGolden } from './support.js';

describe('render kubernetes (examples/dts)', async () => {
  const stack = await exampleStack();
  const { files, findings } = renderAll(stack);
  const appSetStack = withStack(stack, (s) => {
    s.kubernetes.argocd.style = 'applicationset';
    s.grafana.provisioning = 'chart-values';
  });
  const appSet = renderAll(appSetStack);

  it('renders Applications, values, bucket jobs and datasources for every environment (every phase: --phase 3)', () => {
    for (const env of stack.environments.map((e) => e.name)) {
      for (const f of ['applications/mimir.yaml', 'applications/tempo.yaml', 'applications/pyroscope.yaml', 'values/mimir.yaml', 'values/tempo.yaml', 'values/pyroscope.yaml', 'buckets-job.yaml', 'grafana-datasources.yaml']) {
        assert.ok(files.has(`kubernetes/${env}/${f}`), `missing kubernetes/${env}/${f}`);
      }
    }
    assert.ok(appSet.files.has('kubernetes/applicationsets/mimir.yaml'));
    assert.ok(![...appSet.files.keys()].some((k) => k.includes('/applications/')), 'applicationset style renders no per-env Applications');
  });

  it('every rendered object validates with its @kubernetes-models class', () => {
    assert.ok(assertObjectsValidate(files) + assertObjectsValidate(appSet.files) > 10);
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
    // dts runs Tempo 3 on tempo-distributed everywhere; the tempo chart (monolithic) fits Tempo 2.10 only
    const tempo2 = withStack(stack, (s) => {
      s.signals.traces!.version = '2.10.0';
      s.signals.traces!.environments = { dev: { mode: 'monolithic', components: { tempo: { cpu: '100m', memory: '512Mi', storage: '2Gi' } } } };
    });
    const tempo2Files = renderAll(tempo2);
    assert.deepEqual(tempo2Files.findings.filter((f) => f.severity === 'error'), []);
    const all = [...assertKnownKeys(files), ...assertKnownKeys(appSet.files), ...assertKnownKeys(tempo2Files.files)];
    assert.ok(all.length >= 6);
    const charts = new Set(all.map((v) => v.chart));
    for (const c of ['tempo', 'tempo-distributed', 'mimir-distributed', 'pyroscope', 'grafana']) assert.ok(charts.has(c), `values for ${c} checked`);
  });

  it('Mimir 2.17 gets mimir-distributed 5.8.0 values: its keys only — the gateway on (both of its switches), nginx off, no Kafka, no ingest-storage settings', () => {
    const mimir2 = renderAll(withStack(stack, (s) => { s.signals.metrics!.version = '2.17.0'; }));
    assert.deepEqual(mimir2.findings.filter((f) => f.severity === 'error'), []);
    const checked = assertKnownKeys(mimir2.files).filter((v) => v.chart === 'mimir-distributed');
    assert.deepEqual([...new Set(checked.map((v) => v.version))], ['5.8.0']);
    for (const { where, values } of checked) {
      const v = values as any;
      assert.equal(v.image.tag, '2.17.0', where);
      assert.deepEqual([v.gateway.enabled, v.gateway.enabledNonEnterprise, v.nginx.enabled], [true, true, false], where);
      assert.equal(v.kafka, undefined, where);
      assert.equal(v.mimir.structuredConfig.ingest_storage, undefined, where);
      assert.equal(v.mimir.structuredConfig.ingester?.push_grpc_method_enabled, undefined, where);
    }
    // a topology without a query-scheduler switches it off (optional in 5.x: the queriers then use the query-frontend)
    const noScheduler = renderAll(withStack(stack, (s) => {
      s.signals.metrics!.version = '2.17.0';
      const dev = s.signals.metrics!.environments['dev']!;
      dev.components = Object.fromEntries(Object.entries(dev.components ?? {}).filter(([k]) => k !== 'query-scheduler'));
    }));
    const dev = valuesOf(noScheduler.files).find((v) => v.chart === 'mimir-distributed' && v.where.includes('/dev/'))!.values as any;
    assert.deepEqual(dev.query_scheduler, { enabled: false });
    assert.ok(!noScheduler.findings.some((f) => /always deploys the query-scheduler/.test(f.message)));
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
    // chart 6.0 hardcodes the Kafka write path: the classic one needs the ingesters' gRPC push back on
    assert.deepEqual(sc['ingester'], { push_grpc_method_enabled: true, ring: { replication_factor: 3 } });
    assert.deepEqual(((v['ingester'] as Obj)['zoneAwareReplication'] as Obj), { enabled: true });
    // the gateway is budgeted (chart workload): switched on with the planned replicas and requests
    assert.equal((v['gateway'] as Record<string, unknown>)['enabled'], true);
    assert.ok(((v['gateway'] as Record<string, Record<string, unknown>>)['resources']!['requests'] as Record<string, unknown>)['cpu']);
    assert.equal((v['rollout_operator'] as Obj)['enabled'], true, 'zone-aware StatefulSets need the rollout-operator (budgeted)');
    const dev = parse(files.get('kubernetes/dev/values/mimir.yaml')!) as Obj;
    assert.deepEqual(((dev['ingester'] as Obj)['zoneAwareReplication'] as Obj), { enabled: false });
    assert.deepEqual(dev['rollout_operator'], { enabled: false });
    assert.deepEqual(dev['ruler'], { enabled: false }, 'chart-default ruler off when the topology has none');
    const qs = dev['query_scheduler'] as Obj;
    assert.equal(qs['replicas'], 1, 'the budgeted query-scheduler is sized from the topology');
    assert.equal(qs['enabled'], undefined, 'chart 6.0 has no switch for the required query-scheduler');
    assert.ok(!findings.some((f) => /query-scheduler/.test(f.message)), 'a budgeted query-scheduler raises no warning');
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
      assert.ok(!/(access_key|secret_key|access_key_id|secret_access_key|accessKeyId|secretAccessKey):\s+(?!"?\$\{)/.test(text), `${path}: literal S3 key`);
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

  it('phases: the default render stops at currentPhase 1 (no Pyroscope Application, values, bucket or datasource); --phase 3 brings it back', () => {
    assert.deepEqual(stack.environments.map((e) => e.currentPhase), [1, 1, 1]);
    const phase1 = renderGolden(stack);
    const phase3 = renderGolden(stack, 3);
    const pyroscopeFiles = (fs: Map<string, string>) => [...fs.keys()].filter((k) => k.includes('pyroscope')).sort();
    assert.deepEqual(pyroscopeFiles(phase1), []);
    assert.deepEqual(pyroscopeFiles(phase3), ['applications', 'values'].flatMap((d) => ['dev', 'prod', 'test'].map((e) => `kubernetes/${e}/${d}/pyroscope.yaml`)).sort());
    for (const env of ['dev', 'test', 'prod']) {
      const job = (fs: Map<string, string>) => fs.get(`kubernetes/${env}/buckets-job.yaml`)!;
      assert.ok(!job(phase1).includes(`dts-profiles-${env}-blocks`) && job(phase3).includes(`dts-profiles-${env}-blocks`), `${env}: the profiles bucket is created from phase 3`);
      const ds = (fs: Map<string, string>) => fs.get(`kubernetes/${env}/grafana-datasources.yaml`)!;
      assert.ok(!ds(phase1).includes('pyroscope') && ds(phase3).includes(`uid: pyroscope-${env}`), `${env}: the Pyroscope datasource from phase 3`);
      assert.ok(!ds(phase1).includes('tracesToProfiles') && ds(phase3).includes('tracesToProfiles'), `${env}: the traces → profiles link follows`);
    }
    // exactly Pyroscope's files and lines differ; the phase 3 render is the renderers over the full topologies
    const changed = diffFileSets(phase3, phase1).map((d) => d.path).sort();
    // ... the shared Alloy's profiles receivers and Pyroscope scrape (its config, and its values that embed it), and the flows to Pyroscope
    assert.deepEqual(
      changed.filter((p) => !p.includes('pyroscope')),
      [...['dev', 'prod', 'test'].flatMap((e) => [`kubernetes/${e}/buckets-job.yaml`, `kubernetes/${e}/grafana-datasources.yaml`, `kubernetes/${e}/network-policies.yaml`]), 'configs/alloy/config.alloy', 'kubernetes/shared/values/alloy.yaml'].sort(),
    );
    assert.ok(!phase1.get('configs/alloy/config.alloy')!.includes('pyroscope') && phase3.get('configs/alloy/config.alloy')!.includes('pyroscope.receive_http'));
    for (const [p, text] of files) assert.equal(phase3.get(p), text, p);
  });

  it('golden: `render examples/dts --target kubernetes` matches examples/dts/rendered', () => {
    const diffs = diffFileSets(renderGolden(stack), readGolden());
    const text = diffs.map((d) => `${d.change}: ${d.path}${d.detail ? `\n${d.detail}` : ''}`).join('\n');
    assert.equal(diffs.length, 0, `rendered output differs from the golden files (- golden, + rendered; to accept: node dist/test/render/kubernetes/update-golden.js):\n${text}`);
  });
});

describe('render kubernetes: bad input', async () => {
  const stack = await exampleStack();
  it('a mode no chart can deploy → error finding at <engine>.mode, no files for it', () => {
    const s = withStack(stack, (x) => {
      x.signals.metrics!.version = '2.17.0'; // read-write is a Mimir 2.x mode (Mimir 3 removed it)
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
