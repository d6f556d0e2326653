// The "Add Kafka" runbook's plan (seed 002 Migration Path Phase 1): picked for a compose environment going from
// direct export to a Kafka buffer, with brokers before processors before gateways, its peak resources counting the
// brokers and processors as they come, and refused — with the reason — where `deploy` cannot drain the gateways.
// Its steps are carried out on the real engines in test/e2e/migrate-add-kafka.test.ts.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse, stringify } from 'yaml';

import { loadStack, validateDefinition } from '../../../src/model/load.js';
import { planMigration } from '../../../src/ops/migrate/plan.js';
import { otelstackSync, tempDirs } from '../../support/cli.js';
import { ROOT } from '../../support/paths.js';

const FROM = join(ROOT, 'test/fixtures/migrate/scalable-direct.yaml');
const TO = join(ROOT, 'examples/scalable/stack.yaml');
const tmp = tempDirs('otelstack-add-kafka-');

describe('migrate plan: Add Kafka', () => {
  it('compose, direct → Kafka buffer: brokers, then processors, then the gateways by the rolling deploy, then verify; nothing uncovered', async () => {
    const from = await loadStack(FROM);
    const to = await loadStack(TO);
    const p = planMigration({ fromFile: from.file, fromStack: from.stack, toFile: to.file, toStack: to.stack, env: 'local' });
    assert.equal(p.runbook?.id, 'add-kafka');
    assert.deepEqual(p.runbook.steps.map((s) => [s.id, s.replicas]), [
      ['kafka', { gateway: 2, broker: 3, processor: 0 }],
      ['processors', { gateway: 2, broker: 3, processor: 2 }],
      ['gateways', { gateway: 2, broker: 3, processor: 2 }],
      ['verify', { gateway: 2, broker: 3, processor: 2 }],
    ]);
    assert.deepEqual(p.uncovered, []);
    assert.ok(p.covered.some((d) => d.subject === 'environment' && d.what === 'ingestion'));
    assert.deepEqual(p.findings, [], 'no Mimir zone-awareness finding on an ingestion runbook');
    assert.match(p.runbook.steps[2]!.change.actions!.join(' '), /otelstack deploy <to> --env local --only gateways/);
    // the peak: brokers from step 1, processors from step 2
    const s = p.peak!.states;
    assert.ok(s[1]!.totals.cpuRequestMillicores > s[0]!.totals.cpuRequestMillicores, 'brokers counted at step 1');
    assert.ok(s[2]!.totals.memoryRequestBytes > s[1]!.totals.memoryRequestBytes, 'processors counted at step 2');
    assert.equal(p.peak!.at.cpu, 2);
  });

  it('Kubernetes: refused with the reason (no drain before a StatefulSet restarts a gateway), exit 2 naming it', () => {
    const raw = parse(readFileSync(join(ROOT, 'examples/buffered/stack.yaml'), 'utf8')) as Record<string, any>;
    const direct = structuredClone(raw);
    direct['ingestion'].environments.prod.kafkaBuffer = false;
    delete direct['ingestion'].environments.prod.processor;
    const d = tmp();
    writeFileSync(join(d, 'from.yaml'), stringify(direct));
    const p = planMigration({ fromFile: 'from.yaml', fromStack: validateDefinition('from.yaml', direct), toFile: 'to.yaml', toStack: validateDefinition('to.yaml', raw), env: 'prod' });
    assert.equal(p.runbook, null);
    assert.match(p.refusals.join(), /covers compose environments.*prod is a kubernetes environment/);
    const r = otelstackSync(['migrate', 'plan', join(d, 'from.yaml'), join(ROOT, 'examples/buffered'), '--env', 'prod']);
    assert.equal(r.code, 2, r.out);
    assert.match(r.err, /no runbook covers the change/);
    assert.match(r.err, /covers compose environments/);
  });
});
