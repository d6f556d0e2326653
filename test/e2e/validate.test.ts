// Test 1: every collector config otelstack renders — every example with an OpenTelemetry Collector pool, every
// environment, every role (gateway; processor behind Kafka) — is accepted by the real collector's `validate`
// (otelcol-otelstack, built from scripts/peers/otelcol-builder.yaml at the catalog's version). The files are exactly
// renderCollectorConfigs' output, as `otelstack render` writes them. A broken config is rejected, so `validate` is
// not a rubber stamp.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import { renderCollectorConfigs } from '../../src/render/configs/otelcol.js';
import { expandAll } from '../../src/topology/expand.js';
import { otelcolBin } from './support/peers.js';
import { exampleNames, loadExample } from './support/stacks.js';
import { Setup, makeTempDir, removeTempDir } from './support/tmp.js';

const run = promisify(execFile);

async function validate(bin: string, file: string): Promise<{ ok: boolean; output: string }> {
  try {
    const r = await run(bin, ['validate', `--config=${file}`], { timeout: 60_000 });
    return { ok: true, output: r.stdout + r.stderr };
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${x.stdout ?? ''}${x.stderr ?? ''}` || x.message };
  }
}

describe('e2e: the real collector validates every rendered collector config', () => {
  let dir: string | undefined;
  const rendered: Array<{ example: string; env: string; path: string; file: string }> = [];
  const setup = new Setup(async () => {
    const bin = otelcolBin();
    dir = makeTempDir('validate');
    for (const example of exampleNames()) {
      const stack = await loadExample(example);
      for (const topology of expandAll(stack)) {
        const r = renderCollectorConfigs({ stack, topology });
        assert.deepEqual(r.findings.filter((f) => f.severity === 'error'), [], `${example}/${topology.env.name}: render findings`);
        for (const [path, text] of r.files) {
          const file = join(dir, example, path);
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, text);
          rendered.push({ example, env: topology.env.name, path, file });
        }
      }
    }
    return { bin, dir };
  });
  before(setup.run);
  after(() => removeTempDir(dir));

  it('renders collector configs for the examples that run the OpenTelemetry Collector, both roles', () => {
    setup.get();
    const got = rendered.map((r) => `${r.example}:${r.path}`).sort();
    // single-node: a gateway straight to the backends; scalable: gateway → Kafka → processor
    for (const want of ['single-node:configs/local/otelcol-gateway.yaml', 'scalable:configs/local/otelcol-gateway.yaml', 'scalable:configs/local/otelcol-processor.yaml']) {
      assert.ok(got.includes(want), `expected ${want} among ${got.join(', ')}`);
    }
  });

  it('every rendered config passes `otelcol validate`', async () => {
    const { bin } = setup.get();
    const failures: string[] = [];
    for (const r of rendered) {
      const v = await validate(bin, r.file);
      if (!v.ok) failures.push(`${r.example}/${r.env} ${r.path}:\n${v.output}`);
    }
    assert.deepEqual(failures, [], failures.join('\n\n'));
  });

  it('validate rejects a broken config (an unknown key in a rendered exporter)', async () => {
    const { bin, dir } = setup.get();
    const r = rendered.find((x) => x.path.endsWith('otelcol-gateway.yaml'))!;
    const broken = readFileSync(r.file, 'utf8').replace('    sending_queue:\n', '    sending_queue:\n      no_such_setting: 1\n');
    assert.notEqual(broken, readFileSync(r.file, 'utf8'), 'the edit applied');
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, broken);
    const v = await validate(bin, file);
    assert.equal(v.ok, false, 'validate accepted an unknown key');
    assert.match(v.output, /no_such_setting/);
  });
});
