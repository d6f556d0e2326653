// runLoad against the OTLP sink: every item sent arrives exactly once, refusals are counted by kind, read-back
// finds the sampled traces in a Tempo-shaped reader.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { runLoad, type LoadOptions } from '../../../src/ops/load/index.js';
import { OtlpSink } from '../../support/otlp-sink.js';
import { FakeHttp } from '../backends/support/fake-http.js';
import { LocalStack } from '../verify/support/local-stack.js';

function opts(endpoint: string, o: Partial<LoadOptions> = {}): LoadOptions {
  return {
    endpoint,
    protocol: 'grpc',
    headers: {},
    compression: 'none',
    insecure: false,
    signals: ['traces'],
    rates: { traces: 0, metrics: 0, logs: 0 },
    durationMs: 400,
    workers: 1,
    concurrency: 2,
    batchSize: 35,
    shape: { depth: 2, fanOut: 4, attributes: 2, errorRatio: 0.1 },
    timeoutMs: 5000,
    ...o,
  };
}

describe('otelstack load against the OTLP sink', () => {
  let sink: OtlpSink;
  before(async () => {
    sink = await OtlpSink.start();
  });
  after(async () => sink?.stop());

  for (const protocol of ['grpc', 'http/protobuf'] as const) {
    it(`delivers every item it reports sent (${protocol}, three signals, two workers)`, async () => {
      sink.reset();
      const endpoint = protocol === 'grpc' ? sink.grpcEndpoint : sink.httpEndpoint;
      const r = await runLoad(opts(endpoint, { protocol, signals: ['traces', 'metrics', 'logs'], workers: 2, compression: protocol === 'grpc' ? 'none' : 'gzip', headers: { 'X-Scope-OrgID': 'load-test' } }));
      for (const s of ['traces', 'metrics', 'logs'] as const) {
        const x = r.signals[s]!;
        assert.ok(x.sent > 0, `${s} sent nothing`);
        assert.equal(x.accepted, x.sent, `${s}: all accepted`);
        assert.equal(sink.count(s), x.sent, `${s}: the sink got what was sent`);
      }
      const spans = sink.received('traces');
      assert.deepEqual(spans.duplicates, [], 'every span id is new');
      assert.equal(new Set(spans.items.map((i) => i.span.span.traceId)).size, r.signals.traces!.traces!.sent, 'one new trace id per trace');
      assert.ok(sink.requests().every((q) => q.headers['x-scope-orgid'] === 'load-test'));
      if (protocol !== 'grpc') assert.ok(sink.requests().every((q) => q.gzip === true));
      assert.equal(r.totals.rejected, 0);
      assert.ok(r.latencyMs.count === r.totals.requests && r.latencyMs.p50 > 0 && r.latencyMs.max >= r.latencyMs.p99);
      assert.equal(r.shape.spansPerTrace, 5);
    });
  }

  it('counts refusals as rejected, by kind', async () => {
    sink.reset();
    sink.refuse(true, { httpStatus: 429 });
    const r429 = await runLoad(opts(sink.httpEndpoint, { protocol: 'http/protobuf', durationMs: 200 }));
    sink.refuse(false);
    assert.equal(r429.totals.accepted, 0);
    assert.equal(r429.rejected['429'], r429.totals.sent);
    assert.equal(r429.signals.traces!.failedRequests, r429.totals.requests);
    assert.match(r429.signals.traces!.lastError ?? '', /HTTP 429/);
    assert.equal(sink.count('traces'), 0);

    sink.refuse(true, { times: 2 });
    const r503 = await runLoad(opts(sink.grpcEndpoint, { durationMs: 300 }));
    assert.equal(r503.rejected['503'], 2 * 35);
    assert.equal(r503.totals.accepted, r503.totals.sent - 70);
    assert.equal(sink.count('traces'), r503.totals.accepted);

    sink.partialSuccess({ rejected: 3, errorMessage: 'too old' });
    const rp = await runLoad(opts(sink.grpcEndpoint, { durationMs: 200 }));
    sink.partialSuccess(null);
    assert.equal(rp.rejected.partial, 3 * rp.totals.requests);
    assert.equal(rp.totals.accepted, rp.totals.sent - 3 * rp.totals.requests);
  });

  it('keeps to the rate it is given', async () => {
    sink.reset();
    // 50 traces/s with 7 traces per request: one request every 140 ms, so at most 4 start within 0.5 s (t = 0, 140,
    // 280, 420) however many slots are free; unthrottled, the same run sends far more
    const r = await runLoad(opts(sink.grpcEndpoint, { rates: { traces: 50, metrics: 0, logs: 0 }, durationMs: 500 }));
    assert.ok(r.signals.traces!.requests >= 1 && r.signals.traces!.requests <= 4, `requests ${r.signals.traces!.requests}`);
    assert.equal(r.signals.traces!.targetRate, 50);
  });

  it('reads sampled traces back from Tempo and reports loss', async () => {
    const stack = await LocalStack.start();
    try {
      const r = await runLoad(opts(stack.sink.grpcEndpoint, { durationMs: 300, readBack: { count: 5, tempoUrl: stack.tempo.url, timeoutMs: 5000 } }));
      assert.deepEqual({ sampled: r.readBack?.sampled, found: r.readBack?.found, missing: r.readBack?.missing, loss: r.readBack?.loss, incomplete: r.readBack?.incomplete }, { sampled: 5, found: 5, missing: 0, loss: 0, incomplete: 0 });
      // a Tempo that has none of them: every sampled trace is reported missing
      const empty = await FakeHttp.start(() => ({ status: 404, text: 'trace not found' }));
      try {
        const lost = await runLoad(opts(stack.sink.grpcEndpoint, { durationMs: 200, readBack: { count: 3, tempoUrl: empty.url, timeoutMs: 300 } }));
        assert.equal(lost.readBack?.sampled, 3);
        assert.equal(lost.readBack?.missing, 3);
        assert.equal(lost.readBack?.loss, 1);
        assert.equal(lost.readBack?.missingTraceIds.length, 3);
        assert.ok(lost.readBack?.missingTraceIds.every((id) => /^[0-9a-f]{32}$/.test(id)));
      } finally {
        await empty.stop();
      }
    } finally {
      await stack.stop();
    }
  });
});
