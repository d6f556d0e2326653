// Issue 16's done criterion for `otelstack deploy`: a rolling deploy of examples/scalable on the real engines —
// a real HAProxy (Debian's, running the product's haproxy.cfg placed on loopback) balancing OTLP/HTTP over two real
// gateway collectors → a real Kafka (one broker) → two real processor collectors → the OTLP sink standing in for
// Tempo, Mimir and Loki — while SteadyLoad sends sequence-numbered traces, metrics and logs through HAProxy the whole
// time. The product's planner and executor run the deploy; the test's process manager stands in for Docker (it
// stops/starts these processes) and the load balancer is the product's HAProxy runtime API client against the real
// HAProxy. The "new version" of each collector is its config rendered from an edited definition (a bigger
// persistent queue). Done when: every service rolled, every collector runs the new config, and lost = 0 in the
// accounting table.
// Also: `haproxy -c` accepts the haproxy.cfg the compose target renders for the bundled examples.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';

import { loadStack } from '../../src/model/load.js';
import type { Stack } from '../../src/model/schema.js';
import { executeDeploy, formatPlan, planDeploy, type ComposeDocument, type StepRecord } from '../../src/ops/deploy/index.js';
import { renderCompose } from '../../src/render/compose/index.js';
import type { CollectorRole } from '../../src/render/configs/otelcol.js';
import type { RenderInput } from '../../src/render/types.js';
import { expand } from '../../src/topology/expand.js';
import { LOOPBACK_HOST } from '../../src/topology/loopback.js';
import { OtlpSink } from '../support/otlp-sink.js';
import { ROOT } from '../support/paths.js';
import { Collector } from './support/collector.js';
import { printTable, queueProblems, settle } from './support/faults.js';
import { KafkaCluster } from './support/kafka.js';
import { SteadyLoad } from './support/load.js';
import { checkRenderedComposeHaproxy, collectorProcessManager, startLoadBalancer, tcpOpen } from './support/lb.js';
import { ManagedProcess, killAllTracked } from './support/proc.js';
import { exampleVariant, loopbackInput } from './support/stacks.js';
import { Setup, makeTempDir, removeTempDir } from './support/tmp.js';

const SIGNALS = ['traces', 'metrics', 'logs'] as const;
const OLD_QUEUE = 5000;
const NEW_QUEUE = 6000;

describe('e2e: haproxy -c accepts the rendered haproxy.cfg', () => {
  for (const [example, edit] of [['scalable', undefined], ['single-node', (s: Stack) => (s.ingestion!.environments!['local']!.gateway!.replicas = 3)]] as const) {
    it(`${example}${edit ? ' (3 gateways)' : ''}`, async () => {
      const stack = structuredClone((await loadStack(join(ROOT, 'examples', example))).stack);
      edit?.(stack);
      assert.match(checkRenderedComposeHaproxy(stack, 'local'), /^backend gateways_http$/m, 'a haproxy.cfg is rendered');
    });
  }
});

