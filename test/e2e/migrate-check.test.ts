// `otelstack migrate check` against a REAL Prometheus (the Debian package, scripts/peers): Prometheus scrapes a tiny
// HTTP endpoint in this process that serves, in the exposition format, the series the Mimir gates query — with the
// job, pod and route labels Mimir's components carry — so that one gate holds and one does not:
//   job mimir-read      cortex_querier_request_duration_seconds_count{route="prometheus_api_v1_query"}  increasing → step 3 holds
//   job query-frontend  cortex_query_frontend_queries_total{pod="query-frontend-0"}                     increasing → step 4 fails
//   job distributor     cortex_request_duration_seconds_count{route="api_v1_push"}                      constant   → step 10 holds
// Prometheus serves its API under /prometheus (--web.route-prefix), as Mimir does, and the checks use --api mimir.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';

import { MIMIR_API } from '../../src/catalog/mimir.js';
import { loadStack } from '../../src/model/load.js';
import { PrometheusClient, mimirPrometheusUrl } from '../../src/ops/backends/index.js';
import { planMigration } from '../../src/ops/migrate/plan.js';
import { LOOPBACK_HOST } from '../../src/topology/loopback.js';
import { otelstackAsync } from '../support/cli.js';
import { ROOT } from '../support/paths.js';
import { prometheusBin } from './support/peers.js';
import { ManagedProcess, killAllTracked, waitUntil } from './support/proc.js';
import { Setup, makeTempDir, removeTempDir } from './support/tmp.js';

const FROM = join(ROOT, 'test/fixtures/migrate/mimir-microservices.yaml');
const TO = join(ROOT, 'test/fixtures/migrate/mimir-read-write.yaml');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, LOOPBACK_HOST, () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Counters per path: increasing ones grow by 10 per scrape. */
function exposition(): Server {
  let n = 0;
  return createServer((req, res) => {
    n += 10;
    const body =
      req.url === '/read'
        ? `cortex_querier_request_duration_seconds_count{route="prometheus_api_v1_query",pod="mimir-read-0"} ${n}\n`
        : req.url === '/qf'
          ? `cortex_query_frontend_queries_total{pod="query-frontend-0"} ${n}\ncortex_query_frontend_queries_total{pod="ruler-query-frontend-0"} ${n}\n`
          : req.url === '/dist'
            ? 'cortex_request_duration_seconds_count{route="api_v1_push"} 42\n'
            : undefined;
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(body ?? '');
  });
}

