/**
 * `npm run bench:pipeline`: the capacity of the rendered collection layer on this machine, on the real collector and
 * Kafka of scripts/peers (bash scripts/peers/install-all.sh otelcol kafka; source scripts/peers/env.sh):
 *  - the rendered single-node gateway (examples/single-node) and, in the same run and on the same sink, seed 002's
 *    sample gateway configuration (bench/fixtures/seed-002-gateway.yaml): the highest sustained spans/s, data
 *    points/s and log records/s of each with zero loss and bounded queues, and their ratio;
 *  - the rendered scalable chain (examples/scalable: gateway → one Kafka broker → processor);
 * then writes the calibration file `plan` sizes pools from (events/s per core per role and signal, the machine, the
 * collector version, the date). The method is in bench/pipeline/measure.ts; figures on a shared machine are noisy,
 * so each step prints the machine's busy cores and how many of them were other processes.
 *
 * Flags (or environment variables):
 *   --out FILE          calibration file to write (BENCH_CALIBRATION_OUT; default ./calibration.json). An existing file
 *                       is replaced only if it is a calibration file (or with --force).
 *   --hold SECONDS      each step's hold (BENCH_STEP_SECONDS; default 3)
 *   --max-steps N       steps per search (BENCH_MAX_STEPS; default 5)
 *   --start-rate N      first offered rate, events/s (BENCH_START_RATE; default 5000)
 *   --signals LIST      traces,metrics,logs (BENCH_SIGNALS; default all)
 *   --pipelines LIST    gateway,seed,chain (BENCH_PIPELINES; default all)
 * Default run: 3 pipelines × 3 signals × ≤5 steps of ~5 s ≈ 4–5 minutes on 2 cores, bounded by the step count.
 */
import { parseArgs } from 'node:util';

import type { Signal } from '../src/ops/otlp/types.js';
import type { PipelineKey } from './pipeline/measure.js';
import { runPipelineBench } from './pipeline/run.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    hold: { type: 'string' },
    'max-steps': { type: 'string' },
    'start-rate': { type: 'string' },
    signals: { type: 'string' },
    pipelines: { type: 'string' },
    force: { type: 'boolean' },
  },
});

function num(flag: string, v: string | undefined, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) {
    console.error(`bench:pipeline: --${flag} must be a number from ${min} to ${max}, got ${JSON.stringify(v)}`);
    process.exit(2);
  }
  return n;
}

function list<T extends string>(flag: string, v: string | undefined, allowed: readonly T[]): T[] | undefined {
  if (v === undefined) return undefined;
  const out = v.split(',').map((x) => x.trim()).filter(Boolean);
  const bad = out.filter((x) => !(allowed as readonly string[]).includes(x));
  if (bad.length || out.length === 0) {
    console.error(`bench:pipeline: --${flag} takes ${allowed.join(',')} (comma-separated), got ${JSON.stringify(v)}`);
    process.exit(2);
  }
  return out as T[];
}

const env = process.env;
const signals = list<Signal>('signals', values.signals ?? env['BENCH_SIGNALS'], ['traces', 'metrics', 'logs']);
const pipelines = list<PipelineKey>('pipelines', values.pipelines ?? env['BENCH_PIPELINES'], ['gateway', 'seed', 'chain']);
try {
  await runPipelineBench({
    out: values.out ?? env['BENCH_CALIBRATION_OUT'] ?? 'calibration.json',
    force: values.force ?? false,
    holdSeconds: num('hold', values.hold ?? env['BENCH_STEP_SECONDS'], 3, 1, 600),
    maxSteps: num('max-steps', values['max-steps'] ?? env['BENCH_MAX_STEPS'], 5, 1, 30),
    startRate: num('start-rate', values['start-rate'] ?? env['BENCH_START_RATE'], 5000, 10, 10_000_000),
    ...(signals ? { signals } : {}),
    ...(pipelines ? { pipelines } : {}),
  });
} catch (e) {
  console.error(`bench:pipeline: ${(e as Error).message}`);
  process.exit(1);
}
