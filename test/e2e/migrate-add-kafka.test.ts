// Issue 10's "Add Kafka" runbook on the real engines, with load flowing during every step: a real HAProxy (Debian's,
// the product's haproxy.cfg placed on loopback) in front of two real gateway collectors exporting straight to the
// OTLP sink (standing in for Tempo, Mimir and Loki) — the running definition test/fixtures/migrate/scalable-direct.yaml.
// The runbook `migrate plan` computes towards examples/scalable is then carried out step by step: 1. a real Kafka
// with the buffer topics; 2. two real processor collectors on the target config; 3. the gateways switched to the
// Kafka exporter by the product's rolling deploy (planDeploy --only gateways, executeDeploy, the HAProxy runtime
// API) with the test's process manager standing in for Docker. Done when: every acknowledged item reached the sink
// (lost = 0 in the accounting table), ingestion never stopped, and after the cutover the sink is fed by the
// processors through Kafka.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';

import { loadStack } from '../../src/model/load.js';
import type { Stack } from '../../src/model/schema.js';
import { executeDeploy, planDeploy, type ComposeDocument } from '../../src/ops/deploy/index.js';
import { planMigration } from '../../src/ops/migrate/plan.js';
import { renderCompose } from '../../src/render/compose/index.js';
import type { RenderInput } from '../../src/render/types.js';
import { expand } from '../../src/topology/expand.js';
import { LOOPBACK_HOST } from '../../src/topology/loopback.js';
import { OtlpSink } from '../support/otlp-sink.js';
import { ROOT } from '../support/paths.js';
import { Collector } from './support/collector.js';
import { endFaultTest, queueProblems, settle } from './support/faults.js';
import { KafkaCluster } from './support/kafka.js';
import { SteadyLoad } from './support/load.js';
import { collectorProcessManager, startLoadBalancer } from './support/lb.js';
import { ManagedProcess } from './support/proc.js';
import { exampleVariant, loopbackInput } from './support/stacks.js';
import { Setup, makeTempDir } from './support/tmp.js';
import { totalOf } from './support/telemetry.js';

const SIGNALS = ['traces', 'metrics', 'logs'] as const;
const FROM = join(ROOT, 'test/fixtures/migrate/scalable-direct.yaml');

