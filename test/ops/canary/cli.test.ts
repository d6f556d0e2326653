// `otelstack canary` as a user runs it: --once against the local stand-in (the OTLP sink as the ingestion endpoint,
// Tempo / Loki stand-ins, a real Prometheus) exits 0 with one line per environment; a loop serves /metrics and stops
// on SIGTERM; bad input exits 2 with the flag and a suggestion. Also: the definition copy the renderers hand the
// canary loads back to the same stack.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';

import { CANARY_METRICS as M } from '../../../src/catalog/canary.js';
import { loadStack } from '../../../src/model/load.js';
import { canaryDefinitionFile } from '../../../src/render/configs/canary.js';
import { freeLoopbackPorts } from '../../../src/topology/loopback.js';
import { otelstackAsync as otelstack } from '../../support/cli.js';
import { BIN, ROOT } from '../../support/paths.js';
import { PrometheusProcess } from '../backends/support/prometheus-process.js';
import { LocalStack } from '../verify/support/local-stack.js';

describe('otelstack canary (CLI)', () => {
  let prom: PrometheusProcess;
  let stack: LocalStack;
  let flags: string[];
  const dir = mkdtempSync(join(tmpdir(), 'otelstack-canary-cli-'));
  before(async () => {
    prom = await PrometheusProcess.start();
    stack = await LocalStack.start({ prometheus: prom, ignoreTenant: true });
    flags = ['--otlp-endpoint', stack.sink.grpcEndpoint, '--tempo-url', stack.tempo.url, '--prometheus-url', prom.url, '--loki-url', stack.loki.url, '--deadline', '20s'];
  });
  after(async () => {
    await stack?.stop();
    await prom?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--once: one round, exit 0 when every item is found', async () => {
    const r = await otelstack(['canary', 'examples/single-node', '--once', ...flags]);
    assert.equal(r.code, 0, `${r.out}\n${r.err}`);
    assert.match(r.out, /^canary local [0-9a-f]{32}: ok — traces found [\d.]+ s, metrics found [\d.]+ s, logs found [\d.]+ s$/m);
  });

  it('the loop serves its metrics on --listen and stops on SIGTERM', async () => {
    const [port] = (await freeLoopbackPorts(1)) as [number];
    const p = spawn(process.execPath, [BIN, 'canary', 'examples/single-node', ...flags, '--interval', '1s', '--listen', `127.0.0.1:${port}`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => p.on('exit', (c) => resolve(c)));
    try {
      let found = 0;
      for (let i = 0; i < 100 && found < 2; i++) {
        await sleep(200);
        try {
          const res = await request(`http://127.0.0.1:${port}/metrics`);
          const text = await res.body.text();
          found = Number(/^otelstack_canary_items_found_total\{env="local",signal="logs"\} (\d+)$/m.exec(text)?.[1] ?? 0);
          assert.ok(text.includes(`# TYPE ${M.latency} histogram`));
        } catch (e) {
          if (e instanceof assert.AssertionError) throw e;
        }
      }
      assert.ok(found >= 2, `two rounds found their log line:\n${err}`);
    } finally {
      p.kill('SIGTERM');
    }
    assert.equal(await exited, 0, err);
  });

  it('bad input exits 2 and names the flag', async () => {
    for (const [args, want] of [
      [['--listen', 'nowhere'], /--listen must be host:port/],
      [['--interval', 'soon'], /--interval must be a duration/],
      [['--interval', '100ms'], /interval must be at least 1s, got --interval 100ms/],
      [['--view', 'inside'], /--view must be host or network/],
      [['--env', 'nope'], /has no environment "nope"/],
    ] as const) {
      const r = await otelstack(['canary', 'examples/single-node', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, want);
    }
    // the definition's own interval is held to the same bound where it is written
    const short = join(dir, 'short.stack.yaml');
    writeFileSync(short, readFileSync(join(ROOT, 'examples', 'single-node', 'stack.yaml'), 'utf8').replace(/canary: \{ interval: 30s/, 'canary: { interval: 500ms'));
    const bad = await otelstack(['plan', short]);
    assert.equal(bad.code, 2, bad.err);
    assert.match(bad.err, /canary\.interval[\s\S]*at least 1s/);
    const several = await otelstack(['canary', 'examples/dts']);
    assert.equal(several.code, 2);
    assert.match(several.err, /several environments[\s\S]*--env with one of: dev, test, prod/);
  });

  it('the definition copy a rendered canary reads loads back to the same stack', async () => {
    const { stack: s } = await loadStack(join(ROOT, 'examples', 'production'));
    const file = join(dir, 'copy.stack.yaml');
    writeFileSync(file, canaryDefinitionFile(s));
    const again = await loadStack(file);
    assert.deepEqual(again.stack, s);
  });
});
