// runVerify end to end on a local stand-in of an environment: the OTLP sink as the ingestion endpoint, a real
// Prometheus fed by remote write for metrics (exemplars on), Tempo and Loki answering their documented query APIs
// from what the sink received. Also the failure verdicts: unreachable endpoints, wrong tenant, broken isolation,
// no exemplars, storage present / absent.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';

import { LOKI_API } from '../../../src/catalog/loki.js';
import { TEMPO_API } from '../../../src/catalog/tempo.js';
import { LokiClient } from '../../../src/ops/backends/loki.js';
import { PrometheusClient } from '../../../src/ops/backends/prometheus.js';
import type { ListResult } from '../../../src/ops/backends/s3.js';
import { TempoClient } from '../../../src/ops/backends/tempo.js';
import { createOtlpSender } from '../../../src/ops/otlp/index.js';
import { createVerifyClients, runVerify, verifyReportJson, verifyReportTable, type ObjectLister, type VerifyClients, type VerifyReport, type VerifyTargets } from '../../../src/ops/verify/index.js';
import { closedPort } from '../../support/otlp-sink.js';
import { PrometheusProcess } from '../backends/support/prometheus-process.js';
import { LocalStack } from './support/local-stack.js';

const FAST = { initialMs: 20, maxMs: 200, factor: 1.5 };

function targetsFor(stack: LocalStack, o: { protocol?: 'grpc' | 'http'; tenant?: string; tempoUrl?: string; metricsUrl?: string; lokiUrl?: string; otlp?: string; buckets?: boolean } = {}): VerifyTargets {
  const protocol = o.protocol ?? 'grpc';
  const tenant = o.tenant !== undefined ? { tenant: o.tenant } : {};
  return {
    stack: 'demo',
    env: 'local',
    namespace: 'demo-local',
    otlp: { endpoint: o.otlp ?? (protocol === 'grpc' ? stack.sink.grpcEndpoint : stack.sink.httpEndpoint), protocol: protocol === 'grpc' ? 'grpc' : 'http/protobuf', headers: o.tenant ? { 'X-Scope-OrgID': o.tenant } : {} },
    traces: { engine: 'tempo', url: o.tempoUrl ?? stack.tempo.url, api: 'v2', ...tenant },
    metrics: { engine: 'prometheus', url: o.metricsUrl ?? stack.prometheus!.url, ...tenant },
    logs: { engine: 'loki', url: o.lokiUrl ?? stack.loki.url, ...tenant },
    storage: {
      endpoint: 'http://127.0.0.1:1',
      region: 'us-east-1',
      buckets: o.buckets
        ? [
            { signal: 'traces', engine: 'tempo', bucket: 'demo-traces-local-blocks', purpose: 'blocks', prefix: 'single-tenant/' },
            { signal: 'logs', engine: 'loki', bucket: 'demo-logs-local-chunks', purpose: 'chunks', prefix: 'fake/' },
          ]
        : [],
    },
  };
}

function byLabel(r: VerifyReport, label: string) {
  const c = r.checks.find((x) => x.label === label);
  assert.ok(c, `no check ${label} in ${JSON.stringify(r.checks.map((x) => x.label))}`);
  return c;
}

