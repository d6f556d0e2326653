// `otelstack load` as a user runs it: a report (text or JSON), exit 1 when nothing was accepted, 2 for bad flags.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { closedPort, OtlpSink } from '../../support/otlp-sink.js';
import { otelstackAsync } from '../../support/cli.js';

const otelstack = otelstackAsync;

describe('otelstack load (CLI)', () => {
  let sink: OtlpSink;
  before(async () => {
    sink = await OtlpSink.start();
  });
  after(async () => sink?.stop());

  it('sends to the endpoint and reports sent, accepted, rejected, latency and rates (--json)', async () => {
    sink.reset();
    const r = await otelstack(['load', '--endpoint', sink.grpcEndpoint, '--signals', 'traces,logs', '--rate', 'traces=0,logs=2000', '--duration', '600ms', '--batch-size', '50', '--tenant', 'team-a', '--json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as {
      signals: Record<string, { sent: number; accepted: number; achievedRate: number; traces?: { sent: number } }>;
      rejected: Record<string, number>;
      latencyMs: Record<string, number>;
      cpu: { userMs: number };
    };
    assert.deepEqual(Object.keys(j.signals), ['traces', 'logs']);
    assert.equal(j.signals['traces']!.accepted, sink.count('traces'));
    assert.equal(j.signals['logs']!.accepted, sink.count('logs'));
    assert.ok(j.signals['logs']!.achievedRate > 0);
    assert.deepEqual(Object.keys(j.rejected), ['429', '503', '4xx', '5xx', 'network', 'partial']);
    assert.deepEqual(Object.keys(j.latencyMs), ['count', 'p50', 'p90', 'p99', 'max', 'mean']);
    assert.ok(sink.requests().every((q) => q.headers['x-scope-orgid'] === 'team-a'));
    const text = await otelstack(['load', '--endpoint', sink.httpEndpoint, '--protocol', 'http', '--duration', '300ms']);
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, /request latency \(ms\): p50 [\d.]+ +p90 [\d.]+ +p99 [\d.]+ +max [\d.]+/);
    assert.match(text.out, /rejected items by kind: none/);
  });

  it('exits 1 when the endpoint accepts nothing, with the reason', async () => {
    const port = await closedPort();
    const r = await otelstack(['load', '--endpoint', `http://127.0.0.1:${port}`, '--protocol', 'http', '--duration', '300ms']);
    assert.equal(r.code, 1, r.out);
    assert.match(r.err, /the endpoint accepted nothing/);
    assert.match(r.out, /rejected items by kind: network: /);
    assert.match(r.out, /ECONNREFUSED/);
  });

  it('exits 2 on malformed flags', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['load', '--rate', 'traces=fast'], /a rate must be a number/],
      [['load', '--signals', 'spans'], /unknown signal "spans"/],
      [['load', '--read-back', '5'], /--read-back needs --tempo-url/],
      [['load', '--protocol', 'http', '--endpoint', 'localhost:4318'], /--endpoint must be an http:\/\/ or https:\/\/ URL/],
      [['load', '--duration', '0s'], /--duration must be more than 0/],
      [['load', '--workers', '0'], /--workers must be within 1\.\.64/],
      [['load', '--error-ratio', '2'], /--error-ratio must be a number within 0\.\.1/],
      [['load', '--depth', '10', '--fan-out', '10'], /keep them under 10 000/],
    ];
    for (const [args, msg] of cases) {
      const r = await otelstack(args);
      assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}\n${r.err}`);
      assert.match(r.err, msg, args.join(' '));
    }
  });
});
