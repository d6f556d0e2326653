// The Loki mode runbook's gates run by the real CLI (`migrate check`) against a REAL Prometheus (the Debian package,
// scripts/peers) holding Loki's own series, remote-written with the labels Loki's pods carry in the loki chart
// (pod loki-0 = the single binary, loki-write-0 / loki-read-… = simple-scalable; metric names of grafana/loki
// v3.6.3, catalog LOKI_MODES_MIGRATION):
//   loki_ingester_memory_streams{pod="loki-write-0"}                 12              → the new ingesters hold streams
//   loki_distributor_lines_received_total{pod="loki-write-0"}        increasing      → writes moved (staging step 2 holds)
//   loki_distributor_lines_received_total{pod="loki-0"}              constant        → the single binary takes none
//   loki_request_duration_seconds_count{pod="loki-read-…",route="loki_api_v1_query_range"} increasing → reads moved
// The same series make prod's second hop (simple-scalable → microservices) fail with useful lines: no microservice
// distributor receives lines, loki-write still does. The ingester ring page (/ring) and the read path's query_range
// are loopback servers answering as Loki does (dskit's ring JSON, Loki's streams JSON).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { loadStack } from '../../src/model/load.js';
import { PrometheusClient } from '../../src/ops/backends/index.js';
import { planMigration } from '../../src/ops/migrate/plan.js';
import { freeLoopbackPorts } from '../../src/topology/loopback.js';
import { otelstackAsync, tempDir } from '../support/cli.js';
import { ROOT } from '../support/paths.js';
import { ringPage, ringReply } from '../support/ring-page.js';
import { FakeHttp, type FakeReply, type FakeRequest } from '../ops/backends/support/fake-http.js';
import { remoteWrite, type RwSeries } from '../ops/backends/support/remote-write.js';
import { PrometheusServer } from './support/prometheus.js';
import { killAllTracked, waitUntil } from './support/proc.js';
import { Setup, makeTempDir, removeTempDir } from './support/tmp.js';

const FROM = join(ROOT, 'test/fixtures/migrate/loki-monolithic.yaml');
const TO = join(ROOT, 'examples/production');

/** Loki's series, one sample every 5 s from the last written one up to now (counters go on growing). */
class LokiSeries {
  private last = Date.now() - 55_000;
  private n = 0;
  constructor(private readonly url: string) {}
  async feed(): Promise<void> {
    const series = new Map<string, RwSeries & { samples: Array<{ value: number; timestampMs: number }> }>();
    const add = (labels: Record<string, string>, value: number, ts: number) => {
      const k = JSON.stringify(labels);
      if (!series.has(k)) series.set(k, { labels, samples: [] });
      series.get(k)!.samples.push({ value, timestampMs: ts });
    };
    for (let ts = this.last + 5000; ts <= Date.now(); ts += 5000) {
      this.n += 1;
      add({ __name__: 'loki_ingester_memory_streams', pod: 'loki-write-0', tenant: 'fake' }, 12, ts);
      add({ __name__: 'loki_distributor_lines_received_total', pod: 'loki-write-0', tenant: 'fake' }, 1000 + 50 * this.n, ts);
      add({ __name__: 'loki_distributor_lines_received_total', pod: 'loki-0', tenant: 'fake' }, 500, ts);
      add({ __name__: 'loki_request_duration_seconds_count', pod: 'loki-read-7d9f8-x2k4q', route: 'loki_api_v1_query_range', method: 'GET', status_code: '200' }, 10 * this.n, ts);
      add({ __name__: 'loki_request_duration_seconds_count', pod: 'loki-0', route: 'loki_api_v1_query_range', method: 'GET', status_code: '200' }, 7, ts);
      this.last = ts;
    }
    if (series.size) await remoteWrite(this.url, [...series.values()]);
  }
}

interface CheckJson {
  ok: boolean;
  conditions: Array<{ kind: string; status: string; description: string; detail: string }>;
}

