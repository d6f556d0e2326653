// Steady load of sequence-numbered items through a collector, with src/ops/otlp: every tick sends one request per
// signal, each carrying `itemsPerRequest` items whose attribute `seq` is unique (`<run>-<tick>-<j>`). The sender
// retries 503 / UNAVAILABLE / connection errors (bounded); a request's items count as acknowledged only when the
// collector answered success with nothing rejected. Accounting then compares what the sink received.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { anyValueToJs, createOtlpSender, type OtlpKeyValue, type OtlpProtocol, type OtlpSender, type RetryPolicy, type Signal, type TlsOptions } from '../../../src/ops/otlp/index.js';
import type { OtlpSink } from '../../support/otlp-sink.js';

export const SEQ_ATTRIBUTE = 'seq';
export const RUN_ATTRIBUTE = 'e2e.run';

export interface LoadOptions {
  /** Collector OTLP endpoint (http://127.0.0.1:port). */
  readonly endpoint: string;
  /** Default http/protobuf. */
  readonly protocol?: OtlpProtocol;
  /** Default all three. */
  readonly signals?: readonly Signal[];
  /** Default 5. */
  readonly itemsPerRequest?: number;
  /** Ticks per second; default 10. */
  readonly ticksPerSecond?: number;
  /** Ticks in flight at most (a slow collector slows the load instead of piling requests up); default 8. */
  readonly maxInFlight?: number;
  /** Bounded retry of each request; default: up to 150 s of attempts, backoff 250 ms–2 s. */
  readonly retry?: Partial<RetryPolicy>;
  /** Per-attempt timeout; default 5 s. */
  readonly timeoutMs?: number;
  /** TLS towards an https:// endpoint (CA, client certificate for mTLS); default none. */
  readonly tls?: TlsOptions;
}

interface SignalBook {
  readonly sent: Set<string>;
  readonly acked: Set<string>;
  requests: number;
  ackedRequests: number;
  failedRequests: number;
  retriedRequests: number;
  lastError?: string;
}

function emptyBook(): SignalBook {
  return { sent: new Set(), acked: new Set(), requests: 0, ackedRequests: 0, failedRequests: 0, retriedRequests: 0 };
}

export class SteadyLoad {
  readonly run: string;
  private readonly sender: OtlpSender;
  private readonly signals: readonly Signal[];
  private readonly k: number;
  private readonly intervalMs: number;
  private readonly maxInFlight: number;
  private readonly books: Record<Signal, SignalBook> = { traces: emptyBook(), metrics: emptyBook(), logs: emptyBook() };
  private readonly inFlight = new Set<Promise<void>>();
  private tick = 0;
  private loop: Promise<void> | undefined;
  private stopping = false;

  constructor(readonly options: LoadOptions) {
    this.run = randomBytes(4).toString('hex');
    this.signals = options.signals ?? ['traces', 'metrics', 'logs'];
    this.k = options.itemsPerRequest ?? 5;
    this.intervalMs = 1000 / (options.ticksPerSecond ?? 10);
    this.maxInFlight = options.maxInFlight ?? 8;
    this.sender = createOtlpSender({
      endpoint: options.endpoint,
      protocol: options.protocol ?? 'http/protobuf',
      timeoutMs: options.timeoutMs ?? 5000,
      ...(options.tls ? { tls: options.tls } : {}),
      retry: { maxAttempts: 10_000, initialBackoffMs: 250, maxBackoffMs: 2000, multiplier: 1.5, jitter: 0.2, maxElapsedMs: 150_000, retryOnNetworkError: true, ...(options.retry ?? {}) },
    });
  }

  /** Starts ticking. */
  start(): this {
    if (this.loop) return this;
    this.loop = (async () => {
      while (!this.stopping) {
        if (this.inFlight.size < this.maxInFlight) {
          const p = this.sendTick(this.tick++).finally(() => this.inFlight.delete(p));
          this.inFlight.add(p);
        }
        await sleep(this.intervalMs);
      }
    })();
    return this;
  }

  /** Ticks started so far. */
  get ticks(): number {
    return this.tick;
  }

  /** Sends `n` ticks right away (no pacing), waiting for each to be answered; for small deterministic batches. */
  async sendTicks(n: number): Promise<void> {
    for (let i = 0; i < n; i++) await this.sendTick(this.tick++);
  }

