// `otelstack migrate render --step N` on the Mimir microservices → read-write runbook (test/fixtures/migrate):
// every step's overlay.libsonnet is evaluated by the real go-jsonnet (scripts/peers/jsonnet.sh; a missing binary
// FAILS with the installer to run) and evaluates to the `_config` and replicas the runbook says; the values file of a
// step is the running definition's rendered values with the Helm changes of steps 1..N; the CLI refuses an
// unpassed gate without --force and never overwrites a file it did not write.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';

import { MIMIR_READ_WRITE_MIGRATION as M } from '../../../src/catalog/migrations.js';
import { loadStack } from '../../../src/model/load.js';
import { planMigration } from '../../../src/ops/migrate/plan.js';
import { cumulativeHelm, helmPath, renderMigrationStep, stepDir } from '../../../src/ops/migrate/render.js';
import type { MigrationPlan } from '../../../src/ops/migrate/types.js';
import { renderKubernetes } from '../../../src/render/kubernetes/index.js';
import { renderTopology } from '../../../src/render/topology.js';
import type { FileSet } from '../../../src/render/fileset.js';
import { jsonnetBin } from '../../e2e/support/peers.js';
import { assertObjectsValidate } from '../../render/kubernetes/inspect.js';
import { otelstackSync, tempDirs } from '../../support/cli.js';
import { ROOT } from '../../support/paths.js';

const FROM = join(ROOT, 'test/fixtures/migrate/mimir-microservices.yaml');
const TO = join(ROOT, 'test/fixtures/migrate/mimir-read-write.yaml');
const tmp = tempDirs('otelstack-migrate-render-');

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function setup(): Promise<{ plan: MigrationPlan; from: Awaited<ReturnType<typeof loadStack>> }> {
  const from = await loadStack(FROM);
  const to = await loadStack(TO);
  return { plan: planMigration({ fromFile: from.file, fromStack: from.stack, toFile: to.file, toStack: to.stack, env: 'prod' }), from };
}

/**
 * A stand-in for ksonnet-util's kausal.libsonnet (not installed here): only what the overlays call,
 * `<kind>.mixin.spec.withReplicas(n)`, with the library's meaning (a patch setting spec.replicas).
 */
const KAUSAL_STUB = `{
  local withReplicas = { mixin: { spec: { withReplicas(n):: { spec+: { replicas: n } } } } },
  apps:: { v1:: { deployment:: withReplicas, statefulSet:: withReplicas } },
}
`;

/** Evaluates a step's overlay the way a main.jsonnet merges it: `{} + (import 'overlay.libsonnet')`. */
function evaluate(dir: string): { config: Obj; objects: Obj; hidden: Obj } {
  const lib = join(dir, '.jpath', 'ksonnet-util');
  mkdirSync(lib, { recursive: true });
  writeFileSync(join(lib, 'kausal.libsonnet'), KAUSAL_STUB);
  const wrapper = join(dir, 'evaluate.jsonnet');
  writeFileSync(
    wrapper,
    [
      "local merged = {} + (import 'overlay.libsonnet');",
      '{',
      "  config: if std.objectHasAll(merged, '_config') then merged._config else {},",
      '  objects: merged,',
      `  hidden: { [f]: merged[f] for f in std.objectFieldsAll(merged) if !std.objectHas(merged, f) && f != '_config' },`,
      '}',
    ].join('\n'),
  );
  const r = spawnSync(jsonnetBin(), ['-J', join(dir, '.jpath'), wrapper], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, `jsonnet rejected ${dir}/overlay.libsonnet:\n${r.stderr}`);
  return JSON.parse(r.stdout) as { config: Obj; objects: Obj; hidden: Obj };
}

const objectComponent = new Map(Object.entries(M.jsonnet.objects).map(([component, o]) => [o.object, component]));

