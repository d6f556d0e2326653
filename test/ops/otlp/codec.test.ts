import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  OtlpCodecError,
  attributesToRecord,
  backoffDelayMs,
  buildTraceTree,
  dataPointsOf,
  decodeRequest,
  decodeResponse,
  decodeRpcStatus,
  double,
  encodeLogs,
  encodeMetrics,
  encodeRequest,
  encodeResponse,
  encodeRpcStatus,
  encodeTraces,
  exemplarsOf,
  logRecordsOf,
  parseGrpcEndpoint,
  parseRetryAfter,
  randomSpanId,
  randomTraceId,
  resolveRetryPolicy,
  spansOf,
  toUnixNano,
  traceTreeSize,
  type OtlpEncoding,
} from '../../../src/ops/otlp/index.js';

const T0 = 1_700_000_000_000_000_000n;
const ENCODINGS: readonly OtlpEncoding[] = ['protobuf', 'json'];

describe('otlp codec', () => {
  for (const enc of ENCODINGS) {
    it(`round-trips traces with ids, attributes, status and parents (${enc})`, () => {
      const traceId = randomTraceId();
      const spans = buildTraceTree({ traceId, depth: 3, fanOut: 2, startTime: T0, isError: (p) => p.join('.') === '1.0', attributes: (p) => ({ depth: p.length, 'path.str': p.join('.') }) });
      assert.equal(spans.length, traceTreeSize(3, 2));
      assert.equal(spans.length, 7);
      const bytes = encodeTraces({ resource: { 'service.name': 'checkout', 'deployment.environment': 'test' }, scope: { name: 'otelstack-test', version: '1' }, spans }, enc);
      const decoded = decodeRequest('traces', bytes, enc);
      const got = [...spansOf(decoded)];
      assert.equal(got.length, 7);
      const byId = new Map(got.map((s) => [s.span.spanId, s]));
      for (const s of spans) {
        const d = byId.get(s.spanId);
        assert.ok(d, `span ${s.spanId} decoded`);
        assert.equal(d.span.traceId, traceId);
        assert.equal(d.span.parentSpanId, s.parentSpanId);
        assert.equal(d.span.name, s.name);
        assert.equal(d.span.startTimeUnixNano, String(s.startTime));
        assert.equal(attributesToRecord(d.resource?.attributes)['service.name'], 'checkout');
        assert.equal(d.scope?.name, 'otelstack-test');
        assert.deepEqual(attributesToRecord(d.span.attributes), s.attributes);
      }
      const errors = got.filter((s) => s.span.status?.code === 2);
      assert.equal(errors.length, 1);
      assert.equal(errors[0]?.span.name, 'op/1.0');
      assert.equal(errors[0]?.span.status?.message, 'synthetic error');
      const roots = got.filter((s) => s.span.parentSpanId === undefined);
      assert.equal(roots.length, 1);
      assert.equal(roots[0]?.span.kind, 2);
    });

    it(`round-trips a gauge and a sum with an exemplar carrying trace and span ids (${enc})`, () => {
      const traceId = randomTraceId();
      const spanId = randomSpanId();
      const bytes = encodeMetrics(
        {
          resource: { 'service.name': 'api' },
          metrics: [
            { kind: 'gauge', name: 'queue_depth', unit: '1', points: [{ value: 7n, time: T0, attributes: { queue: 'a' } }] },
            {
              kind: 'sum',
              name: 'requests_total',
              monotonic: true,
              temporality: 'cumulative',
              points: [{ value: 3.5, time: T0, startTime: T0 - 1_000_000_000n, attributes: { route: '/x', code: 200 }, exemplars: [{ value: 0.25, traceId, spanId, filteredAttributes: { user: 'u1' } }] }],
            },
            { kind: 'histogram', name: 'latency', points: [{ time: T0, count: 3, sum: 0.6, min: 0.1, max: 0.3, bounds: [0.2], bucketCounts: [1, 2], exemplars: [{ value: 0.3, traceId, spanId }] }] },
          ],
        },
        enc,
      );
      const decoded = decodeRequest('metrics', bytes, enc);
      const points = [...dataPointsOf(decoded)];
      assert.deepEqual(points.map((p) => `${p.metric.name}:${p.kind}`), ['queue_depth:gauge', 'requests_total:sum', 'latency:histogram']);
      const gauge = points[0];
      assert.ok(gauge && gauge.kind === 'gauge');
      assert.equal(gauge.point.asInt, '7');
      const sum = points[1];
      assert.ok(sum && sum.kind === 'sum');
      assert.equal(sum.point.asDouble, 3.5);
      assert.equal(sum.metric.sum?.isMonotonic, true);
      assert.equal(sum.metric.sum?.aggregationTemporality, 2);
      assert.deepEqual(attributesToRecord(sum.point.attributes), { route: '/x', code: 200 });
      const ex = [...exemplarsOf(decoded)];
      assert.equal(ex.length, 2);
      assert.equal(ex[0]?.metric, 'requests_total');
      assert.equal(ex[0]?.exemplar.traceId, traceId);
      assert.equal(ex[0]?.exemplar.spanId, spanId);
      assert.equal(ex[0]?.exemplar.asDouble, 0.25);
      assert.equal(ex[0]?.exemplar.timeUnixNano, String(T0));
      const hist = points[2];
      assert.ok(hist && hist.kind === 'histogram');
      assert.deepEqual(hist.point.bucketCounts, ['1', '2']);
      assert.equal(hist.point.count, '3');
    });

    it(`round-trips log records with trace/span ids and a body (${enc})`, () => {
      const traceId = randomTraceId();
      const spanId = randomSpanId();
      const bytes = encodeLogs(
        {
          resource: { 'service.name': 'worker' },
          records: [
            { time: T0, severityNumber: 17, severityText: 'ERROR', body: 'boom', traceId, spanId, attributes: { seq: 1 } },
            { time: T0, body: { structured: true, n: double(2), list: ['a', 1n] }, attributes: { seq: 2, bytes: new Uint8Array([1, 2, 3]) } },
          ],
        },
        enc,
      );
      const decoded = decodeRequest('logs', bytes, enc);
      const recs = [...logRecordsOf(decoded)];
      assert.equal(recs.length, 2);
      assert.equal(recs[0]?.record.traceId, traceId);
      assert.equal(recs[0]?.record.spanId, spanId);
      assert.equal(recs[0]?.record.body?.stringValue, 'boom');
      assert.equal(recs[0]?.record.severityNumber, 17);
      assert.equal(recs[1]?.record.traceId, undefined);
      const kv = recs[1]?.record.body?.kvlistValue?.values ?? [];
      assert.deepEqual(kv.map((x) => x.key), ['structured', 'n', 'list']);
      assert.equal(kv[1]?.value?.doubleValue, 2);
      assert.deepEqual(Buffer.from(recs[1]?.record.attributes[1]?.value?.bytesValue ?? []), Buffer.from([1, 2, 3]));
    });

    it(`encodes and decodes partial-success responses (${enc})`, () => {
      assert.deepEqual(decodeResponse('traces', encodeResponse('traces', {}, enc), enc), { rejected: 0 });
      assert.deepEqual(decodeResponse('metrics', encodeResponse('metrics', { rejected: 3, errorMessage: 'too old' }, enc), enc), { rejected: 3, errorMessage: 'too old' });
      assert.deepEqual(decodeResponse('logs', encodeResponse('logs', { rejected: 1 }, enc), enc), { rejected: 1 });
      assert.deepEqual(decodeRpcStatus(encodeRpcStatus({ code: 14, message: 'down' }, enc), enc), { code: 14, message: 'down' });
    });
  }

  it('writes OTLP/JSON ids as hex and 64-bit ints as strings', () => {
    const traceId = 'ab'.repeat(16);
    const json = JSON.parse(Buffer.from(encodeTraces({ spans: [{ traceId, spanId: 'cd'.repeat(8), name: 's', startTime: T0 }] }, 'json')).toString());
    const span = json.resourceSpans[0].scopeSpans[0].spans[0];
    assert.equal(span.traceId, traceId);
    assert.equal(span.spanId, 'cd'.repeat(8));
    assert.equal(span.startTimeUnixNano, String(T0));
  });

  it('decodes JSON written by other clients (numbers for int64, enum numbers)', () => {
    const body = Buffer.from(
      JSON.stringify({
        resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: 1700000000000000000, severityNumber: 9, body: { stringValue: 'hi' }, traceId: '5B8EFFF798038103D269B633813FC60C', spanId: 'EEE19B7EC3C1B174' }] }] }],
      }),
    );
    const rec = [...logRecordsOf(decodeRequest('logs', body, 'json'))][0];
    assert.equal(rec?.record.traceId, '5b8efff798038103d269b633813fc60c');
    assert.equal(rec?.record.spanId, 'eee19b7ec3c1b174');
    assert.equal(rec?.record.severityNumber, 9);
  });

  it('rejects invalid ids and undecodable bodies with OtlpCodecError', () => {
    assert.throws(() => encodeTraces({ spans: [{ traceId: 'xyz', spanId: '00'.repeat(8), name: 'a' }] }), OtlpCodecError);
    assert.throws(() => encodeTraces({ spans: [{ traceId: '00'.repeat(16), spanId: '11'.repeat(8), name: 'a' }] }), /not all zero/);
    assert.throws(() => decodeRequest('traces', Buffer.from([0x0a, 0xff, 0xff, 0xff]), 'protobuf'), OtlpCodecError);
    assert.throws(() => decodeRequest('traces', Buffer.from('not json'), 'json'), OtlpCodecError);
    assert.throws(() => buildTraceTree({ depth: 10, fanOut: 10 }), /maxSpans/);
  });

  it('converts timestamps to unix nanoseconds', () => {
    assert.equal(toUnixNano(1_700_000_000_123), '1700000000123000000');
    assert.equal(toUnixNano(1_700_000_000_123.5), '1700000000123500000');
    assert.equal(toUnixNano(new Date(1_000)), '1000000000');
    assert.equal(toUnixNano(5n), '5');
    assert.throws(() => toUnixNano(-1), OtlpCodecError);
  });

  it('encodes the same input identically via encodeRequest', () => {
    const input = { spans: [{ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name: 's', startTime: T0 }] };
    assert.deepEqual(Buffer.from(encodeRequest('traces', input)), Buffer.from(encodeTraces(input)));
  });
});