describe('e2e: rolling deploy under load — HAProxy → 2 gateways → Kafka → 2 processors → sink', () => {
  let dir: string | undefined;
  let kafka: KafkaCluster | undefined;
  let sink: OtlpSink | undefined;
  let haproxy: ManagedProcess | undefined;
  let load: SteadyLoad | undefined;
  const collectors = new Map<string, Collector>();

  const setup = new Setup(async () => {
    dir = makeTempDir('deploy-rolling');
    kafka = await KafkaCluster.start(join(dir, 'kafka'), 1);
    // every trace kept (the example samples 10 %): each acknowledged span must arrive
    const variant = (queueSize: number): Stack =>
      exampleVariant('scalable', (raw) => {
        raw['ingestion'].sampling.policies = [{ name: 'everything', type: 'always' }];
        raw['ingestion'].persistentQueue.queueSize = queueSize;
      });
    const oldStack = variant(OLD_QUEUE);
    const newStack = variant(NEW_QUEUE);
    sink = await OtlpSink.start();
    const oldInput = await loopbackInput(oldStack, 'local', { sink, kafkaPorts: kafka.ports });
    await kafka.createTopics(oldInput.topology.kafka!.topics);
    // the new version: the same placement (ports, queue directories), the edited definition
    const newInput: RenderInput = { stack: newStack, topology: { ...oldInput.topology } };
    for (const name of ['processor-0', 'processor-1', 'gateway-0', 'gateway-1']) {
      const role = name.split('-')[0] as CollectorRole;
      collectors.set(name, await Collector.start({ name, role, input: oldInput, dir }));
    }

    const lb = await startLoadBalancer(dir, ['gateway-0', 'gateway-1'].map((g) => collectors.get(g)!));
    haproxy = lb.haproxy;
    const api = lb.api;

    // the plan: the loopback topology (one broker here) and the compose file the definition renders (service names,
    // grace periods, probes)
    const composeText = renderCompose({ stack: newStack, topology: expand(newStack, 'local') }).files.get('compose/local/docker-compose.yaml')!;
    const plan = planDeploy(oldInput.topology, parse(composeText) as ComposeDocument);
    return { dir, kafka, sink, api, plan, oldInput, newInput, lbHttp: lb.http };
  });
  before(setup.run);
  after(async () => {
    await load?.close().catch(() => undefined);
    for (const c of collectors.values()) await c.stop().catch(() => undefined);
    await haproxy?.stop({ graceMs: 5000 }).catch(() => undefined);
    await kafka?.stop().catch(() => undefined);
    await sink?.stop();
    killAllTracked();
    printTable('rolling deploy (HAProxy → gateways → Kafka → processors)');
    removeTempDir(dir);
  });

  it('every service rolls one at a time while load flows, each collector ends on the new config, lost = 0', async () => {
    const { kafka, sink, api, plan, oldInput, newInput, lbHttp } = setup.get();
    console.log(formatPlan(plan).map((l) => `# ${l}`).join('\n'));
    assert.deepEqual(plan.units.map((u) => u.service), ['gateway-0', 'gateway-1', 'processor-0', 'processor-1', 'kafka-0', 'tempo', 'mimir', 'loki', 'grafana-0', 'grafana-1']);
    // Grafana is not part of this test's world (no Grafana binary here): roll everything up to the engines
    const rolled = { ...plan, units: plan.units.filter((u) => u.phase !== 'grafana'), steps: plan.steps.filter((s) => !s.service.startsWith('grafana')) };

    const calls: string[] = [];
    // the test's process manager: the real processes of this test in place of Docker's containers
    const pm = collectorProcessManager(
      collectors,
      { next: newInput, previous: oldInput },
      {
        async stop(service) {
          if (service.startsWith('kafka-')) await kafka.stopNode(Number(service.split('-')[1]) + 1);
          else await sink.stop(); // the sink stands in for tempo, mimir and loki
        },
        async start(service) {
          if (service.startsWith('kafka-')) await kafka.startNode(Number(service.split('-')[1]) + 1);
          else await sink.start();
        },
        async healthy(service) {
          if (service.startsWith('kafka-')) return tcpOpen(kafka.ports[Number(service.split('-')[1])]!);
          return sink.running;
        },
      },
      calls,
    );

    load = new SteadyLoad({ endpoint: `http://${LOOPBACK_HOST}:${lbHttp}`, signals: SIGNALS });
    load.start();
    await load.waitTicks(30, 30_000);
    // acknowledged traces at each step: the load must keep being acknowledged while a gateway is out of rotation
    const ackedAt: { step: StepRecord; acked: number }[] = [];
    const result = await executeDeploy(rolled, pm, api, { timeouts: { pollMs: 250 }, onStep: (step) => ackedAt.push({ step, acked: load!.book('traces').acked.size }) });
    for (const { step, acked } of ackedAt) console.log(`# step ${String(step.n).padStart(2)} ${step.action.padEnd(12)} ${step.service.padEnd(12)} ${step.ok ? 'ok' : 'FAILED'} ${(step.ms / 1000).toFixed(1)} s, traces acknowledged so far ${acked}${step.detail ? ` (${step.detail})` : ''}`);
    assert.equal(result.ok, true, `deploy aborted: ${JSON.stringify(result.failed)} rollback ${JSON.stringify(result.rollback)}`);
    assert.deepEqual(result.deployed, rolled.units.map((u) => u.service));
    await load.waitTicks(load.ticks + 20, 30_000); // and still flowing after the last step

    for (const g of ['gateway-0', 'gateway-1']) {
      const drained = ackedAt.find((a) => a.step.service === g && a.step.action === 'drain')!;
      const up = ackedAt.find((a) => a.step.service === g && a.step.action === 'wait-lb-up')!;
      assert.ok(up.acked > drained.acked, `load was acknowledged while ${g} was out of rotation (${drained.acked} → ${up.acked})`);
    }
    assert.deepEqual(calls.filter((c) => c.includes('previous')), [], 'no rollback');
    for (const [name, c] of collectors) {
      assert.ok(c.running, `${name} runs`);
      assert.match(readFileSync(c.configFile, 'utf8'), new RegExp(`queue_size: ${NEW_QUEUE}\\b`), `${name} runs the new config`);
    }
    const servers = await api.servers();
    assert.ok(servers.every((s) => s.status.startsWith('UP')), `every gateway back in rotation: ${JSON.stringify(servers)}`);

    const r = await settle({ fault: 'rolling deploy (gateways, processors, broker, engine stand-ins)', load, sink, signals: SIGNALS, collectors: [...collectors.values()] });
    assert.equal(r.total.lost, 0, `lost acknowledged items: ${r.total.lostSample.join(', ')}`);
    assert.equal(r.total.acknowledged, r.total.sent, 'every request was acknowledged: ingestion never stopped');
    assert.deepEqual(queueProblems(r.queues), []);
  });
});