describe('migrate render --step N', () => {
  it('every overlay evaluates with go-jsonnet to the _config values and replicas of its step', async () => {
    const { plan, from } = await setup();
    const rb = plan.runbook!;
    assert.ok(rb.steps.length >= 10, `the seed 004 runbook (${rb.steps.length} steps)`);
    let evaluated = 0;
    for (const step of rb.steps) {
      const files = renderMigrationStep(plan, step.n, from.stack);
      const text = files.get(`${stepDir(plan, step)}/overlay.libsonnet`);
      if (!step.change.jsonnet) {
        assert.equal(text, undefined, `step ${step.n}: no overlay when the step has none`);
        continue;
      }
      assert.ok(text, `step ${step.n}: overlay.libsonnet`);
      const dir = tmp();
      writeFileSync(join(dir, 'overlay.libsonnet'), text);
      const got = evaluate(dir);
      evaluated++;
      // every `_config` key the overlay writes is there with the value written (deployment_mode, replicas, flags)
      for (const m of step.change.jsonnet.matchAll(/^ {4}([a-z_]+): ('([^']*)'|true|false|\d+),$/gm)) {
        const [, key, raw, str] = m;
        if (!(key! in got.config) && (key! in got.hidden || key! in got.objects)) continue; // a field of an object patch
        const want = str !== undefined ? str : raw === 'true' ? true : raw === 'false' ? false : Number(raw);
        assert.deepEqual(got.config[key!], want, `step ${step.n} (${step.id}): _config.${key}`);
      }
      // every scaled object carries the replicas the step leaves its component with
      for (const [object, value] of Object.entries(got.objects)) {
        const component = objectComponent.get(object);
        const replicas = (value as Obj)['spec']?.['replicas'];
        if (component && replicas !== undefined && step.replicas[component] !== undefined) {
          assert.equal(replicas, step.replicas[component], `step ${step.n} (${step.id}): ${object} replicas`);
        }
      }
    }
    assert.ok(evaluated >= 8, `overlays evaluated: ${evaluated}`);
  });

  it('the step that deploys read-write at zero writes deployment_mode: migration and 0 read / write / backend replicas', async () => {
    const { plan, from } = await setup();
    const step = plan.runbook!.steps.find((s) => s.id === 'deploy-read-write-at-zero')!;
    const dir = tmp();
    writeFileSync(join(dir, 'overlay.libsonnet'), renderMigrationStep(plan, step.n, from.stack).get(`${stepDir(plan, step)}/overlay.libsonnet`)!);
    const { config } = evaluate(dir);
    assert.equal(config[M.jsonnet.deploymentMode], M.jsonnet.modes.migration);
    for (const k of Object.values(M.jsonnet.replicas)) assert.equal(config[k], 0, k);
  });

  it("values/mimir.yaml at step N: the running definition's rendered values with the Helm changes of steps 1..N; the Application carries them", async () => {
    const { plan, from } = await setup();
    const step = plan.runbook!.steps.find((s) => s.id === 'scale-down-read-backend-microservices')!;
    const files = renderMigrationStep(plan, step.n, from.stack);
    const values = parseYaml(files.get(`${stepDir(plan, step)}/values/mimir.yaml`)!) as Obj;
    const base = parseYaml(renderKubernetes({ stack: from.stack, topology: renderTopology(from.stack, 'prod') }).files.get('kubernetes/prod/values/mimir.yaml')!) as Obj;
    const changes = cumulativeHelm(plan, step.n);
    assert.ok(changes.some((c) => c.key === 'ingester.zoneAwareReplication.enabled'), 'step 1 carried forward');
    const at = (o: Obj, path: string[]) => path.reduce<any>((x, k) => (x === undefined ? undefined : x[k]), o); // eslint-disable-line @typescript-eslint/no-explicit-any
    for (const c of changes) assert.deepEqual(at(values, helmPath(c.key)), c.value, c.key);
    // the store-gateway flag is ONE extraArgs key, dots included
    assert.equal(values['store_gateway']['extraArgs']['store-gateway.sharding-ring.unregister-on-shutdown'], true);
    // nothing else moved
    const strip = (o: Obj) => {
      const x = structuredClone(o);
      for (const c of changes) {
        const p = helmPath(c.key);
        const parent = at(x, p.slice(0, -1));
        if (parent) delete parent[p[p.length - 1]!];
      }
      return JSON.parse(JSON.stringify(x, (_k, v) => (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0 ? undefined : v)));
    };
    assert.deepEqual(strip(values), strip(base));
    const app = parseYaml(files.get(`${stepDir(plan, step)}/applications/mimir.yaml`)!) as Obj;
    assert.deepEqual(app['spec']['source']['helm']['valuesObject'], values);
    assert.match(files.get(`${stepDir(plan, step)}/README.md`)!, /## Step 7: Scale down the read-path and backend microservices[\s\S]*Gate before the next step[\s\S]*Roll back:/);
  });

  it('on mimir-distributed every step also writes kubernetes/mimir-read-write/ (#8903): valid objects with the step\'s replicas, listed in the README', async () => {
    const { plan, from } = await setup();
    assert.ok(plan.runbook!.readWriteObjects, 'the fixture runs mimir-distributed on Kubernetes');
    for (const step of plan.runbook!.steps) {
      const files = renderMigrationStep(plan, step.n, from.stack);
      const dir = `${stepDir(plan, step)}/`;
      const objects: FileSet = new Map([...files].filter(([p]) => p.startsWith(`${dir}kubernetes/mimir-read-write/`)).map(([p, t]) => [p.slice(dir.length), t]));
      assert.ok(assertObjectsValidate(objects) > 0, `step ${step.n}: objects`);
      const read = parseYaml(objects.get('kubernetes/mimir-read-write/mimir-read-deployment.yaml')!) as Obj;
      const auto = objects.has('kubernetes/mimir-read-write/mimir-read-hpa.yaml');
      if (!auto) assert.equal(read['spec']['replicas'], step.replicas['mimir-read'], `step ${step.n}: mimir-read`);
      else assert.equal(read['spec']['replicas'], undefined, `step ${step.n}: the HPA owns mimir-read's count`);
      assert.match(files.get(`${dir}README.md`)!, /`kubernetes\/mimir-read-write\/` \(\d+ objects: mimir-read \d+, mimir-write \d+, mimir-backend \d+ replicas\)/);
    }
  });

  it('renders the same bytes twice', async () => {
    const { plan, from } = await setup();
    for (const s of plan.runbook!.steps) assert.deepEqual([...renderMigrationStep(plan, s.n, from.stack)], [...renderMigrationStep(plan, s.n, from.stack)]);
  });

  it('CLI: an unpassed gate is refused without --force (exit 2); --force renders and says so; re-render changes nothing; a file it did not write is never overwritten', () => {
    const out = tmp();
    const state = join(tmp(), 'state.json');
    const base = ['migrate', 'render', FROM, TO, '--env', 'prod', '--out', out, '--state', state];
    const refused = otelstackSync([...base, '--step', '2']);
    assert.equal(refused.code, 2, refused.err);
    assert.match(refused.err, /step 1 \(zone-awareness\) has not passed/);
    assert.match(refused.err, /--force to render step 2 anyway/);
    assert.equal(existsSync(join(out, 'migrate')), false, 'nothing written');
    const first = otelstackSync([...base, '--step', '1']);
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /rendered step 1 \(zone-awareness\)/);
    const forced = otelstackSync([...base, '--step', '2', '--force']);
    assert.equal(forced.code, 0, forced.err);
    assert.match(forced.out, /step 1 has not passed its gate \(--force\)/);
    const again = otelstackSync([...base, '--step', '1', '--json']);
    assert.equal(again.code, 0, again.err);
    const j = JSON.parse(again.out) as { created: string[]; unchanged: string[] };
    assert.deepEqual(j.created, []);
    assert.ok(j.unchanged.length >= 3);
    // a user's edit of a rendered file, and a file the user put where a step goes: refused, untouched
    const readme = join(out, 'migrate/prod/step-01-zone-awareness/README.md');
    writeFileSync(readme, 'my notes\n');
    const edited = otelstackSync([...base, '--step', '1']);
    assert.equal(edited.code, 2, edited.out);
    assert.equal(readFileSync(readme, 'utf8'), 'my notes\n');
    mkdirSync(join(out, 'migrate/prod/step-03-scale-up-read'), { recursive: true });
    writeFileSync(join(out, 'migrate/prod/step-03-scale-up-read/README.md'), 'mine\n');
    const foreign = otelstackSync([...base, '--step', '3', '--force']);
    assert.equal(foreign.code, 2, foreign.out);
    assert.equal(readFileSync(join(out, 'migrate/prod/step-03-scale-up-read/README.md'), 'utf8'), 'mine\n');
    const overwrite = otelstackSync([...base, '--step', '3', '--force', '--overwrite']);
    assert.equal(overwrite.code, 0, overwrite.err);
  });
});