describe('runVerify against a local stack with a real Prometheus', () => {
  let prom: PrometheusProcess;
  let stack: LocalStack;
  before(async () => {
    prom = await PrometheusProcess.start();
    stack = await LocalStack.start({ prometheus: prom, visibilityDelayMs: 50 });
  });
  after(async () => {
    await stack?.stop();
    await prom?.stop();
  });

  for (const protocol of ['grpc', 'http'] as const) {
    it(`gives one passing verdict for traces, metrics and logs (${protocol})`, async () => {
      const t = targetsFor(stack, { protocol });
      const clients = createVerifyClients(t);
      try {
        const r = await runVerify(t, clients, { timeoutMs: 20_000, backoff: FAST });
        assert.equal(r.ok, true, verifyReportTable(r, false));
        assert.deepEqual(
          r.checks.map((c) => [c.label, c.status]),
          [
            ['traces', 'ok'],
            ['metrics', 'ok'],
            ['logs', 'ok'],
            ['metrics → traces', 'ok'],
            ['logs → traces', 'ok'],
          ],
        );
        for (const c of r.checks) {
          assert.ok(c.pushedAt && !Number.isNaN(Date.parse(c.pushedAt)));
          assert.ok(typeof c.visibleAfterMs === 'number' && c.visibleAfterMs >= 0);
        }
        assert.match(byLabel(r, 'traces').detail, /2 of 2 spans, service otelstack-verify/);
        assert.match(byLabel(r, 'metrics → traces').detail, new RegExp(`exemplar trace_id ${r.traceId} → Tempo trace with 2 spans`));
        // what was pushed went through the ingestion endpoint, tagged for routing by namespace
        const span = stack.sink.received('traces').items.find((s) => s.span.span.traceId === r.traceId);
        assert.ok(span);
        assert.ok(span.span.resource?.attributes.some((kv) => kv.key === 'k8s.namespace.name' && kv.value?.stringValue === 'demo-local'));
        assert.equal(stack.forwardError, undefined);
        const json = JSON.parse(verifyReportJson(r)) as Record<string, unknown>;
        assert.deepEqual(Object.keys(json), ['stack', 'env', 'traceId', 'ok', 'startedAt', 'durationMs', 'endpoints', 'checks']);
      } finally {
        await clients.close();
      }
    });
  }

  it('fails with a clear message when the ingestion endpoint is unreachable', async () => {
    const port = await closedPort();
    const t = targetsFor(stack, { otlp: `http://127.0.0.1:${port}`, protocol: 'http' });
    const clients = createVerifyClients(t, { pushBudgetMs: 500 });
    try {
      const r = await runVerify(t, clients, { timeoutMs: 2000, backoff: FAST });
      assert.equal(r.ok, false);
      for (const s of ['traces', 'metrics', 'logs']) {
        const c = byLabel(r, s);
        assert.equal(c.status, 'fail');
        assert.match(c.detail, new RegExp(`push to http://127.0.0.1:${port} \\(http/protobuf\\) failed: .*ECONNREFUSED`));
      }
      assert.equal(byLabel(r, 'metrics → traces').status, 'skipped');
      assert.match(verifyReportTable(r, false), /FAILED \(3 checks\)/);
    } finally {
      await clients.close();
    }
  });

  it('fails with "unreachable" when a backend cannot be reached', async () => {
    const port = await closedPort();
    const t = targetsFor(stack, { tempoUrl: `http://127.0.0.1:${port}` });
    const clients = createVerifyClients(t);
    try {
      const r = await runVerify(t, clients, { timeoutMs: 1500, backoff: FAST });
      assert.equal(r.ok, false);
      const c = byLabel(r, 'traces');
      assert.equal(c.status, 'fail');
      assert.match(c.detail, new RegExp(`http://127.0.0.1:${port} unreachable for 1.5 s: GET .*cannot reach it \\(ECONNREFUSED`));
      assert.equal(byLabel(r, 'metrics').status, 'ok');
      assert.equal(byLabel(r, 'logs').status, 'ok');
      // the links need Tempo, so they fail too
      assert.equal(byLabel(r, 'metrics → traces').status, 'fail');
    } finally {
      await clients.close();
    }
  });

  it('proves tenant isolation, and reports the wrong tenant as not visible', async () => {
    const t = targetsFor(stack, { tenant: 'team-a' });
    const clients = createVerifyClients(t, { otherTenant: 'team-b' });
    try {
      const r = await runVerify(t, clients, { timeoutMs: 20_000, backoff: FAST });
      // Prometheus has no tenants: the other tenant reads the series, which is exactly what the check must catch
      assert.deepEqual(
        r.checks.filter((c) => c.kind === 'isolation').map((c) => [c.label, c.status]),
        [
          ['isolation traces', 'ok'],
          ['isolation metrics', 'fail'],
          ['isolation logs', 'ok'],
        ],
      );
      assert.match(byLabel(r, 'isolation metrics').detail, /tenant "team-b" can read the metrics/);
      assert.equal(r.ok, false);
    } finally {
      await clients.close();
    }
    // reading as a tenant the data was not written for: not visible, with the tenant named
    const wrong: VerifyTargets = { ...t, traces: { ...t.traces!, tenant: 'team-z' }, logs: { ...t.logs!, tenant: 'team-z' } };
    const c2 = createVerifyClients(wrong);
    try {
      const r = await runVerify(wrong, { ...c2, sender: createOtlpSender({ endpoint: stack.sink.grpcEndpoint, protocol: 'grpc', headers: { 'X-Scope-OrgID': 'team-a' } }) }, { timeoutMs: 800, backoff: FAST });
      const c = byLabel(r, 'traces');
      assert.equal(c.status, 'fail');
      assert.match(c.detail, /not visible in .* within 0\.8 s .*read as tenant "team-z"/);
      assert.equal(byLabel(r, 'logs').status, 'fail');
    } finally {
      await c2.close();
    }
  });
});

