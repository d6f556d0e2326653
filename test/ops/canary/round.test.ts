// The canary's round logic and its metrics, offline: an in-memory environment (what the sender pushes, the readers
// answer) that can lose, duplicate or refuse items and fail reads, and a virtual clock, so deadlines pass at once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CANARY_METRICS as M } from '../../../src/catalog/canary.js';
import { BackendError } from '../../../src/ops/backends/http.js';
import { CanaryMetrics, maxInFlight, runCanary, runRound } from '../../../src/ops/canary/index.js';
import type { Signal, SignalInputs } from '../../../src/ops/otlp/types.js';
import type { Clock } from '../../../src/ops/verify/poll.js';
import type { Readers, VerifyClients, VerifyTargets } from '../../../src/ops/verify/index.js';

type S3 = 'traces' | 'metrics' | 'logs';

function virtualClock(start = 1_700_000_000_000): Clock {
  let t = start;
  return {
    now: () => t,
    sleep: async (ms) => {
      t += ms;
      await Promise.resolve();
    },
  };
}

interface Faults {
  lose?: S3[];
  duplicate?: S3[];
  refuse?: S3[];
  /** the first n reads of a signal throw this */
  failReads?: { signal: S3; times: number; error: () => Error };
  /** the exemplar points elsewhere */
  wrongExemplar?: boolean;
}

/** An environment in memory: what was pushed is what the readers answer, minus / plus the faults. */
function memoryEnv(f: Faults = {}): { targets: VerifyTargets; clients: VerifyClients; pushes: Record<S3, number> } {
  const pushes: Record<S3, number> = { traces: 0, metrics: 0, logs: 0 };
  const spans: Array<{ traceId: string; spanId: string; name: string }> = [];
  const series: Array<{ labels: Record<string, string>; traceId: string }> = [];
  const lines: Array<{ line: string; traceId: string }> = [];
  const reads: Record<S3, number> = { traces: 0, metrics: 0, logs: 0 };
  const copies = (s: S3) => (f.lose?.includes(s) ? 0 : f.duplicate?.includes(s) ? 2 : 1);
  const gate = (s: S3) => {
    reads[s]++;
    if (f.failReads?.signal === s && reads[s] <= f.failReads.times) throw f.failReads.error();
  };
  const clients: VerifyClients = {
    sender: {
      send: async <X extends Signal>(signal: X, input: SignalInputs[X]) => {
        const s = signal as S3;
        if (f.refuse?.includes(s)) return { ok: false, status: 'UNAVAILABLE', error: 'connection refused', attempts: 3, rejected: 0, items: 1, durationMs: 1 } as never;
        pushes[s]++;
        for (let i = 0; i < copies(s); i++) {
          if (s === 'traces') for (const sp of (input as import('../../../src/ops/otlp/types.js').TracesInput).spans) spans.push({ traceId: sp.traceId, spanId: sp.spanId, name: sp.name });
          if (s === 'metrics') {
            const p = (input as import('../../../src/ops/otlp/types.js').MetricsInput).metrics[0]!.points[0]!;
            series.push({ labels: { __name__: 'otelstack_verify_probe_total', ...(p.attributes as Record<string, string>), ...(i > 0 ? { instance: `copy-${i}` } : {}) }, traceId: p.exemplars![0]!.traceId! });
          }
          if (s === 'logs') {
            const r = (input as import('../../../src/ops/otlp/types.js').LogsInput).records[0]!;
            lines.push({ line: String(r.body), traceId: r.traceId! });
          }
        }
        return { ok: true, status: 'OK', attempts: 1, rejected: 0, items: 1, durationMs: 1 } as never;
      },
    },
    readers: {
      traces: {
        getTrace: async (id) => {
          gate('traces');
          const found = spans.filter((s) => s.traceId === id);
          return found.length ? { spans: found } : undefined;
        },
      },
      metrics: {
        query: async (q) => {
          gate('metrics');
          const id = /verify_id="([0-9a-f]+)"/.exec(q)![1]!;
          return series.filter((s) => s.labels['verify_id'] === id).map((s) => ({ metric: s.labels, time: 0, value: 1 }));
        },
        queryExemplars: async (q) => {
          const id = /verify_id="([0-9a-f]+)"/.exec(q)![1]!;
          return series
            .filter((s) => s.labels['verify_id'] === id)
            .map((s) => ({ seriesLabels: s.labels, exemplars: [{ labels: { trace_id: f.wrongExemplar ? 'f'.repeat(32) : s.traceId }, value: 1, time: 0 }] }));
        },
      },
      logs: {
        queryRange: async (q) => {
          gate('logs');
          const needle = /\|= "([^"]+)"/.exec(q)![1]!;
          return lines.filter((l) => l.line.includes(needle)).map((l) => ({ labels: { trace_id: l.traceId }, timestampNs: '0', line: l.line }));
        },
      },
    } satisfies Readers,
  };
  const targets: VerifyTargets = {
    stack: 'demo',
    env: 'dev',
    namespace: 'demo-dev',
    otlp: { endpoint: 'http://collector:4317', protocol: 'grpc', headers: {} },
    traces: { engine: 'tempo', url: 'http://tempo:3200', api: 'v2' },
    metrics: { engine: 'prometheus', url: 'http://prometheus:9090' },
    logs: { engine: 'loki', url: 'http://loki:3100' },
    storage: { region: 'us-east-1', buckets: [] },
  };
  return { targets, clients, pushes };
}