  /** Stops issuing ticks and waits for the requests in flight (each bounded by the retry policy). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
    await Promise.all([...this.inFlight]);
  }

  async close(): Promise<void> {
    await this.stop();
    await this.sender.close();
  }

  /** Waits until at least `n` ticks were issued (bounded). */
  async waitTicks(n: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.tick < n) {
      if (Date.now() > deadline) throw new Error(`load: only ${this.tick} of ${n} ticks issued within ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  seq(tick: number, j: number): string {
    return `${this.run}-${tick}-${j}`;
  }

  book(signal: Signal): Readonly<SignalBook> {
    return this.books[signal];
  }

  private async sendTick(n: number): Promise<void> {
    await Promise.all(this.signals.map((s) => this.sendSignal(s, n)));
  }

  private async sendSignal(signal: Signal, n: number): Promise<void> {
    const book = this.books[signal];
    const seqs = Array.from({ length: this.k }, (_, j) => this.seq(n, j));
    for (const s of seqs) book.sent.add(s);
    book.requests++;
    const resource = { 'service.name': 'otelstack-e2e', [RUN_ATTRIBUTE]: this.run };
    const now = Date.now();
    let r;
    if (signal === 'traces') {
      // one whole trace per request: a root span and its children, trace id from the run and the tick
      const traceId = `${this.run}${(n + 1).toString(16).padStart(24, '0')}`;
      const spanId = (j: number) => (j + 1).toString(16).padStart(16, '0');
      r = await this.sender.sendTraces({
        resource,
        spans: seqs.map((seq, j) => ({
          traceId,
          spanId: spanId(j),
          ...(j > 0 ? { parentSpanId: spanId(0) } : {}),
          name: j === 0 ? 'e2e-load' : `e2e-load-child-${j}`,
          kind: j === 0 ? ('server' as const) : ('internal' as const),
          startTime: now,
          endTime: now + 5,
          attributes: { [SEQ_ATTRIBUTE]: seq },
        })),
      });
    } else if (signal === 'logs') {
      r = await this.sender.sendLogs({ resource, records: seqs.map((seq) => ({ time: now, severityNumber: 9, body: `e2e load ${seq}`, attributes: { [SEQ_ATTRIBUTE]: seq } })) });
    } else {
      r = await this.sender.sendMetrics({
        resource,
        metrics: [{ name: 'otelstack_e2e_load', kind: 'gauge', points: seqs.map((seq, j) => ({ value: n * this.k + j, time: now, attributes: { [SEQ_ATTRIBUTE]: seq } })) }],
      });
    }
    if (r.attempts > 1) book.retriedRequests++;
    if (r.ok && r.rejected === 0) {
      book.ackedRequests++;
      for (const s of seqs) book.acked.add(s);
    } else {
      book.failedRequests++;
      book.lastError = r.error ?? `status ${String(r.status)}${r.rejected ? `, ${r.rejected} rejected` : ''}`;
    }
  }
}

function seqOf(attrs: readonly OtlpKeyValue[]): string | undefined {
  const a = attrs.find((kv) => kv.key === SEQ_ATTRIBUTE);
  if (!a?.value) return undefined;
  const v = anyValueToJs(a.value);
  return typeof v === 'string' ? v : undefined;
}

/** seq → times the sink received it, for one signal (items of other runs ignored by the caller's sent set). */
export function deliveredSeqs(sink: OtlpSink, signal: Signal): Map<string, number> {
  const out = new Map<string, number>();
  const add = (s: string | undefined) => {
    if (s !== undefined) out.set(s, (out.get(s) ?? 0) + 1);
  };
  if (signal === 'traces') for (const it of sink.received('traces').items) add(seqOf(it.span.span.attributes));
  else if (signal === 'logs') for (const it of sink.received('logs').items) add(seqOf(it.log.record.attributes));
  else for (const it of sink.received('metrics').items) add(seqOf(it.point.point.attributes));
  return out;
}

export interface FaultRow {
  readonly fault: string;
  readonly signal: Signal | 'all';
  readonly sent: number;
  readonly acknowledged: number;
  /** distinct sent items the sink received */
  readonly delivered: number;
  /** extra copies received (an item received 3 times counts 2) */
  readonly duplicates: number;
  /** acknowledged items the sink never received */
  readonly lost: number;
  /** the first few lost items, for the failure message */
  readonly lostSample: readonly string[];
}

export function account(fault: string, load: SteadyLoad, sink: OtlpSink, signal: Signal): FaultRow {
  const book = load.book(signal);
  const got = deliveredSeqs(sink, signal);
  let delivered = 0;
  let duplicates = 0;
  for (const s of book.sent) {
    const n = got.get(s) ?? 0;
    if (n > 0) delivered++;
    if (n > 1) duplicates += n - 1;
  }
  const lost = [...book.acked].filter((s) => !got.has(s));
  return { fault, signal, sent: book.sent.size, acknowledged: book.acked.size, delivered, duplicates, lost: lost.length, lostSample: lost.slice(0, 5) };
}

/** Whether every acknowledged item of every loaded signal has arrived. */
export function allAckedDelivered(load: SteadyLoad, sink: OtlpSink, signals: readonly Signal[]): boolean {
  return signals.every((s) => {
    const got = deliveredSeqs(sink, s);
    for (const a of load.book(s).acked) if (!got.has(a)) return false;
    return true;
  });
}

export function totalRow(fault: string, rows: readonly FaultRow[]): FaultRow {
  const sum = (k: 'sent' | 'acknowledged' | 'delivered' | 'duplicates' | 'lost') => rows.reduce((a, r) => a + r[k], 0);
  return { fault, signal: 'all', sent: sum('sent'), acknowledged: sum('acknowledged'), delivered: sum('delivered'), duplicates: sum('duplicates'), lost: sum('lost'), lostSample: rows.flatMap((r) => r.lostSample).slice(0, 5) };
}

const COLS = ['fault', 'signal', 'sent', 'acknowledged', 'delivered', 'duplicates', 'lost'] as const;

/** The fault table as fixed-width text lines (header first). */
export function formatRows(rows: readonly FaultRow[]): string[] {
  const cells = [COLS.map(String), ...rows.map((r) => COLS.map((c) => String(r[c])))];
  const widths = COLS.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) => row.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
}
