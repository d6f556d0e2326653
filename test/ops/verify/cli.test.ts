// `otelstack verify` as a user runs it: exit 0 with one verdict against a healthy local stack, 1 for failed
// verification (unreachable endpoint, wrong tenant) with a clear message, 2 for bad input.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { closedPort } from '../../support/otlp-sink.js';
import { PrometheusProcess } from '../backends/support/prometheus-process.js';
import { LocalStack } from './support/local-stack.js';
import { otelstackAsync } from '../../support/cli.js';

/** Runs the CLI without blocking this process's event loop (the local stack lives here). */
const otelstack = otelstackAsync;

describe('otelstack verify (CLI)', () => {
  let prom: PrometheusProcess;
  let stack: LocalStack;
  let flags: string[];
  before(async () => {
    prom = await PrometheusProcess.start();
    stack = await LocalStack.start({ prometheus: prom, writeTenant: '' });
    flags = ['--otlp-endpoint', stack.sink.grpcEndpoint, '--tempo-url', stack.tempo.url, '--prometheus-url', prom.url, '--loki-url', stack.loki.url, '--timeout', '20s'];
  });
  after(async () => {
    await stack?.stop();
    await prom?.stop();
  });

  it('exits 0 with one verdict for the three signals and their links', async () => {
    const r = await otelstack(['verify', 'examples/single-node', '--env', 'local', ...flags, '--json']);
    assert.equal(r.code, 0, `${r.out}\n${r.err}`);
    const report = JSON.parse(r.out) as { ok: boolean; env: string; endpoints: Record<string, string>; checks: Array<{ label: string; status: string }> };
    assert.equal(report.ok, true);
    assert.equal(report.env, 'local');
    assert.equal(report.endpoints['metrics'], prom.url);
    assert.deepEqual(report.checks.map((c) => `${c.label}:${c.status}`), ['traces:ok', 'metrics:ok', 'logs:ok', 'metrics → traces:ok', 'logs → traces:ok']);
    const table = await otelstack(['verify', 'examples/single-node', ...flags, '--protocol', 'http', '--otlp-endpoint', stack.sink.httpEndpoint]);
    assert.equal(table.code, 0, table.out);
    assert.match(table.out, /signal .*pushed at .*visible after .*status .*detail/);
    assert.match(table.out, /verified in \d+\.\d\d s/);
  });

  it('exits 1 naming the unreachable endpoint', async () => {
    const port = await closedPort();
    const r = await otelstack(['verify', 'examples/single-node', ...flags, '--otlp-endpoint', `http://127.0.0.1:${port}`, '--protocol', 'http', '--timeout', '1s']);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, new RegExp(`push to http://127\\.0\\.0\\.1:${port} \\(http/protobuf\\)`));
    assert.match(r.out, /ECONNREFUSED/);
    assert.match(r.out, /FAILED \(3 checks\)/);
  });

  it('exits 1 when read as a tenant the collector does not write to', async () => {
    const r = await otelstack(['verify', 'examples/single-node', ...flags, '--tenant', 'team-z', '--timeout', '1s', '--json']);
    assert.equal(r.code, 1, r.out + r.err);
    const report = JSON.parse(r.out) as { checks: Array<{ label: string; status: string; detail: string }> };
    const traces = report.checks.find((c) => c.label === 'traces')!;
    assert.equal(traces.status, 'fail');
    assert.match(traces.detail, /read as tenant "team-z"/);
  });

  it('exits 2 on bad input, saying what is wrong', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otelstack-verify-'));
    try {
      const cases: Array<[string[], RegExp]> = [
        [['verify', 'examples/single-node', '--timeout', 'soon'], /--timeout must be a duration/],
        [['verify', 'examples/single-node', '--protocol', 'udp'], /--protocol must be grpc or http/],
        [['verify', 'examples/single-node', '--tempo-url', 'tempo:3200'], /--tempo-url must be an http:\/\/ or https:\/\/ URL/],
        [['verify', 'examples/single-node', '--env', 'nope'], /has no environment "nope"/],
        [['verify', 'examples/dts'], /has several environments; say which to verify/],
        [['verify', 'examples/single-node', '--tenant', 'a b'], /is not a valid tenant id/],
        [['verify', 'examples/single-node', '--header', 'novalue'], /name=value/],
        [['verify', join(dir, 'missing.yaml')], /./],
        [['verify', 'examples/single-node', '--bogus'], /unknown option '--bogus'/],
      ];
      for (const [args, msg] of cases) {
        const r = await otelstack(args);
        assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}\n${r.out}\n${r.err}`);
        assert.match(r.err, msg, args.join(' '));
      }
      // a definition without an ingestion layer needs --otlp-endpoint
      const file = join(dir, 'stack.yaml');
      writeFileSync(
        file,
        'name: bare\nobjectStorage: { s3: { kind: seaweedfs, endpoint: "http://s3:8333", credentials: { secretName: s3 } } }\nenvironments: [{ name: dev, namespace: bare-dev, target: compose, objectStorage: s3 }]\nsignals: { traces: { engine: tempo, environments: { dev: { mode: monolithic } } } }\n',
      );
      const r = await otelstack(['verify', file]);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, /no ingestion layer .*\n.*suggestion: pass --otlp-endpoint/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