describe('otlp retry policy helpers', () => {
  it('parses Retry-After seconds and HTTP dates', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter(undefined), undefined);
    assert.equal(parseRetryAfter('soon'), undefined);
    const now = Date.parse('2024-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('Mon, 01 Jan 2024 00:00:05 GMT', now), 5000);
    assert.equal(parseRetryAfter('Mon, 01 Jan 2023 00:00:05 GMT', now), 0);
  });

  it('grows the backoff exponentially up to the cap', () => {
    const p = resolveRetryPolicy({ initialBackoffMs: 100, multiplier: 2, maxBackoffMs: 500, jitter: 0 });
    assert.deepEqual([1, 2, 3, 4, 5].map((n) => backoffDelayMs(p, n)), [100, 200, 400, 500, 500]);
    const j = resolveRetryPolicy({ initialBackoffMs: 100, jitter: 0.5 });
    assert.equal(backoffDelayMs(j, 1, () => 0), 50);
    assert.equal(backoffDelayMs(j, 1, () => 1), 150);
    assert.equal(resolveRetryPolicy(false).maxAttempts, 1);
    assert.throws(() => resolveRetryPolicy({ maxAttempts: 0 }), RangeError);
  });

  it('parses gRPC endpoints', () => {
    assert.deepEqual(parseGrpcEndpoint('http://127.0.0.1:4317', undefined), { target: '127.0.0.1:4317', tls: false });
    assert.deepEqual(parseGrpcEndpoint('https://otel.example:4317/', undefined), { target: 'otel.example:4317', tls: true });
    assert.deepEqual(parseGrpcEndpoint('otel:4317', true), { target: 'otel:4317', tls: false });
    assert.deepEqual(parseGrpcEndpoint('otel:4317', undefined), { target: 'otel:4317', tls: true });
  });
});