describe('e2e migrate check: the Loki mode gates against a real Prometheus', () => {
  let dir: string | undefined;
  let prom: PrometheusServer | undefined;
  const fakes: FakeHttp[] = [];
  const setup = new Setup(async () => {
    dir = makeTempDir('migrate-loki');
    const [port] = (await freeLoopbackPorts(1)) as [number];
    prom = await PrometheusServer.start(dir, port);
    const series = new LokiSeries(`${prom.url}/api/v1/write`);
    await series.feed();
    const client = new PrometheusClient({ url: prom.url });
    await waitUntil('the remote-written Loki series to be queryable with a rate', 30_000, async () => (await client.query('count({__name__=~"loki_.+"})'))[0]?.value === 5);
    // the ingester ring page: the single binary and the write target both ACTIVE (dskit's JSON when asked)
    const ring = await FakeHttp.start((r: FakeRequest): FakeReply => (r.path === '/ring' ? ringReply(r.headers['accept'], ringPage([['loki-0', 'ACTIVE'], ['loki-write-0', 'ACTIVE']])) : { status: 404, text: '404 page not found' }));
    // the new read path answering query_range with one stream, and an empty one
    const streams = (lines: number) => (r: FakeRequest): FakeReply =>
      r.path === '/loki/api/v1/query_range'
        ? { json: { status: 'success', data: { resultType: 'streams', result: lines ? [{ stream: { service_name: 'checkout' }, values: Array.from({ length: lines }, (_, i) => [String(BigInt(Date.now() - i * 1000) * 1_000_000n), `line ${i}`]) }] : [], stats: {} } } }
        : { status: 404, text: '404 page not found' };
    const read = await FakeHttp.start(streams(3));
    const empty = await FakeHttp.start(streams(0));
    fakes.push(ring, read, empty);
    return { series, ring, read, empty, state: join(tempDir('otelstack-loki-state-'), 'state.json') };
  });
  before(setup.run);
  after(async () => {
    for (const f of fakes) await f.stop().catch(() => undefined);
    await prom?.stop().catch(() => undefined);
    killAllTracked();
    removeTempDir(dir);
  });

  const check = async (env: string, step: number, extra: string[] = []): Promise<{ code: number; j: CheckJson; raw: string }> => {
    const { series, ring, read, state } = setup.get();
    await series.feed();
    const r = await otelstackAsync(['migrate', 'check', FROM, TO, '--env', env, '--step', String(step), '--prometheus-url', prom!.url, '--ring-url', ring.url, '--loki-url', read.url, '--state', `${state}.${env}`, '--json', ...extra], 60_000);
    return { code: r.code ?? -1, j: JSON.parse(r.out || '{"ok":false,"conditions":[]}') as CheckJson, raw: r.out + r.err };
  };
  const lines = (j: CheckJson) => j.conditions.map((c) => `${c.status} ${c.description}: ${c.detail}`).join('\n');

  it('staging steps 1–3 hold in order: both kinds in the ring, writes and reads on simple-scalable', async () => {
    for (const n of [1, 2, 3]) {
      const r = await check('staging', n);
      console.log(`# staging step ${n}\n${lines(r.j).replace(/^/gm, '#   ')}`);
      assert.equal(r.code, 0, r.raw);
      assert.ok(r.j.conditions.every((c) => c.status === 'hold'), lines(r.j));
    }
    const r2 = await check('staging', 2);
    assert.match(lines(r2.j), /hold the monolithic distributors receive none: expected every series 0 \(or none\); got pod="loki-0" = 0/);
  });

  it('staging step 3 fails when the read path answers no lines; step 4 fails while loki-0 is in the ring', async () => {
    const { empty } = setup.get();
    const r = await check('staging', 3, ['--loki-url', empty.url]);
    assert.equal(r.code, 1, r.raw);
    assert.match(lines(r.j), /fail a LogQL query answers on the simple-scalable read path .*: no log lines over the last 300s at http:\/\/127\.0\.0\.1:\d+/);
    const r4 = await check('staging', 4);
    assert.equal(r4.code, 1, r4.raw);
    assert.match(lines(r4.j), /fail no monolithic ingester is left in the ingester ring: expected no monolithic instance; simple-scalable: loki-write-0 ACTIVE; monolithic: loki-0 ACTIVE/);
  });

  it("prod's second hop (simple-scalable → microservices) step 7 fails naming what it saw", async () => {
    const r = await check('prod', 7, ['--force']);
    console.log(`# prod step 7\n${lines(r.j).replace(/^/gm, '#   ')}`);
    assert.equal(r.code, 1, r.raw);
    assert.deepEqual(r.j.conditions.map((c) => c.status), ['fail', 'fail']);
    assert.match(r.j.conditions[0]!.detail, /expected a series > 0; got no series/);
    assert.match(r.j.conditions[1]!.detail, /got pod="loki-write-0" = \d/);
  });

  it('every PromQL gate of the Loki and Jaeger → Tempo runbooks is accepted by the real Prometheus query API', async () => {
    const client = new PrometheusClient({ url: prom!.url });
    const [from, to, jf, jt] = await Promise.all([loadStack(FROM), loadStack(TO), loadStack(join(ROOT, 'test/fixtures/migrate/single-jaeger.yaml')), loadStack(join(ROOT, 'examples/single-node'))]);
    const plans = [
      planMigration({ fromFile: from.file, fromStack: from.stack, toFile: to.file, toStack: to.stack, env: 'staging' }),
      planMigration({ fromFile: from.file, fromStack: from.stack, toFile: to.file, toStack: to.stack, env: 'prod' }),
      planMigration({ fromFile: jf.file, fromStack: jf.stack, toFile: jt.file, toStack: jt.stack, env: 'local' }),
    ];
    const queries = new Set(plans.flatMap((p) => p.runbook!.steps.flatMap((s) => s.gate.flatMap((g) => (g.kind === 'promql' ? [g.query] : [])))));
    assert.ok(queries.size >= 12, `${queries.size} queries`);
    for (const q of queries) await client.query(q); // a rejected query throws a BackendError naming it
  });
});