describe('e2e migrate check: the Mimir gates against a real Prometheus', () => {
  let dir: string | undefined;
  let server: Server | undefined;
  let prometheus: ManagedProcess | undefined;
  const setup = new Setup(async () => {
    const bin = prometheusBin(); // throws MissingPeerError naming scripts/peers when prometheus is not installed
    dir = makeTempDir('migrate');
    server = exposition();
    await new Promise<void>((resolve) => server!.listen(0, LOOPBACK_HOST, resolve));
    const target = `${LOOPBACK_HOST}:${(server.address() as AddressInfo).port}`;
    const port = await freePort();
    const home = join(dir, 'prometheus');
    mkdirSync(join(home, 'data'), { recursive: true });
    const job = (name: string, path: string) => `  - job_name: ${name}\n    metrics_path: ${path}\n    static_configs:\n      - targets: ['${target}']\n`;
    writeFileSync(join(home, 'prometheus.yml'), `global:\n  scrape_interval: 1s\nscrape_configs:\n${job('mimir-read', '/read')}${job('query-frontend', '/qf')}${job('distributor', '/dist')}`);
    const base = `http://${LOOPBACK_HOST}:${port}`;
    prometheus = ManagedProcess.start('prometheus', bin, {
      args: [`--config.file=${join(home, 'prometheus.yml')}`, `--storage.tsdb.path=${join(home, 'data')}`, `--web.listen-address=${LOOPBACK_HOST}:${port}`, `--web.external-url=${base}${MIMIR_API.prometheusPrefix}`, `--web.route-prefix=${MIMIR_API.prometheusPrefix}`, '--log.level=warn'],
      logFile: join(home, 'prometheus.log'),
    });
    const api = `${base}${MIMIR_API.prometheusPrefix}`;
    await waitUntil('prometheus to be ready', 60_000, async () => {
      if (!prometheus!.running) throw new Error(`prometheus exited:\n${prometheus!.logTail()}`);
      const r = await request(`${api}/-/ready`, { headersTimeout: 2000, bodyTimeout: 2000 }).catch(() => undefined);
      await r?.body.dump();
      return r?.statusCode === 200;
    }, { details: () => prometheus!.logTail() });
    // every gate's rate() needs two samples of its series
    await waitUntil('three rate series with samples', 60_000, async () => {
      const r = await request(`${api}/api/v1/query?query=${encodeURIComponent('count(rate({__name__=~"cortex_.+"}[1m]))')}`, { headersTimeout: 2000, bodyTimeout: 2000 });
      const j = (await r.body.json()) as { data?: { result?: Array<{ value: [number, string] }> } };
      return Number(j.data?.result?.[0]?.value[1] ?? 0) >= 4;
    }, { details: () => prometheus!.logTail() });
    return { base, state: join(dir, 'state.json') };
  });
  before(setup.run);
  after(async () => {
    await prometheus?.stop({ signal: 'SIGTERM', graceMs: 15_000 });
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    killAllTracked();
    removeTempDir(dir);
  });

  const check = (step: number, extra: string[] = []) => {
    const { base, state } = setup.get();
    return otelstackAsync(['migrate', 'check', FROM, TO, '--env', 'prod', '--step', String(step), '--prometheus-url', base, '--api', 'mimir', '--state', state, ...extra], 60_000);
  };

  it('steps 1 and 2 (manual conditions only) pass in order and are recorded', async () => {
    for (const n of [1, 2]) {
      const r = await check(n);
      assert.equal(r.code, 0, r.err + r.out);
      assert.match(r.out, /^manual /m);
    }
  });

  it('step 3 holds: mimir-read is running queries (a series > 0), exit 0, recorded', async () => {
    const r = await check(3);
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /^hold {3}mimir-read is running queries: expected a series > 0; got pod="mimir-read-0" = \d/m);
    const s = JSON.parse(readFileSync(setup.get().state, 'utf8')) as { passed: Array<{ step: number }> };
    assert.deepEqual(s.passed.map((p) => p.step), [1, 2, 3]);
  });

  it('step 4 fails: the microservice query-frontend still gets queries (the ruler\'s is excluded), exit 1, not recorded', async () => {
    const r = await check(4, ['--json']);
    assert.equal(r.code, 1, r.err + r.out);
    const j = JSON.parse(r.out) as { ok: boolean; recorded: boolean; conditions: Array<{ status: string; detail: string }> };
    assert.equal(j.ok, false);
    assert.equal(j.recorded, false);
    assert.equal(j.conditions[0]!.status, 'fail');
    assert.match(j.conditions[0]!.detail, /got pod="query-frontend-0" = \d/);
    assert.doesNotMatch(j.conditions[0]!.detail, /ruler-query-frontend/);
    const human = await check(4);
    assert.equal(human.code, 1);
    assert.match(human.out, /^fail {3}the microservice query-frontend no longer gets requests: expected every series 0 \(or none\); got pod="query-frontend-0"/m);
    assert.match(human.out, /gate does not hold: /);
  });

  it('step 5 is refused while step 4 has not passed (exit 2)', async () => {
    const r = await check(5);
    assert.equal(r.code, 2);
    assert.match(r.err, /step 4 \(route-reads\) has not passed/);
  });

  it('with --force, step 10 runs: the distributor receives no pushes (rate 0) — holds, recorded as forced', async () => {
    const r = await check(10, ['--force']);
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /^hold {3}the microservice distributor no longer receives write requests: expected every series 0 \(or none\); got job="distributor" = 0/m);
    const s = JSON.parse(readFileSync(setup.get().state, 'utf8')) as { passed: Array<{ step: number; forced: boolean }> };
    assert.deepEqual(s.passed.map((p) => [p.step, p.forced]), [[1, false], [2, false], [3, false], [10, true]]);
  });

  it('every PromQL gate of both runbooks is accepted by the real Prometheus query API', async () => {
    const { base } = setup.get();
    const client = new PrometheusClient({ url: mimirPrometheusUrl(base), timeoutMs: 10_000 });
    const load = (f: string) => loadStack(f);
    const [from, to] = await Promise.all([load(FROM), load(TO)]);
    const forward = planMigration({ fromFile: from.file, fromStack: from.stack, toFile: to.file, toStack: to.stack, env: 'prod' });
    const reverse = planMigration({ fromFile: to.file, fromStack: to.stack, toFile: from.file, toStack: from.stack, env: 'prod' });
    const queries = [...forward.runbook!.steps, ...reverse.runbook!.steps].flatMap((s) => s.gate.flatMap((g) => (g.kind === 'promql' ? [g.query] : [])));
    assert.equal(new Set(queries).size, 6);
    for (const q of new Set(queries)) await client.query(q); // a rejected query throws a BackendError naming it
  });

  it('migrate plan shows where the migration stands', async () => {
    const r = await otelstackAsync(['migrate', 'plan', FROM, TO, '--env', 'prod', '--state', setup.get().state, '--json']);
    assert.equal(r.code, 1, r.err); // the fixture's peak finding
    const p = JSON.parse(r.out) as { progress: { next: number; passed: Array<{ step: number }> } };
    assert.equal(p.progress.next, 4);
    assert.deepEqual(p.progress.passed.map((x) => x.step), [1, 2, 3, 10]);
  });
});
