// The read clients against the documented response shapes (a local HTTP server answering like Tempo v3.0.x,
// Loki v3.6.x, the Prometheus HTTP API and S3 ListObjectsV2), and the Prometheus client against a real Prometheus.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { BackendError } from '../../../src/ops/backends/http.js';
import { entriesOfStreams, LokiClient } from '../../../src/ops/backends/loki.js';
import { mimirPrometheusUrl, PrometheusClient } from '../../../src/ops/backends/prometheus.js';
import { S3Lister } from '../../../src/ops/backends/s3.js';
import { normalizeId, parseTraceResponse, TempoClient } from '../../../src/ops/backends/tempo.js';
import { closedPort } from '../../support/otlp-sink.js';
import { FakeHttp } from './support/fake-http.js';
import { PrometheusProcess } from './support/prometheus-process.js';
import { remoteWrite } from './support/remote-write.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';
const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

describe('Tempo client (Tempo HTTP API v3.0.x shapes)', () => {
  let fake: FakeHttp;
  before(async () => {
    fake = await FakeHttp.start((r) => {
      if (r.headers['x-scope-orgid'] === 'nobody') return { status: 401, text: 'no org id' };
      if (r.path === `/api/v2/traces/${TRACE}`) {
        return { json: { trace: { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] }, scopeSpans: [{ spans: [{ traceId: b64(TRACE), spanId: b64(SPAN), name: 'GET /cart' }] }] }] }, status: 'COMPLETE' } };
      }
      if (r.path === `/api/traces/${TRACE}`) {
        // older JSON: "batches" and instrumentationLibrarySpans, hex ids
        return { json: { batches: [{ resource: { attributes: [] }, instrumentationLibrarySpans: [{ spans: [{ traceId: TRACE, spanId: SPAN, parentSpanId: '', name: 'root' }] }] }] } };
      }
      if (r.path === '/api/search') {
        return { json: { traces: [{ traceID: 'af7651916cd43dd8448eb211c80319c', rootServiceName: 'checkout', rootTraceName: 'GET /cart', startTimeUnixNano: '1700000000000000000', durationMs: 12 }], metrics: { inspectedTraces: 3 } } };
      }
      return { status: 404, text: 'trace not found' };
    });
  });
  after(async () => fake?.stop());

  it('reads v2 ({trace: {resourceSpans}}, base64 ids) and v1 ({batches}, hex ids)', async () => {
    const c = new TempoClient({ url: `${fake.url}/`, tenant: 'team-a' });
    try {
      const v2 = await c.getTrace(TRACE);
      assert.deepEqual(v2, { spans: [{ traceId: TRACE, spanId: SPAN, name: 'GET /cart', serviceName: 'checkout' }], status: 'COMPLETE' });
      const v1 = await c.getTrace(TRACE, { api: 'v1', start: 1, end: 2 });
      assert.deepEqual(v1?.spans, [{ traceId: TRACE, spanId: SPAN, name: 'root' }]);
      assert.equal(await c.getTrace('ffffffffffffffffffffffffffffffff'), undefined, '404 is "not there (yet)"');
      const hits = await c.search('{ resource.service.name = "checkout" }', { start: 1, end: 2, limit: 5 });
      assert.deepEqual(hits, [{ traceId: TRACE, rootServiceName: 'checkout', rootTraceName: 'GET /cart', startTimeUnixNano: '1700000000000000000', durationMs: 12 }]);
      const search = fake.requests.find((r) => r.path === '/api/search');
      assert.equal(search?.query.get('q'), '{ resource.service.name = "checkout" }');
      assert.equal(search?.query.get('limit'), '5');
      assert.ok(fake.requests.every((r) => r.headers['x-scope-orgid'] === 'team-a'));
      assert.equal(fake.requests.find((r) => r.path.startsWith('/api/traces/'))?.query.get('start'), '1');
    } finally {
      await c.close();
    }
  });

  it('reports refusals and unreachable endpoints as BackendError kinds', async () => {
    const c = new TempoClient({ url: fake.url, tenant: 'nobody' });
    await assert.rejects(c.getTrace(TRACE), (e: unknown) => e instanceof BackendError && e.kind === 'http' && e.status === 401 && /HTTP 401: no org id/.test(e.message));
    await c.close();
    const port = await closedPort();
    const d = new TempoClient({ url: `http://127.0.0.1:${port}` });
    await assert.rejects(d.getTrace(TRACE), (e: unknown) => e instanceof BackendError && e.kind === 'unreachable' && /ECONNREFUSED/.test(e.message));
    await d.close();
  });

  it('normalises ids', () => {
    assert.equal(normalizeId(b64(TRACE), 16), TRACE);
    assert.equal(normalizeId(TRACE.toUpperCase(), 16), TRACE);
    assert.equal(normalizeId('af7651916cd43dd8448eb211c80319c', 16, true), TRACE);
    assert.equal(normalizeId('xyz', 16), undefined);
    assert.deepEqual(parseTraceResponse({ trace: { batches: [] } }, 'v2'), { spans: [] });
  });
});

