// The measurement machinery of `npm run bench:pipeline`: pipelines of real collectors (the rendered single-node
// gateway, seed 002's sample gateway, the rendered gateway → Kafka → processor chain) in front of one OTLP sink, a
// step of offered load through one of them (src/ops/load), and a step search for the highest rate each sustains.
//
// A step offers `rate` events/s of one signal for `holdMs`, then waits for what the gateway accepted to reach the
// sink. It is SUSTAINED when: nothing the gateway accepted is lost (sink count ≥ accepted after the drain wait),
// the gateway accepted everything offered (no refusals, ≥ 95 % of the offered rate), every exporter queue stayed
// under 10 % of its capacity (otelcol_exporter_queue_size / _capacity, src/catalog/metrics.ts), and the backlog was
// gone within the pipeline's drain bound after the hold (a queue or a Kafka consumer lag that grows with the hold
// takes longer). Per-core figures divide what each collector handled by the CPU time of its own process
// (/proc/<pid>/stat utime + stime) from the start of the step to the end of the drain, so a machine shared with
// other work still yields a per-core figure; the machine's other load during the step is printed beside it.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { COLLECTOR_METRICS, OTELCOL_KAFKA_METRICS } from '../../src/catalog/metrics.js';
import { runLoad, type LoadReport } from '../../src/ops/load/index.js';
import type { Signal } from '../../src/ops/otlp/types.js';
import type { CalibrationRole } from '../../src/plan/calibration.js';
import { Collector } from '../../test/e2e/support/collector.js';
import { KafkaCluster } from '../../test/e2e/support/kafka.js';
import { otelcolBin } from '../../test/e2e/support/peers.js';
import { exampleVariant, loadExample, loopbackInput } from '../../test/e2e/support/stacks.js';
import type { Sample } from '../../test/e2e/support/telemetry.js';
import { OtlpSink } from '../../test/support/otlp-sink.js';
import { seedGatewayConfig, validateWith } from './seed-gateway.js';

const NAMES = COLLECTOR_METRICS.otelcol;
export const SIGNALS: readonly Signal[] = ['traces', 'metrics', 'logs'];
export const UNIT: Record<Signal, string> = { traces: 'spans', metrics: 'data points', logs: 'log records' };

/** Spans per generated trace: a root and 9 children (depth 2, fan-out 9), as bench:load sends. */
const TRACE_DEPTH = 2;
const TRACE_FAN_OUT = 9;
export const SPANS_PER_TRACE = 1 + TRACE_FAN_OUT;

const CLK_TCK = 100; // USER_HZ on Linux (sysconf(_SC_CLK_TCK)); /proc/<pid>/stat counts in it

/** CPU seconds (user + system) of one process so far; undefined when it is gone. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after "(comm)": state is field 3, utime 14, stime 15 (proc(5))
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[14 - 3]) + Number(rest[15 - 3])) / CLK_TCK;
  } catch {
    return undefined;
  }
}

/** Busy CPU seconds of the whole machine (every core: total − idle − iowait of /proc/stat's first line). */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = line.slice(0, 8).reduce((a, b) => a + b, 0);
  return (total - (line[3] ?? 0) - (line[4] ?? 0)) / CLK_TCK;
}

/** The OTLP sink as the backend of every pipeline, counting per signal and forgetting the items (flat memory). */
export class CountingSink {
  private readonly totals: Record<Signal, number> = { traces: 0, metrics: 0, logs: 0 };
  private timer: NodeJS.Timeout | undefined;
  private constructor(readonly sink: OtlpSink) {}

  static async start(): Promise<CountingSink> {
    const s = new CountingSink(await OtlpSink.start());
    s.timer = setInterval(() => s.fold(), 100);
    return s;
  }

  private fold(): void {
    for (const sig of SIGNALS) this.totals[sig] += this.sink.count(sig);
    this.sink.reset();
  }

  /** Items received so far for a signal. */
  count(signal: Signal): number {
    this.fold();
    return this.totals[signal];
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sink.stop();
  }
}

export interface Stage {
  /** the calibration role this collector measures; undefined for a comparison-only config */
  readonly role: CalibrationRole | undefined;
  readonly label: string;
  readonly collector: Collector;
}

export type PipelineKey = 'gateway' | 'seed' | 'chain';

export interface Pipeline {
  readonly key: PipelineKey;
  readonly name: string;
  /** what ran, for the calibration file */
  readonly config: string;
  readonly entry: Collector;
  readonly stages: readonly Stage[];
  /** after the hold, every accepted item must be at the sink within this (queues and lag bounded) */
  drainBoundMs(signal: Signal): number;
  /** lines the bench prints about the config (e.g. what the seed config needed changed) */
  readonly notes: readonly string[];
  /** other processes of the pipeline (Kafka brokers), for the machine-load split */
  otherPids(): number[];
}

