// Test 4a/4b (faults without Kafka): examples/single-node's gateway — persistent sending queues on file_storage —
// under steady load of sequence-numbered traces, metrics and logs (a sender that retries 503 / UNAVAILABLE / refused
// connections and records what was acknowledged), with the OTLP sink standing in for the backends.
//  (a) the gateway is killed with SIGKILL while its queues hold acknowledged items the backend refused, then started
//      again on the same queue directory (the definition's persistentQueue.fsync turned on for this test);
//  (b) the backend (the sink) is down for 60 s, then back.
// Each ends with every acknowledged item delivered (lost = 0), duplicates counted and printed, and the collector's own
// metrics showing its queues back at 0 and no enqueue failures.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Stack } from '../../src/model/schema.js';
import { OtlpSink } from '../support/otlp-sink.js';
import { Collector } from './support/collector.js';
import { endFaultTest, queueProblems, settle } from './support/faults.js';
import { SteadyLoad } from './support/load.js';
import { exampleVariant, loopbackInput } from './support/stacks.js';
import { totalOf } from './support/telemetry.js';
import { Setup, makeTempDir } from './support/tmp.js';

const SIGNALS = ['traces', 'metrics', 'logs'] as const;
/** The outage issue 3 asks for. */
const SINK_OUTAGE_MS = 60_000;

describe('e2e faults: single-node gateway with persistent queues', () => {
  let dir: string | undefined;
  const sinks: OtlpSink[] = [];
  const collectors: Collector[] = [];
  const loads: SteadyLoad[] = [];
  const setup = new Setup(async () => {
    dir = makeTempDir('faults-gateway');
    const stack: Stack = exampleVariant('single-node', (raw) => {
      raw['ingestion'].persistentQueue.fsync = true;
    });
    return { dir, stack };
  });
  before(setup.run);
  after(() => endFaultTest({ table: 'fault table (single-node gateway)', dir, loads, collectors, sinks }));

  async function start(name: string): Promise<{ sink: OtlpSink; gateway: Collector; load: SteadyLoad }> {
    const { dir, stack } = setup.get();
    const sink = await OtlpSink.start();
    sinks.push(sink);
    const input = await loopbackInput(stack, 'local', { sink });
    const gateway = await Collector.start({ name, role: 'gateway', input, dir });
    collectors.push(gateway);
    assert.equal((gateway.config['extensions'] as Record<string, { fsync?: boolean }>)['file_storage']?.fsync, true, 'fsync on');
    const load = new SteadyLoad({ endpoint: gateway.otlpHttpEndpoint, signals: SIGNALS });
    loads.push(load);
    return { sink, gateway, load };
  }

  it('(a) gateway kill -9 while its persistent queues hold acknowledged items, then restart: nothing acknowledged is lost', async () => {
    const { sink, gateway, load } = await start('gateway-kill9');
    load.start();
    await load.waitTicks(20, 30_000);
    // the backend refuses: acknowledged items pile up in the persistent queues (on disk, fsync)
    sink.refuse(true);
    await sleep(5000);
    const before = await gateway.queues();
    assert.ok(totalOf(before.queueSize) > 0, `queues hold items before the kill: ${JSON.stringify(before.queueSize)}`);
    assert.equal(totalOf(before.enqueueFailed), 0, 'no enqueue failures before the kill');
    await gateway.kill9();
    await sleep(2000); // the load keeps retrying against a dead port
    await gateway.restart();
    await sleep(2000);
    sink.refuse(false);
    await sleep(5000);
    const r = await settle({ fault: 'gateway kill -9', load, sink, signals: SIGNALS, collectors: [gateway] });
    assert.equal(r.total.lost, 0, `lost acknowledged items: ${r.total.lostSample.join(', ')}`);
    assert.deepEqual(queueProblems(r.queues), []);
    // the sender retried through the dead gateway until the restarted one acknowledged
    assert.equal(r.total.acknowledged, r.total.sent);
  });

  it('(b) backend down for 60 s, then back: the queues hold everything and deliver it', async () => {
    const { sink, gateway, load } = await start('gateway-sink-outage');
    load.start();
    await load.waitTicks(20, 30_000);
    await sink.stop();
    await sleep(SINK_OUTAGE_MS);
    const during = await gateway.queues();
    await sink.start();
    assert.ok(totalOf(during.queueSize) > 0, `queues filled during the outage: ${JSON.stringify(during.queueSize)}`);
    await sleep(5000);
    const r = await settle({ fault: 'sink down 60 s', load, sink, signals: SIGNALS, collectors: [gateway] });
    assert.equal(r.total.lost, 0, `lost acknowledged items: ${r.total.lostSample.join(', ')}`);
    assert.deepEqual(queueProblems(r.queues), []);
    // the gateway kept acknowledging while the backend was away (the queues took the load)
    assert.equal(r.total.acknowledged, r.total.sent);
  });
});