describe('e2e: migrate Add Kafka under load — HAProxy → 2 gateways: direct export → Kafka → 2 processors → sink', () => {
  let dir: string | undefined;
  let kafka: KafkaCluster | undefined;
  let sink: OtlpSink | undefined;
  let haproxy: ManagedProcess | undefined;
  let load: SteadyLoad | undefined;
  const collectors = new Map<string, Collector>();

  const setup = new Setup(async () => {
    dir = makeTempDir('migrate-add-kafka');
    const fromStack = (await loadStack(FROM)).stack;
    // every trace kept (the example samples 10 %): each acknowledged span must arrive
    const toStack: Stack = exampleVariant('scalable', (raw) => {
      raw['ingestion'].sampling.policies = [{ name: 'everything', type: 'always' }];
    });
    const plan = planMigration({ fromFile: FROM, fromStack, toFile: 'examples/scalable', toStack, env: 'local' });
    sink = await OtlpSink.start();
    const fromInput = await loopbackInput(fromStack, 'local', { sink });
    for (const name of ['gateway-0', 'gateway-1']) collectors.set(name, await Collector.start({ name, role: 'gateway', input: fromInput, dir }));
    const lb = await startLoadBalancer(dir, ['gateway-0', 'gateway-1'].map((g) => collectors.get(g)!));
    haproxy = lb.haproxy;
    const api = lb.api;
    return { dir, sink, api, plan, fromInput, toStack, lbHttp: lb.http };
  });
  before(setup.run);
  after(() => endFaultTest({ table: 'migrate add-kafka (HAProxy → gateways → [Kafka → processors] → sink)', dir, loads: [load], collectors: collectors.values(), others: [haproxy && { stop: () => haproxy!.stop({ graceMs: 5000 }) }, kafka], sinks: [sink] }));

  it("carries out the runbook's steps while load flows: lost = 0, ingestion never stops, the sink is fed through Kafka afterwards", async () => {
    const { dir, sink, api, plan, fromInput, toStack, lbHttp } = setup.get();
    const rb = plan.runbook;
    assert.ok(rb, `a runbook: ${JSON.stringify(plan.uncovered)} ${JSON.stringify(plan.refusals)}`);
    assert.equal(rb.id, 'add-kafka');
    assert.deepEqual(rb.steps.map((s) => s.id), ['kafka', 'processors', 'gateways', 'verify']);
    assert.deepEqual(plan.uncovered, []);

    load = new SteadyLoad({ endpoint: `http://${LOOPBACK_HOST}:${lbHttp}`, signals: SIGNALS });
    load.start();
    await load.waitTicks(20, 30_000);
    const ackedAt: Array<[string, number]> = [];
    const mark = (what: string) => ackedAt.push([what, load!.book('traces').acked.size]);
    mark('before');

    // step 1: the brokers and the buffer topics (nothing writes to them yet)
    kafka = await KafkaCluster.start(join(dir, 'kafka'), 1);
    const toInput: RenderInput = await loopbackInput(toStack, 'local', { sink, kafkaPorts: kafka.ports });
    await kafka.createTopics(toInput.topology.kafka!.topics);
    mark('step 1: kafka');

    // step 2: the processors, on the still-empty topics
    for (const name of ['processor-0', 'processor-1']) collectors.set(name, await Collector.start({ name, role: 'processor', input: toInput, dir }));
    mark('step 2: processors');

    // step 3: the gateways onto the Kafka exporter, by the product's rolling deploy
    const composeText = renderCompose({ stack: toStack, topology: expand(toStack, 'local') }).files.get('compose/local/docker-compose.yaml')!;
    const deploy = planDeploy(toInput.topology, parse(composeText) as ComposeDocument, { only: ['gateways'] });
    assert.deepEqual(deploy.units.map((u) => u.service), ['gateway-0', 'gateway-1']);
    const pm = collectorProcessManager(collectors, { next: toInput, previous: fromInput });
    const result = await executeDeploy(deploy, pm, api, { timeouts: { pollMs: 250 } });
    assert.equal(result.ok, true, `deploy aborted: ${JSON.stringify(result.failed)} rollback ${JSON.stringify(result.rollback)}`);
    mark('step 3: gateways');
    await load.waitTicks(load.ticks + 20, 30_000);
    mark('after');
    console.log(ackedAt.map(([w, n]) => `# ${w.padEnd(22)} traces acknowledged so far ${n}`).join('\n'));
    for (let i = 1; i < ackedAt.length; i++) assert.ok(ackedAt[i]![1] > ackedAt[i - 1]![1] || ackedAt[i]![0].startsWith('step 1'), `ingestion went on during ${ackedAt[i]![0]}`);

    for (const g of ['gateway-0', 'gateway-1']) {
      const cfg = readFileSync(collectors.get(g)!.configFile, 'utf8');
      assert.match(cfg, /\n {2}kafka\/traces:\n/, `${g} writes to Kafka`);
      assert.doesNotMatch(cfg, /otlp_grpc\/tempo|otlp_http\/loki/, `${g} no longer exports straight to the engines`);
    }
    const r = await settle({ fault: 'add Kafka (brokers, processors, gateways switched one by one)', load, sink, signals: SIGNALS, collectors: [...collectors.values()] });
    assert.equal(r.total.lost, 0, `lost acknowledged items: ${r.total.lostSample.join(', ')}`);
    assert.equal(r.total.acknowledged, r.total.sent, 'every request was acknowledged: ingestion never stopped');
    assert.deepEqual(queueProblems(r.queues), []);
    // after the cutover the engines are fed by the processor pool (which processor holds which partitions is the
    // consumer group's choice), and the gateways write to Kafka
    const sent = (names: string[]) => names.reduce((n, p) => n + totalOf(r.queues.get(p)!.sent), 0);
    assert.ok(sent(['processor-0', 'processor-1']) > 0, `the processors exported to the sink: ${JSON.stringify([r.queues.get('processor-0'), r.queues.get('processor-1')])}`);
    for (const g of ['gateway-0', 'gateway-1']) {
      const q = r.queues.get(g)!;
      assert.ok(Object.entries(q.sent).some(([exporter, n]) => exporter.startsWith('kafka/') && n > 0), `${g} wrote to Kafka: ${JSON.stringify(q)}`);
    }
  });
});
