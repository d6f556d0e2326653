// bench:pipeline's measurement machinery (bench/pipeline/) on the real collector, for one tiny step per signal: the
// rendered single-node gateway and seed 002's sample gateway behind the OTLP sink. Not a timed assertion — it
// checks that the machinery runs end to end: every step accounts for what it sent (nothing the gateway accepted is
// lost at a rate far below this machine's capacity), the seed's config needed exactly the changes the bench prints,
// and the calibration file it writes is one `plan` reads, with positive per-core figures for the gateway role.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { runPipelineBench, type PipelineBenchResult } from '../../bench/pipeline/run.js';
import { calibrationBasis, parseCalibration } from '../../src/plan/calibration.js';
import { killAllTracked } from './support/proc.js';
import { Setup, makeTempDir, removeTempDir } from './support/tmp.js';

describe('e2e bench:pipeline machinery: one small step per signal through the rendered and the seed gateway', () => {
  let dir: string | undefined;
  const lines: string[] = [];
  const setup = new Setup(async (): Promise<PipelineBenchResult> => {
    dir = makeTempDir('bench-pipeline');
    return runPipelineBench({
      out: join(dir, 'calibration.json'),
      pipelines: ['gateway', 'seed'],
      holdSeconds: 1,
      maxSteps: 1,
      startRate: 300,
      log: (l) => lines.push(l),
    });
  });
  before(setup.run);
  after(() => {
    killAllTracked();
    removeTempDir(dir);
  });

  it('every step loses nothing the gateway accepted, for both configurations and all three signals', () => {
    const r = setup.get();
    assert.equal(r.searches.length, 6);
    for (const s of r.searches) {
      const step = s.steps[0]!;
      assert.ok(step.accepted > 0, `${s.pipeline} ${s.signal}: the gateway accepted something`);
      assert.equal(step.lost, 0, `${s.pipeline} ${s.signal}: ${step.why.join('; ')}`);
      assert.ok(step.delivered >= step.accepted);
    }
  });

  it("seed 002's gateway ran with its memory_limiter and batch settings, plus the check_interval the collector demands", () => {
    const notes = lines.filter((l) => l.includes("seed 002's sample gateway:"));
    assert.ok(notes.some((l) => /check_interval: 1s added — the real collector refuses the seed's text: .*check_interval/.test(l)), notes.join('\n'));
    assert.ok(notes.some((l) => /exporters\.kafka\/traces \(Kafka\) → otlp_grpc\/sink-traces/.test(l)));
  });

  it('writes a calibration file plan reads: the machine, the collector version, positive per-core figures', () => {
    const r = setup.get();
    const c = parseCalibration(r.file, readFileSync(r.file, 'utf8'));
    assert.equal(c.collector.engine, 'otelcol');
    assert.match(c.collector.version, /^\d+\.\d+\.\d+$/);
    assert.ok(c.machine.cpus > 0 && c.machine.model.length > 0);
    assert.ok(!Number.isNaN(Date.parse(c.date)));
    const gw = c.roles.gateway;
    assert.ok(gw, 'the gateway role was measured');
    for (const s of ['traces', 'metrics', 'logs'] as const) {
      const f = gw.signals[s];
      assert.ok(f && f.eventsPerSecondPerCore > 0 && f.sustainedPerSecond > 0, `gateway ${s}: ${JSON.stringify(f)}`);
    }
    // the seed config is a comparison, never a role
    assert.equal(c.roles['gateway-kafka'], undefined);
    assert.equal(calibrationBasis(r.file, c).perCore('gateway', 'traces').source, 'calibration');
  });

  it('refuses to overwrite a file that is not a calibration file', async () => {
    const other = join(dir!, 'notes.json');
    writeFileSync(other, '{"mine": true}\n');
    await assert.rejects(runPipelineBench({ out: other, pipelines: ['gateway'], holdSeconds: 1, maxSteps: 1, startRate: 100, log: () => undefined }), /is not a calibration file .*; not overwriting it/);
    assert.equal(readFileSync(other, 'utf8'), '{"mine": true}\n');
  });
});

// The gateway → Kafka → processor chain at a rate where the exporter's batches grow large: with item-sized batches
// (16384 log records) the kafka exporter built records over producer.max_message_bytes and dropped them as a
// permanent error — 73 000 of 100 000 accepted log records lost at 20 000/s. Batches sized by bytes under the
// largest record (src/catalog/kafka.ts) must lose nothing. Asserts the accounting, not the rate.
describe('e2e gateway → Kafka → processor: large batches never become records the kafka exporter drops', () => {
  let dir: string | undefined;
  const setup = new Setup(async (): Promise<PipelineBenchResult> => {
    dir = makeTempDir('bench-chain');
    return runPipelineBench({ out: join(dir, 'calibration.json'), pipelines: ['chain'], signals: ['logs'], holdSeconds: 4, maxSteps: 1, startRate: 20_000, log: () => undefined });
  });
  before(setup.run);
  after(() => {
    killAllTracked();
    removeTempDir(dir);
  });

  it('every log record the gateway accepted at 20 000/s reaches the sink through Kafka', () => {
    const [search] = setup.get().searches;
    const step = search!.steps[0]!;
    assert.ok(step.accepted > 0, 'the gateway accepted something');
    assert.equal(step.lost, 0, step.why.join('; '));
  });
});
