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
    assert.deepEqual(Object.keys(j.rejected), ['429', '503', '4xx', '5xx', 'network', 'tls', 'partial']);
    assert.deepEqual(Object.keys(j.latencyMs), ['count', 'p50', 'p90', 'p99', 'max', 'mean']);
    assert.ok(sink.requests().every((q) => q.headers['x-scope-orgid'] === 'team-a'));
    const text = await otelstack(['load', '--endpoint', sink.httpEndpoint, '--protocol', 'http', '--duration', '300ms']);
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, /request latency \(ms\): p50 [\d.]+ +p90 [\d.]+ +p99 [\d.]+ +max [\d.]+/);
    assert.match(text.out, /rejected items by kind: none/);
  });

  it('stops early with one message when nothing listens (gRPC and HTTP)', async () => {
    const port = await closedPort();
    for (const args of [
      ['--endpoint', `http://127.0.0.1:${port}`, '--protocol', 'http'],
      ['--endpoint', `127.0.0.1:${port}`, '--insecure'],
    ]) {
      const t0 = Date.now();
      const r = await otelstack(['load', ...args, '--rate', '0', '--duration', '30s', '--batch-size', '10']);
      assert.equal(r.code, 1, r.out);
      assert.ok(Date.now() - t0 < 15_000, `stopped early, not after --duration (${Date.now() - t0} ms)`);
      assert.equal(r.out, '', 'no table of rejections');
      assert.match(r.err, new RegExp(`error: nothing answers at \\S*127\\.0\\.0\\.1:${port}: stopped after the first 5 requests failed \\(.*ECONNREFUSED`));
      assert.doesNotMatch(r.err, /503|UNAVAILABLE: \d/);
    }
  });

  it('follows the OTLP exporters\' TLS convention: http:// plaintext, host:port TLS unless --insecure; a TLS failure is reported as one', async () => {
    sink.reset();
    const bare = sink.grpcEndpoint.replace('http://', '');
    // host:port with --insecure and http://host:port both reach the plaintext sink
    for (const endpoint of [['--endpoint', bare, '--insecure'], ['--endpoint', sink.grpcEndpoint]]) {
      const r = await otelstack(['load', ...endpoint, '--duration', '300ms', '--json']);
      assert.equal(r.code, 0, r.err);
      assert.ok((JSON.parse(r.out) as { totals: { accepted: number } }).totals.accepted > 0);
    }
    // host:port alone is TLS (as OTEL_EXPORTER_OTLP_INSECURE=false): against a plaintext server that is a TLS error
    const before = sink.requests().length;
    const r = await otelstack(['load', '--endpoint', bare, '--rate', '0', '--duration', '30s', '--batch-size', '10', '--json']);
    assert.equal(r.code, 1, r.err);
    const j = JSON.parse(r.out) as { unreachable: string; rejected: Record<string, number> };
    assert.match(j.unreachable, /^the TLS handshake failed at 127\.0\.0\.1:\d+: stopped after the first 5 requests failed \(.*TLS handshake failed: wrong version number \(the server does not speak TLS\)/);
    assert.equal(j.rejected['503'], 0, 'a TLS failure is not a 503');
    assert.ok(j.rejected['tls']! > 0);
    assert.match(r.err, /suggestion: for a plaintext endpoint use http:\/\/host:port or --insecure/);
    assert.equal(sink.requests().length, before, 'nothing reached the sink');
    // https:// is TLS too
    const https = await otelstack(['load', '--endpoint', `https://${bare}`, '--duration', '5s', '--batch-size', '10', '--rate', '0']);
    assert.equal(https.code, 1);
    assert.match(https.err, /the TLS handshake failed/);
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
      [['load', '--endpoint', 'localhost:4317', '--insecure', '--tls'], /--insecure and --tls contradict each other/],
      [['load', '--endpoint', 'http://localhost:4317', '--tls'], /--tls contradicts the endpoint's http:\/\/ scheme/],
      [['load', '--endpoint', 'https://localhost:4317', '--insecure'], /--insecure contradicts the endpoint's https:\/\/ scheme/],
    ];
    for (const [args, msg] of cases) {
      const r = await otelstack(args);
      assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}\n${r.err}`);
      assert.match(r.err, msg, args.join(' '));
    }
  });
});