describe('Loki client (Loki v3.6.x query_range)', () => {
  let fake: FakeHttp;
  before(async () => {
    fake = await FakeHttp.start((r) => {
      if (r.path !== '/loki/api/v1/query_range') return { status: 404, text: '404 page not found' };
      if (r.query.get('query') === 'bad') return { status: 400, text: 'parse error at line 1, col 1: syntax error: unexpected IDENTIFIER' };
      return {
        json: {
          status: 'success',
          data: {
            resultType: 'streams',
            result: [
              { stream: { service_name: 'otelstack-verify', trace_id: TRACE }, values: [['1700000000000000001', 'hello']] },
              // categorize-labels encoding: structured metadata in a third element
              { stream: { service_name: 'api' }, values: [['1700000000000000002', 'world', { structuredMetadata: { trace_id: TRACE }, parsed: { level: 'info' } }]] },
            ],
            stats: {},
          },
        },
      };
    });
  });
  after(async () => fake?.stop());

  it('flattens streams into entries with labels and structured metadata', async () => {
    const c = new LokiClient({ url: fake.url, tenant: 'team-a' });
    try {
      const e = await c.queryRange('{service_name="otelstack-verify"} |= "hello"', { start: 1_700_000_000_000, end: new Date(1_700_000_060_000), limit: 10, direction: 'forward' });
      assert.deepEqual(e, [
        { labels: { service_name: 'otelstack-verify', trace_id: TRACE }, timestampNs: '1700000000000000001', line: 'hello' },
        { labels: { service_name: 'api', trace_id: TRACE, level: 'info' }, timestampNs: '1700000000000000002', line: 'world' },
      ]);
      const q = fake.requests[0]!;
      assert.equal(q.query.get('start'), '1700000000000000000');
      assert.equal(q.query.get('end'), '1700000060000000000');
      assert.equal(q.query.get('direction'), 'forward');
      assert.equal(q.headers['x-scope-orgid'], 'team-a');
      await assert.rejects(c.queryRange('bad', { start: 0, end: 1 }), (err: unknown) => err instanceof BackendError && err.status === 400 && /syntax error/.test(err.message));
      assert.deepEqual(entriesOfStreams({ resultType: 'matrix', result: [] }), []);
    } finally {
      await c.close();
    }
  });
});

