// `otelstack deploy` on the command line: --dry-run prints the plan (text and --json) without Docker; bad input exits
// 2 with a message naming what is wrong and a suggestion; a --dir that does not hold this definition's render is
// refused before anything runs.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { otelstackAsync } from '../../support/cli.js';

describe('otelstack deploy (CLI)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'otelstack-deploy-cli-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('--dry-run prints every step and changes nothing', async () => {
    const r = await otelstackAsync(['deploy', 'examples/scalable', '--dry-run']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /deploy scalable\/local \(compose project scalable-local\): 12 services/);
    assert.match(r.out, /drain gateway-0 in the load balancer/);
    assert.match(r.out, /dry run: nothing was changed/);
  });

  it('--dry-run --json: the plan in the documented shape', async () => {
    const r = await otelstackAsync(['deploy', 'examples/single-node', '--dry-run', '--json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.ok, true);
    assert.equal(j.dryRun, true);
    assert.equal(j.plan.loadBalancer, null);
    assert.deepEqual(j.plan.steps.slice(0, 4).map((s: { action: string }) => s.action), ['pull', 'stop', 'start', 'wait-healthy']);
    assert.match(j.plan.notes[0], /cannot be zero-downtime/);
  });

  it('a Kubernetes environment: exit 2, named, with a suggestion', async () => {
    const r = await otelstackAsync(['deploy', 'examples/dts', '--env', 'dev', '--dry-run']);
    assert.equal(r.code, 2);
    assert.match(r.err, /stack\.ts: environment dev runs on kubernetes, not compose/);
    assert.match(r.err, /suggestion:/);
  });

  it('an unknown --only phase: exit 2, listing the phases', async () => {
    const r = await otelstackAsync(['deploy', 'examples/scalable', '--only', 'gateways,routers', '--dry-run', '--json']);
    assert.equal(r.code, 2);
    const j = JSON.parse(r.out);
    assert.equal(j.ok, false);
    assert.match(j.error.message, /unknown phase routers/);
    assert.match(j.error.suggestion, /gateways, processors, brokers, engines, grafana/);
  });

  it('no --dir (and no --dry-run): exit 2, saying how to render first', async () => {
    const r = await otelstackAsync(['deploy', 'examples/scalable']);
    assert.equal(r.code, 2);
    assert.match(r.err, /deploy needs --dir/);
    assert.match(r.err, /otelstack render examples\/scalable --out out\//);
  });

  it('a --dir whose files differ from the render: exit 2, naming the files, nothing run', async () => {
    const out = join(tmp, 'out');
    const rendered = await otelstackAsync(['render', 'examples/scalable', '--out', out]);
    assert.equal(rendered.code, 0, rendered.err);
    const cfg = join(out, 'compose/local/haproxy.cfg');
    writeFileSync(cfg, readFileSync(cfg, 'utf8') + '# edited\n');
    const r = await otelstackAsync(['deploy', 'examples/scalable', '--dir', join(out, 'compose/local'), '--docker', join(tmp, 'no-docker')]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /does not hold what .* renders for local: haproxy\.cfg \(differs\)/);
  });

  it('a bad --health-timeout: exit 2', async () => {
    const r = await otelstackAsync(['deploy', 'examples/scalable', '--dry-run', '--health-timeout', 'soon']);
    assert.equal(r.code, 2);
    assert.match(r.err, /--health-timeout must be a whole number of seconds/);
  });
});
