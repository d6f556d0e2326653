import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildPlan } from '../../src/plan/index.js';
import { quorum } from '../../src/plan/rules/write-quorum.js';
import { stackOf } from '../fixtures/stacks.js';

type M = Record<string, any>;
const findings = (mutate: (s: M) => void, rule: string) => buildPlan(stackOf(mutate as never), 'test.yaml').findings.filter((f) => f.rule === rule);
const metricsEnv = (s: M, env: string) => s['signals'].metrics.environments[env];

describe('plan rules', () => {
  it('the base definition has no error findings', () => {
    assert.deepEqual(buildPlan(stackOf(), 'test.yaml').findings.filter((f) => f.severity === 'error'), []);
  });

  it('resource-policy: a CPU limit is an error with the reason', () => {
    const f = findings((s) => { metricsEnv(s, 'dev').components = { querier: { cpuLimit: '1' } }; }, 'resource-policy');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'error');
    assert.equal(f[0]!.path, 'signals.metrics.environments.dev.components.querier.cpuLimit');
    assert.match(f[0]!.message, /throttles/);
  });
  it('resource-policy: a memory limit outside the policy is an error; a CPU limit the policy allows is not', () => {
    const f = findings((s) => { metricsEnv(s, 'dev').components = { querier: { memoryLimit: '1Gi', cpuLimit: '1' } }; s['policy'] = { cpuLimits: ['querier'] }; }, 'resource-policy');
    assert.equal(f.length, 1);
    assert.match(f[0]!.message, /memory limit of 1Gi/);
  });
  it('resource-policy: a target that runs a listed component is listed with it (Mimir 2 mimir-write runs the ingester, Loki write too)', () => {
    const rw = (s: M) => {
      s['signals'].metrics.version = '2.17.0';
      s['environments'][0].target = 'compose'; // read-write has no chart: compose deploys it
      metricsEnv(s, 'dev').mode = 'read-write';
      metricsEnv(s, 'dev').components = { 'mimir-write': { memoryLimit: '4Gi' }, 'mimir-backend': { memoryLimit: '2Gi' }, 'mimir-read': { memoryLimit: '1Gi' } };
    };
    const f = findings(rw, 'resource-policy');
    // the policy (ingester, store-gateway): mimir-write runs the ingester, mimir-backend the store-gateway; mimir-read neither
    assert.deepEqual(f.map((x) => x.path), ['signals.metrics.environments.dev.components.mimir-read.memoryLimit'], JSON.stringify(f));
    // and the limit the policy asks for is set on the target by default (the catalog's 4Gi for mimir-write)
    const p = buildPlan(stackOf(((s: M) => { rw(s); metricsEnv(s, 'dev').components = {}; }) as never), 'test.yaml');
    const dev = p.environments.find((e) => e.name === 'dev')!;
    const limit = (name: string) => dev.components.find((c) => c.engine === 'mimir' && c.component === name)?.perReplica.memoryLimitBytes;
    assert.equal(limit('mimir-write'), 4 * 1024 ** 3);
    assert.ok(limit('mimir-backend') !== undefined && limit('mimir-backend')! > 0);
    assert.ok(limit('mimir-read') == null);
    // Loki's simple-scalable write runs its ingester (pkg/loki/loki.go): the catalog's 4Gi limit; read runs none
    const loki = buildPlan(stackOf(((s: M) => { s['signals'].logs = { engine: 'loki', environments: { dev: { mode: 'simple-scalable' } } }; }) as never), 'test.yaml');
    const lc = (name: string) => loki.environments.find((e) => e.name === 'dev')!.components.find((c) => c.engine === 'loki' && c.component === name)?.perReplica.memoryLimitBytes;
    assert.equal(lc('write'), 4 * 1024 ** 3);
    assert.ok(lc('read') == null);
  });
  it('resource-policy: a memory limit below the request is an error', () => {
    const f = findings((s) => { metricsEnv(s, 'dev').components = { ingester: { memory: '2Gi', memoryLimit: '1Gi' } }; }, 'resource-policy');
    assert.match(f[0]!.message, /below its request/);
  });

  it('ha-replicas: PDBs off in HA is an error', () => {
    const f = findings((s) => { s['environments'][1].podDisruptionBudgets = false; }, 'ha-replicas');
    assert.equal(f.length, 1);
    assert.match(f[0]!.message, /PodDisruptionBudgets are off/);
  });
  it('ha-replicas: stateless serving components need 2, stateful write path 3', () => {
    const f = findings((s) => { metricsEnv(s, 'prod').components = { querier: { replicas: 1 }, ingester: { replicas: 2 } }; metricsEnv(s, 'prod').replicationFactor = 1; }, 'ha-replicas');
    const msgs = f.map((x) => `${x.severity}:${x.message}`);
    assert.ok(msgs.some((m) => /^error:.*querier.*1 replica/.test(m)), msgs.join('\n'));
    assert.ok(msgs.some((m) => /^error:.*ingester.*at least 3/.test(m)), msgs.join('\n'));
  });
  it('ha-replicas: nothing outside HA environments', () => {
    assert.deepEqual(findings((s) => { metricsEnv(s, 'dev').components = { querier: { replicas: 1 } }; }, 'ha-replicas'), []);
  });

  it('write-quorum: the arithmetic', () => {
    assert.deepEqual(quorum(1), { acks: 1, tolerates: 0 });
    assert.deepEqual(quorum(2), { acks: 2, tolerates: 0 });
    assert.deepEqual(quorum(3), { acks: 2, tolerates: 1 });
    assert.deepEqual(quorum(5), { acks: 3, tolerates: 2 });
  });
  it('write-quorum: RF 2 in HA is an error that says why', () => {
    const f = findings((s) => { metricsEnv(s, 'prod').replicationFactor = 2; }, 'write-quorum');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'error');
    assert.match(f[0]!.message, /floor\(2\/2\)\+1 = 2/);
    assert.match(f[0]!.message, /survives no lost replica/);
  });
  it('write-quorum: RF above the replica count is an error', () => {
    const f = findings((s) => { metricsEnv(s, 'dev').replicationFactor = 3; }, 'write-quorum');
    assert.match(f[0]!.message, /needs 3 ingester replicas but dev runs 1/);
  });

  it('known-components: a Tempo store-gateway is an error listing what Tempo has', () => {
    const f = findings((s) => { s['signals'].traces = { engine: 'tempo', version: '2.10.0', environments: { dev: { mode: 'microservices', components: { 'store-gateway': { replicas: 2 } } } } }; }, 'known-components');
    assert.equal(f.length, 1);
    assert.match(f[0]!.message, /Tempo never had a store-gateway/);
    assert.match(f[0]!.message, /distributor, ingester/);
  });

  it('buckets: shared across engines is an error; off-convention names warn; bad S3 names error', () => {
    const shared = findings((s) => { s['signals'].traces = { engine: 'tempo', environments: { dev: { mode: 'monolithic', buckets: { blocks: 'demo-metrics-dev-blocks' } } } }; }, 'buckets');
    assert.ok(shared.some((f) => f.severity === 'error' && /shared by (mimir and tempo|tempo and mimir)/.test(f.message)), JSON.stringify(shared));
    assert.ok(shared.some((f) => f.severity === 'warning' && /does not follow the convention/.test(f.message)));
    const bad = findings((s) => { metricsEnv(s, 'dev').buckets = { blocks: 'Demo_Blocks' }; }, 'buckets');
    assert.ok(bad.some((f) => f.severity === 'error' && /lowercase/.test(f.message)));
  });
  it('buckets: two environments on one instance with one bucket name is an error', () => {
    const f = findings((s) => { s['conventions'] = { bucket: 'demo-{signal}-{purpose}-{env}' }; metricsEnv(s, 'prod').buckets = { blocks: 'demo-metrics-blocks-dev' }; }, 'buckets');
    assert.ok(f.some((x) => x.severity === 'error' && /used for both dev\/blocks and prod\/blocks/.test(x.message)), JSON.stringify(f));
  });

  it('kafka: Mimir ingest storage without a budgeted Kafka is an error naming the demo Kafka', () => {
    const f = findings((s) => { delete metricsEnv(s, 'dev').ingestStorage; }, 'kafka');
    assert.equal(f.length, 1);
    assert.match(f[0]!.message, /demo Kafka/);
  });
  it('kafka: Tempo 3 partitions must equal block-builder and live-store replicas', () => {
    const f = findings((s) => {
      s['signals'].traces = { engine: 'tempo', environments: { prod: { mode: 'microservices', kafka: { partitions: 3 }, components: { 'block-builder': { replicas: 2 }, 'live-store': { replicas: 3 } } } } };
      s['kafka'] = { environments: { prod: { brokers: 3 } } };
    }, 'kafka');
    assert.equal(f.length, 1);
    assert.match(f[0]!.message, /block-builder replicas \(2\) must equal the tempo-ingest partitions \(3\)/);
  });
  it('kafka: a collector buffer topic that clashes with an engine ingest topic is an error', () => {
    const f = findings((s) => {
      delete metricsEnv(s, 'prod').ingestStorage;
      s['kafka'] = { environments: { prod: { brokers: 3 } } };
      s['ingestion'] = { collector: 'otelcol', environments: { prod: { kafkaBuffer: true, gateway: { replicas: 2 }, processor: { replicas: 2 } } }, topics: { metrics: { name: 'ingest' } } };
    }, 'kafka');
    assert.ok(f.some((x) => /topic "ingest" is used by both mimir and collector:metrics/.test(x.message)), JSON.stringify(f));
  });

  it('collector-memory: collectors without a memory limit get explicit limits, reported', () => {
    const f = findings((s) => { s['ingestion'] = { collector: 'otelcol', environments: { dev: { gateway: { memory: '1Gi' } } } }; }, 'collector-memory');
    assert.equal(f.length, 1);
    assert.match(f[0]!.message, /limit_mib 819, spike_limit_mib 204, GOMEMLIMIT 716Mi/);
  });

  it('capacity: over headroom is an error; a given request below the target headroom is an error', () => {
    const over = findings((s) => { s['environments'][0].capacity = { headroom: { cpu: '100m', memory: '1Gi', storage: '1Gi' } }; }, 'capacity');
    assert.ok(over.some((f) => f.severity === 'error' && /does not fit its headroom/.test(f.message)));
    const req = findings((s) => {
      s['environments'][1].capacity = { quota: { cpu: '1', memory: '1Gi', storage: '10Gi' }, used: { cpu: '500m', memory: '512Mi', storage: '1Gi' }, requested: { cpu: '2', memory: '64Gi', storage: '64Gi' } };
    }, 'capacity');
    assert.ok(req.some((f) => f.severity === 'error' && /requested CPU 2000m leaves/.test(f.message)), JSON.stringify(req));
  });

  it('versions: deprecated lines warn; Mimir 2 read-write has no chart on Kubernetes (a mode Mimir 3 removed is a load error: bad-input.test)', () => {
    const f = findings((s) => { s['signals'].metrics.version = '2.17.0'; metricsEnv(s, 'dev').mode = 'read-write'; s['signals'].traces = { engine: 'tempo', version: '2.10', environments: { dev: { mode: 'monolithic' } } }; }, 'versions');
    const rw = f.find((x) => x.severity === 'error' && x.path === 'signals.metrics.environments.dev.mode');
    assert.match(rw?.message ?? '', /^Mimir read-write cannot be deployed with Helm: read-write mode .* exists only in Mimir's jsonnet/, JSON.stringify(f));
    assert.ok(f.some((x) => x.severity === 'warning' && /Mimir 2\.17\.0: Mimir 2\.x is superseded/.test(x.message)));
    assert.ok(f.some((x) => x.severity === 'warning' && /superseded/.test(x.message) && x.path === 'signals.traces.version'));
  });

  it('versions: Tempo 3 monolithic has no chart on Kubernetes (the tempo chart ships Tempo 2.10); Tempo 2.10 monolithic and compose do', () => {
    const traces = (version: string) => (s: M) => { s['signals'].traces = { engine: 'tempo', version, environments: { dev: { mode: 'monolithic' } } }; };
    const f = findings(traces('3.0.1'), 'versions').filter((x) => x.severity === 'error');
    assert.equal(f.length, 1, JSON.stringify(f));
    assert.equal(f[0]!.env, 'dev');
    assert.equal(f[0]!.path, 'signals.traces.environments.dev.mode');
    assert.match(f[0]!.message, /^Tempo monolithic cannot be deployed with Helm: the tempo chart \(up to 2\.2\.4\) ships Tempo 2\.10/);
    assert.match(f[0]!.message, /blocks that Tempo 3 rejects/);
    assert.match(f[0]!.message, /tempo-distributed/);
    assert.deepEqual(findings(traces('2.10.0'), 'versions').filter((x) => x.severity === 'error'), [], 'the tempo chart fits Tempo 2.10');
    const onCompose = (s: M) => { traces('3.0.1')(s); s['environments'][0].target = 'compose'; metricsEnv(s, 'dev').mode = 'monolithic'; metricsEnv(s, 'dev').components = {}; };
    const compose = findings(onCompose, 'versions');
    assert.deepEqual(compose.filter((x) => x.severity === 'error'), [], 'compose runs monolithic Tempo 3 without a chart');
  });

  it('versions: compose and VM targets run each engine as one process — a microservices (or read-write) engine there is an error', () => {
    for (const target of ['compose', 'ansible']) {
      const f = findings((s) => { s['environments'][0].target = target; }, 'versions').filter((x) => x.severity === 'error');
      assert.deepEqual(f.map((x) => [x.env, x.path]), [['dev', 'signals.metrics.environments.dev.mode']], `${target}: ${JSON.stringify(f)}`);
      assert.match(f[0]!.message, new RegExp(`^the ${target} target runs Mimir as one process \\(-target=all\\), not in microservices mode: the plan would budget 6 components \\(distributor, ingester, .*\\) and the one process would run with distributor's resources`));
      assert.match(f[0]!.suggestion ?? '', /^use mode monolithic for Mimir in dev \(size it with components\.mimir\), or a kubernetes target for microservices/);
    }
    // monolithic there is what the target deploys
    assert.deepEqual(findings((s) => { s['environments'][0].target = 'compose'; metricsEnv(s, 'dev').mode = 'monolithic'; metricsEnv(s, 'dev').components = {}; }, 'versions').filter((x) => x.severity === 'error'), []);
  });

  it('pipeline-holes: tail sampling and memory-only queues are named with their upstream issues', () => {
    const f = findings((s) => {
      s['ingestion'] = { collector: 'otelcol', persistentQueue: { enabled: false }, sampling: { policies: [{ name: 'errors', type: 'errors' }] } };
    }, 'pipeline-holes');
    assert.ok(f.some((x) => /26490/.test(x.message)));
    assert.ok(f.some((x) => /15677/.test(x.message)));
  });

  it('missing-components: Pyroscope without its read path is an error; Mimir without the chart-deployed query-scheduler warns', () => {
    const f = findings((s) => {
      s['signals'].profiles = { engine: 'pyroscope', environments: { dev: { mode: 'microservices' } } };
    }, 'missing-components');
    assert.ok(f.some((x) => x.severity === 'error' && /pyroscope|Pyroscope store-gateway/.test(x.message) && /queries fail/.test(x.message)), JSON.stringify(f));
    assert.ok(f.some((x) => x.severity === 'warning' && /Mimir query-scheduler/.test(x.message) && /outside the budget/.test(x.message)));
  });
  it('phases: currentPhase above the highest phase the definition uses is an error at environments[i].currentPhase', () => {
    const f = findings((s) => { (s['environments'] as M[])[1]!['currentPhase'] = 2; }, 'phases');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'error');
    assert.equal(f[0]!.path, 'environments[1].currentPhase');
    assert.match(f[0]!.message, /currentPhase 2 is above the highest phase the definition uses \(1\)/);
    assert.deepEqual(findings((s) => { s['signals'].metrics.phase = 2; (s['environments'] as M[])[1]!['currentPhase'] = 2; }, 'phases'), []);
  });
  it('phases: an engine that writes through Kafka before the managed Kafka cluster arrives is an error', () => {
    const f = findings((s) => {
      s['signals'].traces = { engine: 'tempo', environments: { dev: { mode: 'microservices' } } };
      s['kafka'] = { environments: { dev: { phase: 2, brokers: 1 } } };
    }, 'phases');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.path, 'kafka.environments.dev.phase');
    assert.match(f[0]!.message, /Tempo \(traces\) writes through Kafka from phase 1, but the Kafka cluster of dev arrives only in phase 2/);
    assert.deepEqual(findings((s) => {
      s['signals'].traces = { engine: 'tempo', phase: 2, environments: { dev: { mode: 'microservices' } } };
      s['kafka'] = { environments: { dev: { phase: 2, brokers: 1 } } };
    }, 'phases'), []);
  });
});