const ROUND = { deadlineMs: 5000, backoff: { initialMs: 100, maxMs: 500, factor: 2 } };

/** The value of one series in an exposition text. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inner = line.slice(name.length + 1, line.indexOf('}'));
    const have = inner.split(',');
    if (want.every((w) => have.includes(w)) && have.length === want.length) return Number(line.slice(line.indexOf('}') + 1));
  }
  return undefined;
}

describe('canary round', () => {
  it('finds every item, follows both links and times each stage', async () => {
    const { targets, clients } = memoryEnv();
    const r = await runRound(targets, clients, { ...ROUND, clock: virtualClock() });
    assert.equal(r.ok, true, JSON.stringify(r.signals, null, 2));
    assert.deepEqual(r.signals.map((s) => [s.signal, s.status, s.copies, s.linkBroken]), [
      ['traces', 'found', 1, false],
      ['metrics', 'found', 1, false],
      ['logs', 'found', 1, false],
    ]);
    assert.deepEqual(Object.keys(r.signals[0]!.stages).sort(), ['accepted', 'visible']);
    for (const s of r.signals.slice(1)) assert.deepEqual(Object.keys(s.stages).sort(), ['accepted', 'linked', 'visible']);
    assert.deepEqual(r.queryErrors, []);
  });

  it('a lost item is missing after the deadline; the others are still found', async () => {
    const { targets, clients } = memoryEnv({ lose: ['logs'] });
    const clock = virtualClock();
    const r = await runRound(targets, clients, { ...ROUND, clock });
    assert.equal(r.ok, false);
    const logs = r.signals.find((s) => s.signal === 'logs')!;
    assert.equal(logs.status, 'missing');
    assert.equal(logs.pushed, true);
    assert.equal(logs.pushError, undefined);
    assert.match(logs.detail, /not visible .* within 5\.0 s/);
    assert.ok(r.endedAt - r.startedAt >= ROUND.deadlineMs, 'waited the whole deadline');
    assert.equal(r.signals.find((s) => s.signal === 'traces')!.status, 'found');
  });

  it('counts copies: an item returned twice is duplicated', async () => {
    const { targets, clients } = memoryEnv({ duplicate: ['traces', 'metrics', 'logs'] });
    const r = await runRound(targets, clients, { ...ROUND, clock: virtualClock() });
    assert.deepEqual(r.signals.map((s) => s.copies), [2, 2, 2]);
  });

  it('counts failed reads by signal and kind, and still finds the item when the backend recovers', async () => {
    const { targets, clients } = memoryEnv({ failReads: { signal: 'metrics', times: 3, error: () => new BackendError('connect ECONNREFUSED', 'unreachable', 'http://prometheus:9090') } });
    const r = await runRound(targets, clients, { ...ROUND, clock: virtualClock() });
    assert.deepEqual(r.queryErrors, [{ signal: 'metrics', kind: 'unreachable', count: 3 }]);
    assert.equal(r.signals.find((s) => s.signal === 'metrics')!.status, 'found');
    assert.equal(r.ok, true);
  });

  it('a refused push is a push error and a missing item, with no accepted stage', async () => {
    const { targets, clients } = memoryEnv({ refuse: ['traces'] });
    const r = await runRound(targets, clients, { ...ROUND, clock: virtualClock() });
    const t = r.signals.find((s) => s.signal === 'traces')!;
    assert.equal(t.status, 'missing');
    assert.match(t.pushError ?? '', /connection refused/);
    assert.equal(t.stages.accepted, undefined);
  });

  it('an exemplar pointing at another trace is a broken link, not a missing item', async () => {
    const { targets, clients } = memoryEnv({ wrongExemplar: true });
    const r = await runRound(targets, clients, { ...ROUND, clock: virtualClock() });
    const m = r.signals.find((s) => s.signal === 'metrics')!;
    assert.equal(m.status, 'found');
    assert.equal(m.linkBroken, true);
    assert.equal(r.ok, false);
  });

  it('skips a signal the environment has no backend for', async () => {
    const { targets, clients } = memoryEnv();
    const { logs: _l, ...noLogs } = targets;
    const r = await runRound(noLogs, clients, { ...ROUND, clock: virtualClock() });
    assert.equal(r.signals.find((s) => s.signal === 'logs')!.status, 'skipped');
    assert.equal(r.ok, true);
  });
});

describe('canary metrics', () => {
  it('every series exists at zero once an environment is registered', async () => {
    const m = new CanaryMetrics();
    m.register('dev');
    const text = await m.text();
    for (const name of [M.pushed, M.found, M.missing, M.duplicated, M.brokenLinks, M.pushErrors]) {
      for (const signal of ['traces', 'metrics', 'logs']) assert.equal(sample(text, name, { env: 'dev', signal }), 0, `${name} ${signal}`);
    }
    assert.equal(sample(text, M.queryErrors, { env: 'dev', signal: 'logs', kind: 'timeout' }), 0);
    assert.equal(sample(text, M.lastSuccess, { env: 'dev' }), 0);
    assert.equal(sample(text, M.rounds, { env: 'dev', result: 'failed' }), 0);
  });

  it('a round lands in the counters, the latency histogram and the last-success gauge', async () => {
    const m = new CanaryMetrics();
    m.register('dev');
    const ok = memoryEnv();
    m.roundStarted('dev');
    const r1 = await runRound(ok.targets, ok.clients, { ...ROUND, clock: virtualClock() });
    m.record(r1);
    const lossy = memoryEnv({ lose: ['metrics'], duplicate: ['logs'] });
    m.roundStarted('dev');
    m.record(await runRound(lossy.targets, lossy.clients, { ...ROUND, clock: virtualClock(1_700_000_100_000) }));
    const text = await m.text();
    assert.equal(sample(text, M.pushed, { env: 'dev', signal: 'metrics' }), 2);
    assert.equal(sample(text, M.found, { env: 'dev', signal: 'metrics' }), 1);
    assert.equal(sample(text, M.missing, { env: 'dev', signal: 'metrics' }), 1);
    assert.equal(sample(text, M.duplicated, { env: 'dev', signal: 'logs' }), 1);
    assert.equal(sample(text, M.rounds, { env: 'dev', result: 'ok' }), 1);
    assert.equal(sample(text, M.rounds, { env: 'dev', result: 'failed' }), 1);
    assert.equal(sample(text, M.inFlight, { env: 'dev' }), 0);
    // the last success is the first round's end: the lossy one does not move it
    assert.equal(sample(text, M.lastSuccess, { env: 'dev' }), r1.endedAt / 1000);
    assert.equal(sample(text, `${M.latency}_count`, { env: 'dev', signal: 'traces', stage: 'visible' }), 2);
    assert.equal(sample(text, `${M.latency}_count`, { env: 'dev', signal: 'metrics', stage: 'visible' }), 1);
    assert.equal(sample(text, `${M.latency}_count`, { env: 'dev', signal: 'logs', stage: 'linked' }), 2);
  });
});

describe('canary schedule', () => {
  it('caps overlapping rounds at ceil(deadline / interval) + 1', () => {
    assert.equal(maxInFlight(30_000, 120_000), 5);
    assert.equal(maxInFlight(30_000, 45_000), 3);
    assert.equal(maxInFlight(30_000, 120_000, 900_000), 31);
  });

  it('--once runs one round per environment and returns them', async () => {
    const a = memoryEnv();
    const b = memoryEnv({ lose: ['traces'] });
    const bTargets = { ...b.targets, env: 'prod' };
    const m = new CanaryMetrics();
    const rounds = await runCanary([a, { targets: bTargets, clients: b.clients }], m, { ...ROUND, intervalMs: 1000, once: true, clock: virtualClock() });
    assert.deepEqual(rounds.map((r) => [r.env, r.ok]).sort(), [['dev', true], ['prod', false]]);
    const text = await m.text();
    assert.equal(sample(text, M.missing, { env: 'prod', signal: 'traces' }), 1);
    assert.equal(sample(text, M.missing, { env: 'dev', signal: 'traces' }), 0);
  });

  it('a failing onRound report does not count the round as crashed too', async () => {
    const env = memoryEnv();
    const m = new CanaryMetrics();
    const errors: string[] = [];
    await runCanary([env], m, {
      ...ROUND,
      intervalMs: 1000,
      once: true,
      clock: virtualClock(),
      onRound: () => {
        throw new Error('EPIPE');
      },
      onError: (_env, e) => errors.push(e.message),
    });
    const text = await m.text();
    assert.equal(sample(text, M.rounds, { env: 'dev', result: 'ok' }), 1);
    assert.equal(sample(text, M.rounds, { env: 'dev', result: 'failed' }), 0);
    assert.deepEqual(errors, ['EPIPE']);
  });

  it('starts a round every interval until stopped', async () => {
    const env = memoryEnv();
    const m = new CanaryMetrics();
    const stop = new AbortController();
    let n = 0;
    await runCanary([env], m, {
      ...ROUND,
      intervalMs: 1000,
      clock: virtualClock(),
      signal: stop.signal,
      onRound: () => {
        if (++n === 4) stop.abort();
      },
    });
    assert.ok(n >= 4);
    assert.equal(env.pushes.traces >= 4, true);
  });
});