export interface Rig {
  readonly sink: CountingSink;
  readonly pipelines: readonly Pipeline[];
  readonly kafkaVersion?: string;
  stop(): Promise<void>;
}

export interface RigOptions {
  readonly dir: string;
  /** which pipelines to start; default all three */
  readonly pipelines?: readonly PipelineKey[];
}

/** Starts the sink, the collectors and (for the chain) a one-broker Kafka. Stops what it started if any start fails. */
export async function startRig(o: RigOptions): Promise<Rig> {
  const want = new Set(o.pipelines ?? ['gateway', 'seed', 'chain']);
  const started: Array<{ stop(): Promise<unknown> }> = [];
  const sink = await CountingSink.start();
  started.push(sink);
  const pipelines: Pipeline[] = [];
  const stopAll = async () => {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
  };
  try {
    const bin = otelcolBin();
    const single = await loopbackInput(await loadExample('single-node'), 'local', { sink: sink.sink });
    if (want.has('gateway')) {
      const gw = await Collector.start({ name: 'single-gateway', role: 'gateway', input: single, dir: o.dir });
      started.push(gw);
      pipelines.push({
        key: 'gateway',
        name: 'rendered single-node gateway',
        config: 'examples/single-node (env local) gateway, rendered, on loopback',
        entry: gw,
        stages: [{ role: 'gateway', label: 'gateway', collector: gw }],
        drainBoundMs: () => 3000,
        notes: [],
        otherPids: () => [],
      });
    }
    if (want.has('seed')) {
      // placed like the rendered gateway (its own ports): render one for the placement, then swap the config
      let derived: ReturnType<typeof seedGatewayConfig> | undefined;
      const seed = await Collector.start({
        name: 'seed-gateway',
        role: 'gateway',
        input: single,
        dir: o.dir,
        env: {},
        adjust: (rendered) => {
          derived = seedGatewayConfig(rendered, validateWith(bin));
          return derived.config;
        },
      });
      started.push(seed);
      pipelines.push({
        key: 'seed',
        name: "seed 002's sample gateway",
        config: 'bench/fixtures/seed-002-gateway.yaml (seed 002 "OTel Collector Gateway Pool"), exporters to the sink',
        entry: seed,
        stages: [{ role: undefined, label: 'gateway', collector: seed }],
        drainBoundMs: () => 3000,
        notes: derived?.changes ?? [],
        otherPids: () => [],
      });
    }
    let kafkaVersion: string | undefined;
    if (want.has('chain')) {
      const kafka = await KafkaCluster.start(join(o.dir, 'kafka'), 1);
      started.push(kafka);
      // the scalable example with one change: every trace is sampled, after 1 s (its 10 % baseline would drop most
      // load and its 10 s decision_wait would hold every step's traces past the drain bound)
      const stack = exampleVariant('scalable', (raw) => {
        raw['ingestion'].sampling = { decisionWait: '1s', policies: [{ name: 'everything', type: 'always' }] };
      });
      const input = await loopbackInput(stack, 'local', { sink: sink.sink, kafkaPorts: kafka.ports });
      await kafka.createTopics(input.topology.kafka!.topics);
      const processor = await Collector.start({ name: 'chain-processor', role: 'processor', input, dir: o.dir });
      started.push(processor);
      const gateway = await Collector.start({ name: 'chain-gateway', role: 'gateway', input, dir: o.dir });
      started.push(gateway);
      kafkaVersion = 'one broker on loopback (scripts/peers/kafka-run.sh)';
      pipelines.push({
        key: 'chain',
        name: 'rendered gateway → Kafka → processor',
        config: 'examples/scalable (env local; sampling: always, decisionWait 1s), gateway and processor rendered, one Kafka broker',
        entry: gateway,
        stages: [
          { role: 'gateway-kafka', label: 'gateway', collector: gateway },
          { role: 'processor', label: 'processor', collector: processor },
        ],
        // traces wait for the tail sampler's decision (decision_wait 1 s, decided on its 1 s tick) on top of the hops
        drainBoundMs: (s) => (s === 'traces' ? 8000 : 5000),
        notes: [],
        otherPids: () => [kafka.nodePid(1)].filter((p): p is number => p !== undefined),
      });
    }
    return { sink, pipelines, ...(kafkaVersion ? { kafkaVersion } : {}), stop: stopAll };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

export interface StageFigures {
  readonly role: CalibrationRole | undefined;
  readonly label: string;
  readonly cpuSeconds: number;
  /** average cores of the collector over the step (start → drained) */
  readonly cores: number;
  readonly eventsPerSecondPerCore: number;
  /** largest otelcol_exporter_queue_size summed over its exporters, and their capacity */
  readonly peakQueue: number;
  readonly queueCapacity: number;
  /** largest Kafka consumer lag (records, summed over partitions), processors only */
  readonly peakLag?: number;
}

export interface StepResult {
  readonly pipeline: PipelineKey;
  readonly signal: Signal;
  /** offered events/s (spans, data points, log records) */
  readonly offered: number;
  readonly holdMs: number;
  readonly sent: number;
  readonly accepted: number;
  readonly refused: number;
  readonly delivered: number;
  readonly lost: number;
  /** accepted events/s over the hold */
  readonly achieved: number;
  /** hold end → every accepted item at the sink (or the drain timeout) */
  readonly drainMs: number;
  readonly stages: readonly StageFigures[];
  /** the machine during the step: busy cores in all; of them the pipeline's processes and this one (ourCores), this process alone (benchCores: the load generator and the sink), other processes; 1-min load average */
  readonly machine: { readonly busyCores: number; readonly ourCores: number; readonly benchCores: number; readonly otherCores: number; readonly loadAverage: number };
  readonly sustained: boolean;
  /** why not, when not */
  readonly why: readonly string[];
}

export interface StepOptions {
  readonly holdMs: number;
  /** bound on the drain wait of a step that does not drain (then its rest counts as lost); default 20 s */
  readonly drainTimeoutMs?: number;
}

function sumSamples(samples: readonly Sample[], name: string): number {
  return samples.filter((s) => s.name === name).reduce((a, s) => a + s.value, 0);
}

/** Offers `rate` events/s of `signal` to the pipeline's gateway for the hold; measures what came out. */
export async function runStep(rig: Rig, p: Pipeline, signal: Signal, rate: number, o: StepOptions): Promise<StepResult> {
  const before = rig.sink.count(signal);
  const pids = p.stages.map((s) => s.collector.pid);
  const cpu0 = pids.map((pid) => processCpuSeconds(pid) ?? 0);
  const others0 = p.otherPids().map((pid) => processCpuSeconds(pid) ?? 0);
  const self0 = process.cpuUsage();
  const busy0 = machineBusySeconds();
  const t0 = performance.now();
  const peaks = p.stages.map(() => ({ queue: 0, capacity: 0, lag: 0, lagSeen: false }));
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      await Promise.all(
        p.stages.map(async (s, i) => {
          try {
            const samples = await s.collector.samples();
            const pk = peaks[i]!;
            pk.queue = Math.max(pk.queue, sumSamples(samples, NAMES.exporterQueueSize));
            pk.capacity = Math.max(pk.capacity, sumSamples(samples, NAMES.exporterQueueCapacity));
            pk.lag = Math.max(pk.lag, sumSamples(samples, OTELCOL_KAFKA_METRICS.receiverOffsetLag));
            pk.lagSeen ||= samples.some((x) => x.name === OTELCOL_KAFKA_METRICS.receiverOffsetLag);
          } catch {
            /* a scrape that times out under load: the next one counts */
          }
        }),
      );
      await sleep(500);
    }
  })();
  let report: LoadReport;
  try {
    report = await runLoad({
      endpoint: p.entry.otlpGrpcEndpoint,
      protocol: 'grpc',
      headers: {},
      compression: 'none',
      insecure: true,
      signals: [signal],
      rates: { traces: 0, metrics: 0, logs: 0, [signal]: signal === 'traces' ? rate / SPANS_PER_TRACE : rate },
      durationMs: o.holdMs,
      workers: 2,
      concurrency: 16,
      batchSize: 500,
      shape: { depth: TRACE_DEPTH, fanOut: TRACE_FAN_OUT, attributes: 3, errorRatio: 0 },
      timeoutMs: 10_000,
    });
  } finally {
    // queues are judged over the hold; the drain below empties them
    sampling = false;
    await sampler;
  }
  const s = report.signals[signal]!;
  const holdEnd = performance.now();
  const drainTimeout = o.drainTimeoutMs ?? 20_000;
  let delivered = rig.sink.count(signal) - before;
  while (delivered < s.accepted && performance.now() - holdEnd < drainTimeout) {
    await sleep(50);
    delivered = rig.sink.count(signal) - before;
  }
  const drainMs = performance.now() - holdEnd;
  const wallS = (performance.now() - t0) / 1000;
  const cpu1 = pids.map((pid) => processCpuSeconds(pid) ?? 0);
  const others1 = p.otherPids().map((pid) => processCpuSeconds(pid) ?? 0);
  const self = process.cpuUsage(self0);
  const busy = machineBusySeconds() - busy0;
  const ours = cpu1.reduce((a, c, i) => a + c - cpu0[i]!, 0) + others1.reduce((a, c, i) => a + c - (others0[i] ?? 0), 0) + (self.user + self.system) / 1e6;
  const stages: StageFigures[] = p.stages.map((st, i) => {
    const cpuSeconds = cpu1[i]! - cpu0[i]!;
    const pk = peaks[i]!;
    return {
      role: st.role,
      label: st.label,
      cpuSeconds,
      cores: cpuSeconds / wallS,
      eventsPerSecondPerCore: cpuSeconds > 0 ? Math.min(delivered, s.accepted) / cpuSeconds : 0,
      peakQueue: pk.queue,
      queueCapacity: pk.capacity,
      ...(pk.lagSeen ? { peakLag: pk.lag } : {}),
    };
  });
  const lost = Math.max(0, s.accepted - delivered);
  const achieved = s.accepted / (o.holdMs / 1000);
  const why: string[] = [];
  if (lost > 0) why.push(`${lost} accepted ${UNIT[signal]} never reached the sink`);
  if (s.rejected > 0 || s.failedRequests > 0) why.push(`the gateway refused ${s.rejected} ${UNIT[signal]} (${s.failedRequests} requests${s.lastError ? `: ${s.lastError}` : ''})`);
  if (achieved < 0.95 * rate) why.push(`only ${Math.round(achieved)}/s of ${Math.round(rate)}/s offered were accepted`);
  for (const st of stages) {
    if (st.queueCapacity > 0 && st.peakQueue > 0.1 * st.queueCapacity) why.push(`${st.label} exporter queues reached ${st.peakQueue} of ${st.queueCapacity}`);
  }
  if (lost === 0 && drainMs > p.drainBoundMs(signal)) why.push(`the backlog took ${(drainMs / 1000).toFixed(1)} s to drain (bound ${(p.drainBoundMs(signal) / 1000).toFixed(1)} s)`);
  return {
    pipeline: p.key,
    signal,
    offered: rate,
    holdMs: o.holdMs,
    sent: s.sent,
    accepted: s.accepted,
    refused: s.rejected,
    delivered,
    lost,
    achieved,
    drainMs,
    stages,
    machine: { busyCores: busy / wallS, ourCores: ours / wallS, benchCores: (self.user + self.system) / 1e6 / wallS, otherCores: Math.max(0, busy - ours) / wallS, loadAverage: os.loadavg()[0] ?? 0 },
    sustained: why.length === 0,
    why,
  };
}

