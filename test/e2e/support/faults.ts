// What every fault test does after its fault: stop the load, wait (bounded) until every acknowledged item reached the
// sink and every collector's exporter queues are back at 0, then count — sent, acknowledged, delivered, duplicates,
// lost — and print the row. Duplicates are counted and reported, never filtered out.
import type { Signal } from '../../../src/ops/otlp/index.js';
import type { OtlpSink } from '../../support/otlp-sink.js';
import type { Collector } from './collector.js';
import { account, allAckedDelivered, formatRows, totalRow, type FaultRow, type SteadyLoad } from './load.js';
import { killAllTracked, waitUntil } from './proc.js';
import { totalOf, type QueueState } from './telemetry.js';
import { removeTempDir } from './tmp.js';

export interface SettleResult {
  readonly rows: readonly FaultRow[];
  readonly total: FaultRow;
  /** every collector's queues after draining (name → state) */
  readonly queues: ReadonlyMap<string, QueueState>;
  /** whether every acknowledged item arrived within the wait */
  readonly complete: boolean;
}

/** Rows printed by this test file, for the table its after() prints. */
const printed: FaultRow[] = [];

export function printRows(rows: readonly FaultRow[]): void {
  printed.push(...rows);
  for (const line of formatRows(rows)) console.log(`# fault-row ${line}`);
}

/** The whole table of this file (after()). */
export function printTable(title: string): void {
  if (printed.length === 0) return;
  console.log(`# ${title}`);
  for (const line of formatRows(printed)) console.log(`#   ${line}`);
}

/** What a fault test started, for its after(): stopped in the order of the fields. */
export interface FaultTeardown {
  /** the title of the table printed at the end */
  readonly table: string;
  readonly dir: string | undefined;
  readonly loads?: Iterable<SteadyLoad | undefined>;
  readonly collectors?: Iterable<Collector>;
  /** stopped after the collectors, in order (a load balancer, the Kafka cluster) */
  readonly others?: ReadonlyArray<{ stop(): Promise<unknown> } | undefined>;
  readonly sinks?: Iterable<OtlpSink | undefined>;
}

/**
 * A fault test's after(): the loads closed, the collectors and then the others stopped (a failed stop does not keep
 * the rest from stopping), the sinks stopped, any process left killed, the file's table printed, its directory removed.
 */
export async function endFaultTest(o: FaultTeardown): Promise<void> {
  for (const l of o.loads ?? []) await l?.close().catch(() => undefined);
  for (const c of o.collectors ?? []) await c.stop().catch(() => undefined);
  for (const x of o.others ?? []) await x?.stop().catch(() => undefined);
  for (const s of o.sinks ?? []) await s?.stop();
  killAllTracked();
  printTable(o.table);
  removeTempDir(o.dir);
}

/**
 * What tells a late item from a lost one when the wait ran out: each collector's exporter queues and send / enqueue
 * failures right then, and its log lines about failed or dropped exports (a permanent error drops data; a queue
 * still holding items is late).
 */
async function undelivered(collectors: readonly Collector[]): Promise<string> {
  const out: string[] = ['--- at the deadline, per collector: exporter queues, failures, and export errors from its log ---'];
  for (const c of collectors) {
    const q = c.running ? await c.queues().catch((e: Error) => e.message) : 'not running';
    const errors = c
      .logTail(2000)
      .split('\n')
      .filter((l) => /Dropping data|Exporting failed|permanent|exceeds max message size|rebalanc|error/i.test(l))
      .slice(-12);
    out.push(`${c.name}: ${typeof q === 'string' ? q : JSON.stringify({ queueSize: q.queueSize, enqueueFailed: q.enqueueFailed, sendFailed: q.sendFailed, sent: q.sent })}`, ...errors.map((l) => `  ${l}`));
  }
  return out.join('\n');
}

export interface SettleOptions {
  readonly fault: string;
  readonly load: SteadyLoad;
  readonly sink: OtlpSink;
  readonly signals: readonly Signal[];
  /** collectors whose queues must drain */
  readonly collectors: readonly Collector[];
  /** bounded wait for the acknowledged items; default 180 s */
  readonly deliveryTimeoutMs?: number;
  /** when false, a delivery timeout is not an error (a test demonstrating loss); default true */
  readonly expectComplete?: boolean;
}

export async function settle(o: SettleOptions): Promise<SettleResult> {
  await o.load.stop();
  let complete = true;
  try {
    await waitUntil(`${o.fault}: every acknowledged item at the sink`, o.deliveryTimeoutMs ?? 180_000, () => allAckedDelivered(o.load, o.sink, o.signals), {
      intervalMs: 500,
      details: () => o.signals.map((s) => `${s}: ${JSON.stringify({ ...account(o.fault, o.load, o.sink, s), lostSample: undefined })}`).join('\n') + o.collectors.map((c) => `\n--- ${c.name} ---\n${c.logTail(15)}`).join(''),
    });
  } catch (e) {
    if (o.expectComplete ?? true) throw new Error(`${(e as Error).message}\n${await undelivered(o.collectors)}`);
    complete = false;
  }
  const queues = new Map<string, QueueState>();
  for (const c of o.collectors) queues.set(c.name, await c.waitQueuesDrained(120_000));
  // late duplicates (a retry racing its own success) have arrived once the queues are empty
  const rows = o.signals.map((s) => account(o.fault, o.load, o.sink, s));
  const total = totalRow(o.fault, rows);
  printRows([...rows, total]);
  return { rows, total, queues, complete };
}

/** Assertion message parts: queue sizes and enqueue failures per collector. */
export function queueProblems(queues: ReadonlyMap<string, QueueState>): string[] {
  const out: string[] = [];
  for (const [name, q] of queues) {
    if (totalOf(q.queueSize) !== 0) out.push(`${name}: queue size ${JSON.stringify(q.queueSize)}`);
    if (totalOf(q.enqueueFailed) !== 0) out.push(`${name}: enqueue failures ${JSON.stringify(q.enqueueFailed)}`);
  }
  return out;
}