describe('runVerify storage and exemplar verdicts (no Prometheus needed)', () => {
  let stack: LocalStack;
  before(async () => {
    stack = await LocalStack.start();
  });
  after(async () => stack?.stop());

  /** Metrics reader answering like a Prometheus without exemplar storage. */
  const noExemplars = {
    query: async () => [{ metric: { job: 'otelstack-verify' }, time: Date.now() / 1000, value: 1 }],
    queryExemplars: async () => [],
  };

  it('checks new objects in each data bucket, and says which bucket stayed empty', async () => {
    const t = targetsFor(stack, { buckets: true, metricsUrl: 'http://127.0.0.1:9' });
    const seen: string[] = [];
    const lister: ObjectLister = {
      list: async (bucket, o): Promise<ListResult> => {
        seen.push(`${bucket}/${o.prefix}`);
        const objects = bucket.includes('traces') ? [{ key: `${o.prefix}0f4c/meta.json`, size: 10, lastModified: new Date() }] : [];
        return { objects, listed: objects.length, truncated: false };
      },
    };
    const real = createVerifyClients(t);
    const clients: VerifyClients = { sender: real.sender, readers: { ...real.readers, metrics: noExemplars }, storage: lister, flush: async () => ['tempo 204', 'loki 204'] };
    try {
      const r = await runVerify(t, clients, { timeoutMs: 1500, backoff: FAST, checkStorage: true, storageTimeoutMs: 300, storageBackoff: FAST });
      assert.equal(byLabel(r, 'storage traces').status, 'ok');
      assert.match(byLabel(r, 'storage traces').detail, /1 new object\(s\) under s3:\/\/demo-traces-local-blocks\/single-tenant\/ \(tempo blocks\), e\.g\. single-tenant\/0f4c\/meta\.json/);
      assert.equal(byLabel(r, 'storage logs').status, 'fail');
      assert.match(byLabel(r, 'storage logs').detail, /no new object under s3:\/\/demo-logs-local-chunks\/fake\/ .*flush asked: tempo 204; loki 204/);
      assert.ok(seen.includes('demo-traces-local-blocks/single-tenant/'));
      // the metric was visible but carried no exemplar: the verdict says what to switch on
      assert.equal(byLabel(r, 'metrics').status, 'ok');
      assert.equal(byLabel(r, 'metrics → traces').status, 'fail');
      assert.match(byLabel(r, 'metrics → traces').detail, /exemplar storage must be on \(Mimir: limits\.max_global_exemplars_per_user > 0/);
      assert.equal(r.ok, false);
    } finally {
      await real.close();
    }
  });

  it('times each link from the push: logs → traces does not wait for a slow metrics backend', async () => {
    const t = targetsFor(stack, { metricsUrl: 'http://127.0.0.1:9' });
    const real = createVerifyClients(t);
    const slowFrom = Date.now();
    // a metrics backend whose series shows up only 1.5 s after the start (logs and traces: within ms), with an
    // exemplar pointing to the pushed trace (its id is in the query)
    const idOf = (q: string): string => /"([0-9a-f]{32})"/.exec(q)![1]!;
    const slow = {
      query: async (q: string) => (Date.now() - slowFrom < 1500 ? [] : [{ metric: { __name__: 'x' }, value: 1, time: Date.now() / 1000 }]),
      queryExemplars: async (q: string) => [{ seriesLabels: {}, exemplars: [{ labels: { trace_id: idOf(q) }, value: 1, time: Date.now() / 1000 }] }],
    };
    const clients: VerifyClients = { ...real, readers: { ...real.readers, metrics: slow } };
    try {
      const r = await runVerify(t, clients, { timeoutMs: 20_000, backoff: FAST });
      assert.equal(r.ok, true, verifyReportTable(r, false));
      assert.ok(byLabel(r, 'metrics').visibleAfterMs! >= 1400, `metrics after ${byLabel(r, 'metrics').visibleAfterMs} ms`);
      assert.ok(byLabel(r, 'metrics → traces').visibleAfterMs! >= byLabel(r, 'metrics').visibleAfterMs!);
      const logLink = byLabel(r, 'logs → traces').visibleAfterMs!;
      assert.ok(logLink < 1000, `logs → traces measured from the push (${logLink} ms), not from the end of the metrics poll`);
      assert.ok(logLink >= byLabel(r, 'logs').visibleAfterMs!);
    } finally {
      await real.close();
    }
  });

  it('--flush asks Loki\'s ingester /flush (from the catalog) and says why Tempo 3 is not asked', async () => {
    const asked: string[] = [];
    const server = http.createServer((req, res) => {
      asked.push(`${req.method} ${req.url} ${req.headers['x-scope-orgid'] ?? ''}`);
      res.writeHead(req.url === LOKI_API.flush ? 204 : 404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const t = targetsFor(stack, { lokiUrl: url, tempoUrl: url, metricsUrl: url, tenant: 'team-a' });
      const clients = createVerifyClients(t, { flush: true });
      try {
        const lines = await clients.flush!();
        assert.deepEqual(asked, ['POST /flush team-a'], 'only Loki is asked; Tempo 3 serves no /flush');
        assert.ok(lines.includes('loki 204'), lines.join('; '));
        assert.ok(lines.some((l) => /^tempo not asked: Tempo 3 has no flush endpoint/.test(l)), lines.join('; '));
      } finally {
        await clients.close();
      }
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    assert.equal(TEMPO_API.flush, null);
  });

  it('without --flush, an empty Loki bucket says that chunks wait for chunk_idle_period and to use --flush', async () => {
    const t = targetsFor(stack, { buckets: true, metricsUrl: 'http://127.0.0.1:9' });
    const empty: ObjectLister = { list: async () => ({ objects: [], listed: 0, truncated: false }) };
    const real = createVerifyClients(t);
    try {
      const r = await runVerify(t, { sender: real.sender, readers: { ...real.readers, metrics: noExemplars }, storage: empty }, { timeoutMs: 1500, backoff: FAST, checkStorage: true, storageTimeoutMs: 200, storageBackoff: FAST });
      assert.match(byLabel(r, 'storage logs').detail, /Loki keeps a quiet chunk in memory for its chunk_idle_period, by default 1800 s, longer than the storage timeout: use --flush/);
      assert.match(byLabel(r, 'storage traces').detail, /Tempo 3 has no flush endpoint; blocks land after the block-builder's consume cycle/);
    } finally {
      await real.close();
    }
  });

  it('fails isolation when the backend ignores tenants', async () => {
    const open = await LocalStack.start({ ignoreTenant: true });
    try {
      const t = targetsFor(open, { tenant: 'team-a', metricsUrl: 'http://127.0.0.1:9' });
      const real = createVerifyClients(t, { otherTenant: 'team-b' });
      const other = real.otherTenant!;
      const clients: VerifyClients = { ...real, readers: { ...real.readers, metrics: noExemplars }, otherTenant: { tenant: other.tenant, readers: { traces: other.readers.traces!, logs: other.readers.logs! } } };
      try {
        const r = await runVerify(t, clients, { timeoutMs: 1500, backoff: FAST });
        assert.equal(byLabel(r, 'isolation traces').status, 'fail');
        assert.equal(byLabel(r, 'isolation logs').status, 'fail');
        assert.equal(byLabel(r, 'isolation metrics').status, 'skipped');
      } finally {
        await real.close();
      }
    } finally {
      await open.stop();
    }
  });

  it('read clients are real clients (types line up)', () => {
    // compile-time check that the backends satisfy the reader interfaces runVerify takes
    const readers: VerifyClients['readers'] = {
      traces: new TempoClient({ url: 'http://127.0.0.1:1' }),
      metrics: new PrometheusClient({ url: 'http://127.0.0.1:1' }),
      logs: new LokiClient({ url: 'http://127.0.0.1:1' }),
    };
    assert.ok(readers.traces && readers.metrics && readers.logs);
  });
});
