// Pre-encoded batches: the patch points are found by walking the wire format, and patching yields valid requests
// with fresh trace ids and shifted timestamps.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { buildBatches, traceIdOf } from '../../../src/ops/load/batches.js';
import { LoadInputError, parseDuration, parseHeaders, parseRates, parseSignals } from '../../../src/ops/load/options.js';
import { classifyFailure } from '../../../src/ops/load/stats.js';
import { decodeRequest, spansOf, dataPointsOf, logRecordsOf } from '../../../src/ops/otlp/index.js';

const shape = { depth: 3, fanOut: 2, attributes: 4, errorRatio: 0.5 };
const PREFIX = '0123456789abcdef';
const NOW = 1_700_000_000_000;

describe('pre-encoded batches', () => {
  it('patches trace ids per trace and shifts every span time', () => {
    const [b] = buildBatches({ signal: 'traces', count: 1, batchSize: 21, shape, traceIdPrefix: PREFIX, resource: { 'service.name': 'x' }, now: NOW });
    assert.ok(b);
    assert.equal(b.traces, 3);
    assert.equal(b.items, 21);
    assert.deepEqual(b.patchPoints, { times: 42, traceIds: 21 });
    const body = b.patch(NOW + 5000, 1000);
    const spans = [...spansOf(decodeRequest('traces', body))];
    assert.equal(spans.length, 21);
    assert.deepEqual([...new Set(spans.map((s) => s.span.traceId))].sort(), [traceIdOf(PREFIX, 1000), traceIdOf(PREFIX, 1001), traceIdOf(PREFIX, 1002)]);
    for (const s of spans) {
      const start = BigInt(s.span.startTimeUnixNano!);
      assert.ok(start >= BigInt(NOW + 5000 - 150) * 1_000_000n && start <= BigInt(NOW + 5000) * 1_000_000n, `start ${start}`);
      assert.ok(BigInt(s.span.endTimeUnixNano!) > start);
    }
    // parents and errors survive: 3 roots, half the traces (rounded) with an error root
    assert.equal(spans.filter((s) => !s.span.parentSpanId).length, 3);
    assert.equal(spans.filter((s) => s.span.status?.code === 2).length, 2);
    // a second patch gives other ids, and the carry into the high 32 bits works
    const again = [...spansOf(decodeRequest('traces', b.patch(NOW + 2 ** 33 / 1e6 + 1, 2 ** 40)))];
    assert.equal(again[0]!.span.traceId, traceIdOf(PREFIX, 2 ** 40));
    assert.equal(traceIdOf(PREFIX, 2 ** 40), `${PREFIX}0000010000000000`);
  });

  it('shifts data point and log record times', () => {
    const [m] = buildBatches({ signal: 'metrics', count: 1, batchSize: 10, shape, traceIdPrefix: PREFIX, resource: {}, now: NOW });
    const points = [...dataPointsOf(decodeRequest('metrics', m!.patch(NOW + 1000, 1)))];
    assert.equal(points.length, 10);
    assert.deepEqual([...new Set(points.map((p) => p.kind))].sort(), ['gauge', 'histogram', 'sum']);
    for (const p of points) assert.equal(p.point.timeUnixNano, String(BigInt(NOW + 1000) * 1_000_000n));
    const [l] = buildBatches({ signal: 'logs', count: 1, batchSize: 7, shape, traceIdPrefix: PREFIX, resource: {}, now: NOW });
    const records = [...logRecordsOf(decodeRequest('logs', l!.patch(NOW + 250, 1)))];
    assert.equal(records.length, 7);
    for (const r of records) {
      assert.equal(r.record.timeUnixNano, String(BigInt(NOW + 250) * 1_000_000n));
      assert.equal(r.record.observedTimeUnixNano, String(BigInt(NOW + 250) * 1_000_000n));
    }
  });
});

describe('load options', () => {
  it('parses rates, signals, durations and headers', () => {
    assert.deepEqual(parseRates('--rate', 'traces=200,metrics=100', ['traces', 'metrics']), { traces: 200, metrics: 100, logs: 0 });
    assert.deepEqual(parseRates('--rate', '50', ['logs']), { traces: 0, metrics: 0, logs: 50 });
    assert.deepEqual(parseSignals('--signals', 'logs,traces'), ['traces', 'logs']);
    assert.equal(parseDuration('--duration', '1.5s'), 1500);
    assert.equal(parseDuration('--duration', '2m'), 120_000);
    assert.deepEqual(parseHeaders('--headers', ['authorization=Bearer x,X-Scope-OrgID=t']), { authorization: 'Bearer x', 'X-Scope-OrgID': 't' });
    assert.throws(() => parseRates('--rate', 'traces=fast', ['traces']), LoadInputError);
    assert.throws(() => parseRates('--rate', 'logs=5', ['traces']), /--rate sets a rate for logs, which --signals does not include/);
    assert.throws(() => parseSignals('--signals', 'spans'), /unknown signal "spans"/);
    assert.throws(() => parseDuration('--duration', 'soon'), /--duration must be a duration/);
    assert.throws(() => parseHeaders('--headers', ['novalue']), /name=value/);
  });

  it('classifies refusals by kind', () => {
    assert.equal(classifyFailure(429), '429');
    assert.equal(classifyFailure('RESOURCE_EXHAUSTED'), '429');
    assert.equal(classifyFailure(503), '503');
    assert.equal(classifyFailure('UNAVAILABLE'), '503');
    assert.equal(classifyFailure(400), '4xx');
    assert.equal(classifyFailure('INVALID_ARGUMENT'), '4xx');
    assert.equal(classifyFailure(500), '5xx');
    assert.equal(classifyFailure('INTERNAL'), '5xx');
    assert.equal(classifyFailure(null), 'network');
    // gRPC reports a refused connection and a failed handshake as UNAVAILABLE: neither is the server's 503
    assert.equal(classifyFailure('UNAVAILABLE', 'ECONNREFUSED'), 'network');
    assert.equal(classifyFailure('UNAVAILABLE', 'TLS'), 'tls');
    assert.equal(classifyFailure(null, 'ERR_SSL_WRONG_VERSION_NUMBER'), 'tls');
    assert.equal(classifyFailure(null, 'DEPTH_ZERO_SELF_SIGNED_CERT'), 'tls');
  });
});
