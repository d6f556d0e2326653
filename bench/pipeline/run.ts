// bench:pipeline as a function: start the rig, search each pipeline × signal, print the figures, the comparison
// with seed 002's gateway and the machine's load, and write the calibration file plan reads.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';

import { CALIBRATION_KIND } from '../../src/catalog/capacity.js';
import { engineVersion } from '../../src/catalog/versions.js';
import { formatRate } from '../../src/model/quantity.js';
import type { Signal } from '../../src/ops/otlp/types.js';
import { parseCalibration, type Calibration, type CalibrationRole } from '../../src/plan/calibration.js';
import { killAllTracked } from '../../test/e2e/support/proc.js';
import { SIGNALS, UNIT, searchSustained, startRig, type Pipeline, type PipelineKey, type SearchResult, type StepResult } from './measure.js';

export interface PipelineBenchOptions {
  /** calibration file to write */
  readonly out: string;
  /** overwrite `out` even when it is not a calibration file */
  readonly force?: boolean;
  readonly signals?: readonly Signal[];
  readonly pipelines?: readonly PipelineKey[];
  readonly holdSeconds: number;
  readonly maxSteps: number;
  readonly startRate: number;
  readonly drainTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

export interface PipelineBenchResult {
  readonly searches: readonly SearchResult[];
  readonly calibration: Calibration;
  readonly file: string;
  /** rendered gateway ÷ seed gateway, sustained rate and per-core, per signal (where both were measured) */
  readonly ratios: Partial<Record<Signal, { readonly sustained: number; readonly perCore: number }>>;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function stepLine(p: Pipeline, r: StepResult): string {
  const stages = r.stages.map((s) => `${s.label} ${s.cores.toFixed(2)} cores, ${fmt(s.eventsPerSecondPerCore)}/core, queue ≤${s.peakQueue}${s.peakLag !== undefined ? `, lag ≤${fmt(s.peakLag)}` : ''}`).join('; ');
  const m = r.machine;
  return `  ${p.name.padEnd(38)} ${r.signal.padEnd(7)} offered ${fmt(r.offered).padStart(8)}/s → ${r.sustained ? 'sustained' : 'NOT sustained'} (accepted ${fmt(r.achieved)}/s, lost ${r.lost}, drain ${(r.drainMs / 1000).toFixed(1)} s; ${stages}) [machine: ${m.busyCores.toFixed(2)} cores busy — generator+sink ${m.benchCores.toFixed(2)}, other processes ${m.otherCores.toFixed(2)}; load avg ${m.loadAverage.toFixed(2)}]${r.sustained ? '' : ` — ${r.why.join('; ')}`}`;
}

/** Refuses to replace a file that is not a calibration file (commands never overwrite what they did not write). */
function checkWritable(file: string, force: boolean): void {
  if (!existsSync(file) || force) return;
  try {
    parseCalibration(file, readFileSync(file, 'utf8'));
  } catch {
    throw new Error(`${file} exists and is not a calibration file (kind "${CALIBRATION_KIND}"); not overwriting it — pass --force or another --out`);
  }
}

export async function runPipelineBench(o: PipelineBenchOptions): Promise<PipelineBenchResult> {
  const log = o.log ?? ((l: string) => console.log(l));
  const file = resolve(o.out);
  checkWritable(file, o.force ?? false);
  const signals = o.signals ?? SIGNALS;
  const dir = mkdtempSync(join(os.tmpdir(), 'otelstack-bench-pipeline-'));
  const cpus = os.cpus();
  log(`machine: ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} before the run`);
  log(`steps: ${o.holdSeconds} s held each, at most ${o.maxSteps} per search, from ${fmt(o.startRate)} events/s doubling, then bisecting; traces of 10 spans, 500 items per request, 2 generator threads`);
  const searches: SearchResult[] = [];
  const rig = await startRig({ dir, ...(o.pipelines ? { pipelines: o.pipelines } : {}) });
  try {
    for (const p of rig.pipelines) for (const n of p.notes) log(`  ${p.name}: ${n}`);
    for (const signal of signals) {
      for (const p of rig.pipelines) {
        const r = await searchSustained(rig, p, signal, {
          holdMs: o.holdSeconds * 1000,
          maxSteps: o.maxSteps,
          startRate: o.startRate,
          ...(o.drainTimeoutMs !== undefined ? { drainTimeoutMs: o.drainTimeoutMs } : {}),
          onStep: (s) => log(stepLine(p, s)),
        });
        searches.push(r);
      }
    }
  } finally {
    await rig.stop();
    killAllTracked();
    if (process.env["OTELSTACK_E2E_KEEP"]) console.log(`# kept ${dir}`); else rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  }

  log('');
  log('highest sustained rate (zero loss, bounded queues) on this machine:');
  const by = (k: PipelineKey, s: Signal) => searches.find((x) => x.pipeline === k && x.signal === s);
  const names: Record<PipelineKey, string> = { gateway: 'rendered single-node gateway', seed: "seed 002's sample gateway", chain: 'rendered gateway → Kafka → processor' };
  for (const signal of signals) {
    for (const k of ['gateway', 'seed', 'chain'] as const) {
      const r = by(k, signal);
      if (!r) continue;
      const b = r.best;
      log(`  ${names[k].padEnd(38)} ${signal.padEnd(7)} ${b ? `${fmt(b.offered).padStart(8)} ${UNIT[signal]}/s  (${b.stages.map((s) => `${s.label} ${fmt(s.eventsPerSecondPerCore)} per core`).join(', ')})` : `none sustained from ${fmt(r.steps[r.steps.length - 1]?.offered ?? 0)}/s down`}`);
    }
  }
  const ratios: PipelineBenchResult['ratios'] = {};
  for (const signal of signals) {
    const g = by('gateway', signal)?.best;
    const s = by('seed', signal)?.best;
    if (!g || !s) continue;
    const perCore = g.stages[0]!.eventsPerSecondPerCore / s.stages[0]!.eventsPerSecondPerCore;
    ratios[signal] = { sustained: g.offered / s.offered, perCore };
    log(`  ratio rendered ÷ seed 002 gateway, ${signal}: ${(g.offered / s.offered).toFixed(2)}× sustained rate, ${perCore.toFixed(2)}× per core`);
  }

  // the calibration file: per rendered role and signal, the figures of the highest sustained step
  const roles: Record<string, { config: string; signals: Record<string, { eventsPerSecondPerCore: number; sustainedPerSecond: number; cpuCores: number }> }> = {};
  const configOf: Partial<Record<CalibrationRole, string>> = {
    gateway: 'examples/single-node gateway (rendered)',
    'gateway-kafka': 'examples/scalable gateway (rendered, exports to Kafka)',
    processor: 'examples/scalable processor (rendered, Kafka → backends, tail sampling always)',
  };
  for (const r of searches) {
    if (!r.best) continue;
    for (const st of r.best.stages) {
      if (!st.role || !(st.eventsPerSecondPerCore > 0)) continue;
      const role = (roles[st.role] ??= { config: configOf[st.role] ?? st.role, signals: {} });
      role.signals[r.signal] = { eventsPerSecondPerCore: Math.round(st.eventsPerSecondPerCore), sustainedPerSecond: Math.round(r.best.offered), cpuCores: Number(st.cores.toFixed(3)) };
    }
  }
  const raw = {
    kind: CALIBRATION_KIND,
    version: 1,
    date: new Date().toISOString(),
    machine: { cpus: cpus.length, model: cpus[0]?.model ?? 'unknown', memoryBytes: os.totalmem(), platform: `${os.platform()} ${os.release()}`, node: process.version, loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))) },
    collector: { engine: 'otelcol', version: engineVersion('otelcol') },
    kafka: rig.kafkaVersion ?? null,
    method: `step search: ${o.holdSeconds} s per step, at most ${o.maxSteps} steps from ${o.startRate} events/s; sustained = zero loss, no refusals, ≥95 % of offered accepted, exporter queues < 10 % of capacity, drained within the bound; per core = events ÷ the collector process's CPU seconds`,
    roles,
    comparison: Object.fromEntries(
      signals.map((s) => [s, { rendered: by('gateway', s)?.best?.offered ?? null, seed002: by('seed', s)?.best?.offered ?? null, ratio: ratios[s]?.sustained ?? null, perCoreRatio: ratios[s]?.perCore ?? null }]),
    ),
    steps: searches.flatMap((r) => r.steps.map((s) => ({ pipeline: s.pipeline, signal: s.signal, offered: s.offered, accepted: s.accepted, lost: s.lost, sustained: s.sustained, machine: s.machine, why: s.why }))),
  };
  const calibration = parseCalibration(file, JSON.stringify(raw));
  // all or nothing: a temporary file next to it, then rename
  const tmp = join(dirname(file), `.${Date.now()}-calibration.tmp`);
  writeFileSync(tmp, `${JSON.stringify(raw, null, 2)}\n`);
  renameSync(tmp, file);
  log('');
  log(`calibration written to ${file}: ${Object.entries(roles).map(([r, v]) => `${r} ${Object.entries(v.signals).map(([s, f]) => `${s} ${formatRate(f.eventsPerSecondPerCore).replace('/s', '')}/core`).join(' ')}`).join('; ') || 'nothing sustained'}`);
  log(`  plan reads it with --calibration ${file}, or as calibration.json next to a definition`);
  return { searches, calibration, file, ratios };
}