/** Waits (bounded) until the sink stops receiving and every exporter queue of the pipeline is empty. */
export async function settle(rig: Rig, p: Pipeline, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last = SIGNALS.map((s) => rig.sink.count(s)).join();
  while (performance.now() < deadline) {
    await sleep(500);
    const now = SIGNALS.map((s) => rig.sink.count(s)).join();
    let queued = 0;
    for (const st of p.stages) {
      try {
        queued += sumSamples(await st.collector.samples(), NAMES.exporterQueueSize);
      } catch {
        queued += 1;
      }
    }
    if (now === last && queued === 0) return;
    last = now;
  }
}

export interface SearchOptions extends StepOptions {
  /** first offered rate, events/s */
  readonly startRate: number;
  /** most steps per search */
  readonly maxSteps: number;
  /** stop refining once the failing rate is within this factor of the sustained one; default 1.25 */
  readonly resolution?: number;
  readonly onStep?: (r: StepResult) => void;
}

export interface SearchResult {
  readonly pipeline: PipelineKey;
  readonly signal: Signal;
  /** the highest sustained step, if any */
  readonly best?: StepResult;
  readonly steps: readonly StepResult[];
}

/**
 * Doubles the offered rate while steps are sustained, then bisects between the highest sustained and the lowest
 * failed rate; a failing first step halves instead. At most maxSteps steps.
 */
export async function searchSustained(rig: Rig, p: Pipeline, signal: Signal, o: SearchOptions): Promise<SearchResult> {
  const steps: StepResult[] = [];
  let best: StepResult | undefined;
  let lowestFail: number | undefined;
  let rate = o.startRate;
  for (let i = 0; i < o.maxSteps; i++) {
    const r = await runStep(rig, p, signal, rate, o);
    steps.push(r);
    o.onStep?.(r);
    if (r.sustained) {
      if (!best || r.offered > best.offered) best = r;
    } else {
      lowestFail = lowestFail === undefined ? r.offered : Math.min(lowestFail, r.offered);
      await settle(rig, p);
    }
    if (best && lowestFail !== undefined && lowestFail / best.offered <= (o.resolution ?? 1.25)) break;
    rate = lowestFail === undefined ? rate * 2 : best ? (best.offered + lowestFail) / 2 : rate / 2;
    rate = Math.round(rate);
  }
  return { pipeline: p.key, signal, ...(best ? { best } : {}), steps };
}
