// Issue 10's "Prometheus → Mimir" dual-write step on real Prometheus (the Debian package, scripts/peers): the source
// Prometheus runs the running render's prometheus.yml, then the one `migrate render --step 2` writes (remote write to
// Mimir); a second real Prometheus with its remote-write receiver stands in for Mimir (Mimir is not installable here:
// its push path /api/v1/push becomes the stand-in's /api/v1/write, and it is queried without Mimir's /prometheus
// prefix: --target-api prometheus). Both are placed on loopback: the scrape target and the remote-write URL point at
// the test's ports, and the scrape interval is 2 s instead of the rendered 30 s so the test is quick. The step's gate
// is run by the real CLI (`migrate check --step 2`): it fails while nothing is remote-written (the target holds
// nothing) and holds once the source remote-writes — the series and the metric names on both agree, no failed
// samples, no lag.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';

import { PROMETHEUS_MIGRATION as P } from '../../src/catalog/migrations.js';
import { freeLoopbackPorts, LOOPBACK_HOST } from '../../src/topology/loopback.js';
import { otelstackAsync, tempDir } from '../support/cli.js';
import { ROOT } from '../support/paths.js';
import { PrometheusClient } from '../../src/ops/backends/index.js';
import { PrometheusServer } from './support/prometheus.js';
import { killAllTracked, waitUntil } from './support/proc.js';
import { Setup, makeTempDir, removeTempDir } from './support/tmp.js';

const FROM = join(ROOT, 'test/fixtures/migrate/single-prometheus.yaml');
const TO = join(ROOT, 'examples/single-node');

/** A rendered prometheus.yml placed on loopback: its own scrape target at `self`, remote write (if any) to `target`. */
function place(text: string, self: number, target: number): string {
  const cfg = parse(text) as { global: Record<string, unknown>; scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }>; remote_write?: Array<{ url: string }> };
  cfg.global['scrape_interval'] = '2s';
  for (const sc of cfg.scrape_configs) for (const st of sc.static_configs) st.targets = st.targets.map(() => `${LOOPBACK_HOST}:${self}`);
  for (const rw of cfg.remote_write ?? []) {
    const u = new URL(rw.url);
    assert.equal(u.pathname, '/api/v1/push', "the rendered remote write goes to Mimir's push path");
    rw.url = `http://${LOOPBACK_HOST}:${target}/api/v1/write`;
  }
  return stringify(cfg);
}

describe('e2e: migrate Prometheus → Mimir, the dual-write step on real Prometheus', () => {
  let dir: string | undefined;
  let source: PrometheusServer | undefined;
  let target: PrometheusServer | undefined;
  const setup = new Setup(async () => {
    dir = makeTempDir('migrate-prometheus-mimir');
    const [ps, pt] = (await freeLoopbackPorts(2)) as [number, number];
    target = await PrometheusServer.start(dir, pt, 60_000, { name: 'mimir-stand-in' });
    // the running render's prometheus.yml (step 2's minus remote_write): render the running definition
    const out = tempDir('otelstack-prom-mimir-render-');
    const r = await otelstackAsync(['render', FROM, '--out', out]);
    assert.equal(r.code, 0, r.err);
    const running = readFileSync(join(out, 'compose/local/prometheus.yml'), 'utf8');
    source = await PrometheusServer.start(dir, ps, 60_000, { name: 'source', config: place(running, ps, pt) });
    return { dir, ps, pt };
  });
  before(setup.run);
  after(async () => {
    await source?.stop().catch(() => undefined);
    await target?.stop().catch(() => undefined);
    killAllTracked();
    removeTempDir(dir);
  });

  it('step 2: the gate fails before remote write and holds once the rendered remote write runs', async () => {
    const { dir, ps, pt } = setup.get();
    const state = join(tempDir('otelstack-prom-mimir-state-'), 'state.json');
    const check = () => otelstackAsync(['migrate', 'check', FROM, TO, '--env', 'local', '--step', '2', '--force', '--prometheus-url', `http://${LOOPBACK_HOST}:${ps}`, '--target-url', `http://${LOOPBACK_HOST}:${pt}`, '--target-api', 'prometheus', '--state', state, '--json'], 60_000);
    // the source scrapes itself; nothing is remote-written yet
    const src = new PrometheusClient({ url: `http://${LOOPBACK_HOST}:${ps}` });
    await waitUntil('the source to hold its own series', 60_000, async () => (await src.query('count({__name__=~".+"})')).some((s) => s.value > 0));
    const before = await check();
    assert.equal(before.code, 1, before.err);
    const b = JSON.parse(before.out) as { ok: boolean; conditions: Array<{ kind: string; status: string; detail: string }> };
    assert.ok(b.conditions.filter((c) => c.kind === 'compare').every((c) => c.status === 'fail' && /the target answered 0 series/.test(c.detail)), JSON.stringify(b.conditions));

    // apply step 2: the prometheus.yml migrate render writes, placed on loopback, and the source restarted on it
    const out = tempDir('otelstack-prom-mimir-step-');
    const r = await otelstackAsync(['migrate', 'render', FROM, TO, '--env', 'local', '--step', '2', '--force', '--out', out]);
    assert.equal(r.code, 0, r.err);
    const rendered = readFileSync(join(out, 'migrate/local/step-02-remote-write/prometheus.yml'), 'utf8');
    assert.match(rendered, new RegExp(`${P.keys.remoteWrite}:\\n  - url: http://mimir:\\d+/api/v1/push`));
    await source!.stop();
    source = await PrometheusServer.start(dir, ps, 60_000, { name: 'source', config: place(rendered, ps, pt) });

    let last = '';
    await waitUntil('the step-2 gate to hold', 90_000, async () => {
      const c = await check();
      last = c.out || c.err;
      return c.code === 0;
    }, { intervalMs: 3000, details: () => last });
    const j = JSON.parse(last) as { ok: boolean; conditions: Array<{ kind: string; status: string; description: string; detail: string }> };
    assert.equal(j.ok, true);
    assert.deepEqual(j.conditions.map((c) => [c.kind, c.status]), [['promql', 'hold'], ['promql', 'hold'], ['compare', 'hold'], ['compare', 'hold']]);
    // the remote-write metrics the gates query are the real Prometheus's (no series would fail them vacuously)
    for (const m of [P.metrics.samplesFailed, P.metrics.highestTimestamp, P.metrics.highestSentTimestamp]) {
      const s = await new PrometheusClient({ url: `http://${LOOPBACK_HOST}:${ps}` }).query(m);
      assert.ok(s.length > 0, `the source Prometheus exports ${m}`);
    }
    const st = JSON.parse(readFileSync(state, 'utf8')) as { passed: Array<{ step: number }> };
    assert.deepEqual(st.passed.map((p) => p.step), [2]);
  });
});
