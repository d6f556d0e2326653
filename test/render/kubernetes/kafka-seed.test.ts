import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { expand } from '../../../src/topology/expand.js';
import { toLoopback, topologyAuthorities } from '../../../src/topology/loopback.js';
import { withStack } from './inspect.js';
import { exampleStack, renderAll } from './support.js';

type Values = Record<string, any>;

// Tempo's ingest.kafka.address and Mimir's ingest_storage.kafka.address are ONE seed broker for franz-go: real
// Tempo 3.0.1 given "a:9092,b:9092" looks the whole string up as one host and never reaches Kafka.
describe('engines that take one Kafka seed broker get one address', async () => {
  const stack = await exampleStack();
  const { files } = renderAll(stack);

  it('Tempo and Mimir values name one broker address, the managed Kafka\'s headless Service', () => {
    let seen = 0;
    for (const e of stack.environments) {
      const t = expand(stack, e.name);
      if (!t.kafka) continue;
      const tempo = parse(files.get(`kubernetes/${e.name}/values/tempo.yaml`) ?? '{}') as Values;
      const mimir = parse(files.get(`kubernetes/${e.name}/values/mimir.yaml`) ?? '{}') as Values;
      for (const address of [tempo['ingest']?.['kafka']?.['address'], mimir['mimir']?.['structuredConfig']?.['ingest_storage']?.['kafka']?.['address']]) {
        if (address === undefined) continue;
        seen++;
        assert.doesNotMatch(address, /,/, `${e.name}: ${address}`);
        assert.equal(address, `kafka.${e.namespace}.svc.cluster.local:9092`);
      }
      assert.equal(t.kafka.bootstrap.split(',').length, t.kafka.brokers, 'the list keeps every broker for list-taking clients');
    }
    assert.ok(seen > 0, 'the example writes Tempo or Mimir through Kafka somewhere');
  });

  it('an external bootstrap list gives its first broker as the seed; loopback maps the seed too', () => {
    const env = stack.environments.find((e) => expand(stack, e.name).kafka)!;
    const ext = withStack(stack, (s) => {
      const k = (s.kafka as any).environments[env.name];
      k.managed = false;
      k.bootstrap = 'b1.example:9092, b2.example:9092';
    });
    const t = expand(ext, env.name);
    assert.equal(t.kafka!.seed, 'b1.example:9092');
    const base = expand(stack, env.name);
    const ports = Object.fromEntries(topologyAuthorities(base).map((a, i) => [a, 20000 + i]));
    assert.equal(toLoopback(base, { ports, kafkaPorts: [19092, 19093] }).kafka!.seed, '127.0.0.1:19092');
    const mapped = toLoopback(base, { ports });
    assert.equal(mapped.kafka!.seed, mapped.kafka!.bootstrap.split(',')[0]);
    assert.match(mapped.kafka!.seed, /^127\.0\.0\.1:2\d{4}$/);
  });
});