describe('Prometheus client (documented shapes)', () => {
  let fake: FakeHttp;
  before(async () => {
    fake = await FakeHttp.start((r) => {
      const q = r.query.get('query');
      if (r.path.endsWith('/api/v1/query') && q === 'scalar(1)') return { json: { status: 'success', data: { resultType: 'scalar', result: [1700000000.5, '1'] } } };
      if (r.path.endsWith('/api/v1/query') && q === 'up') return { json: { status: 'success', data: { resultType: 'vector', result: [{ metric: { __name__: 'up', job: 'x' }, value: [1700000000.5, '1'] }] } } };
      if (r.path.endsWith('/api/v1/query')) return { status: 400, json: { status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:1: parse error' } };
      if (r.path.endsWith('/api/v1/query_range')) return { json: { status: 'success', data: { resultType: 'matrix', result: [{ metric: { job: 'x' }, values: [[1, '1'], [2, '2']] }] } } };
      if (r.path.endsWith('/api/v1/query_exemplars')) return { json: { status: 'success', data: [{ seriesLabels: { __name__: 'x_total' }, exemplars: [{ labels: { trace_id: TRACE }, value: '6', timestamp: 1700000000.123 }] }] } };
      return { status: 404, text: 'not found' };
    });
  });
  after(async () => fake?.stop());

  it('reads vectors, scalars, matrices and exemplars; API errors name their type', async () => {
    const c = new PrometheusClient({ url: mimirPrometheusUrl(fake.url), tenant: 'team-a' });
    try {
      assert.deepEqual(await c.query('up'), [{ metric: { __name__: 'up', job: 'x' }, time: 1700000000.5, value: 1 }]);
      assert.deepEqual(await c.query('scalar(1)', { time: new Date(1_700_000_000_000) }), [{ metric: {}, time: 1700000000.5, value: 1 }]);
      assert.deepEqual(await c.queryRange('x', { start: 1, end: 2, stepSeconds: 1 }), [{ metric: { job: 'x' }, values: [{ time: 1, value: 1 }, { time: 2, value: 2 }] }]);
      assert.deepEqual(await c.queryExemplars('x_total', { start: 1, end: 2 }), [{ seriesLabels: { __name__: 'x_total' }, exemplars: [{ labels: { trace_id: TRACE }, value: 6, time: 1700000000.123 }] }]);
      await assert.rejects(c.query('('), (e: unknown) => e instanceof BackendError && e.status === 400 && /bad_data: invalid parameter/.test(e.message));
      assert.ok(fake.requests.every((r) => r.path.startsWith('/prometheus/api/v1/') && r.headers['x-scope-orgid'] === 'team-a'));
      assert.equal(fake.requests[1]!.query.get('time'), '1700000000.000');
    } finally {
      await c.close();
    }
    assert.equal(mimirPrometheusUrl('http://mimir:8080/'), 'http://mimir:8080/prometheus');
    assert.equal(mimirPrometheusUrl('http://mimir:8080/prometheus'), 'http://mimir:8080/prometheus');
  });
});

describe('Prometheus client against a real Prometheus (remote write with exemplars)', () => {
  let prom: PrometheusProcess;
  before(async () => {
    prom = await PrometheusProcess.start();
  });
  after(async () => prom?.stop());

  it('queries a series and its exemplar', async () => {
    const now = Date.now();
    await remoteWrite(`${prom.url}/api/v1/write`, [
      { labels: { __name__: 'otelstack_test_total', job: 'clients-test', verify_id: 'abc' }, samples: [{ value: 3, timestampMs: now }], exemplars: [{ labels: { trace_id: TRACE }, value: 3, timestampMs: now }] },
    ]);
    const c = new PrometheusClient({ url: prom.url });
    try {
      const deadline = Date.now() + 10_000;
      let v = await c.query('otelstack_test_total{verify_id="abc"}');
      while (v.length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        v = await c.query('otelstack_test_total{verify_id="abc"}');
      }
      assert.equal(v.length, 1);
      assert.equal(v[0]!.value, 3);
      assert.equal(v[0]!.metric['job'], 'clients-test');
      const range = await c.queryRange('otelstack_test_total', { start: (now - 60_000) / 1000, end: (now + 60_000) / 1000, stepSeconds: 15 });
      assert.ok(range[0]!.values.length > 0);
      const ex = await c.queryExemplars('otelstack_test_total{verify_id="abc"}', { start: (now - 60_000) / 1000, end: (now + 60_000) / 1000 });
      assert.equal(ex[0]?.exemplars[0]?.labels['trace_id'], TRACE);
      assert.equal(ex[0]?.exemplars[0]?.value, 3);
      await assert.rejects(c.query('sum('), (e: unknown) => e instanceof BackendError && e.status === 400 && /bad_data/.test(e.message));
    } finally {
      await c.close();
    }
  });
});

describe('S3 lister (ListObjectsV2, S3 API 2006-03-01)', () => {
  let fake: FakeHttp;
  before(async () => {
    fake = await FakeHttp.start((r) => {
      if (r.path.startsWith('/missing-bucket')) return { status: 404, contentType: 'application/xml', text: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>missing-bucket</BucketName></Error>' };
      const page2 = r.query.get('continuation-token') === 'next';
      const contents = page2
        ? '<Contents><Key>single-tenant/b2/meta.json</Key><LastModified>2030-01-01T00:00:05.000Z</LastModified><Size>20</Size></Contents>'
        : '<Contents><Key>single-tenant/a1/meta.json</Key><LastModified>2020-01-01T00:00:00.000Z</LastModified><Size>10</Size></Contents><Contents><Key>single-tenant/b1/data.parquet</Key><LastModified>2030-01-01T00:00:00.000Z</LastModified><Size>30</Size></Contents>';
      return {
        contentType: 'application/xml',
        text: `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>blocks</Name><Prefix>${r.query.get('prefix') ?? ''}</Prefix><KeyCount>${page2 ? 1 : 2}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>${page2 ? 'false' : 'true'}</IsTruncated>${page2 ? '' : '<NextContinuationToken>next</NextContinuationToken>'}${contents}</ListBucketResult>`,
      };
    });
  });
  after(async () => fake?.stop());

  it('lists every page under a prefix, keeping objects newer than `since`', async () => {
    const s3 = new S3Lister({ endpoint: fake.url, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    try {
      const r = await s3.list('blocks', { prefix: 'single-tenant/', since: new Date('2025-01-01T00:00:00Z') });
      assert.deepEqual(r.objects.map((o) => o.key), ['single-tenant/b1/data.parquet', 'single-tenant/b2/meta.json']);
      assert.equal(r.listed, 3);
      assert.match(fake.requests[0]!.path, /^\/blocks\/?$/, 'path-style addressing');
      assert.equal(fake.requests[0]!.query.get('list-type'), '2');
      assert.equal(fake.requests[0]!.query.get('prefix'), 'single-tenant/');
      await assert.rejects(s3.list('missing-bucket'), (e: unknown) => e instanceof BackendError && /NoSuchBucket|does not exist/.test(e.message));
    } finally {
      s3.close();
    }
  });
});
