// otelstack publishes neither its image nor its npm package yet: the plan says so where a definition relies on the
// defaults, and the definition's otelstack.image / otelstack.package reach every target that runs otelstack.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { CANARY_IMAGE, CANARY_PACKAGE } from '../../src/catalog/canary.js';
import { DefinitionError } from '../../src/model/errors.js';
import { loadStack, validateDefinition } from '../../src/model/load.js';
import type { Stack } from '../../src/model/schema.js';
import { buildPlan } from '../../src/plan/index.js';
import { renderStack } from '../../src/render/index.js';
import { ROOT } from '../support/paths.js';

type M = Record<string, any>;
const rule = (s: Stack) => buildPlan(s, 'stack.yaml').findings.filter((f) => f.rule === 'otelstack-artifacts');

describe('otelstack-artifacts', async () => {
  const production = (await loadStack(`${ROOT}examples/production`)).stack;
  const vms = (await loadStack(`${ROOT}examples/vms`)).stack;
  const single = (await loadStack(`${ROOT}examples/single-node`)).stack;

  it('the default image and package are a warning naming the environments and how to build them', () => {
    const defaults = structuredClone(production);
    delete (defaults as { otelstack?: unknown }).otelstack;
    const [img] = rule(defaults);
    assert.equal(img!.path, 'otelstack.image');
    assert.match(img!.message, new RegExp(`${CANARY_IMAGE.repository}:${CANARY_IMAGE.tag}.*does not publish`));
    assert.match(img!.suggestion, /docker build -t/);
    const [pkg] = rule(vms);
    assert.equal(pkg!.path, 'otelstack.package');
    assert.match(pkg!.message, new RegExp(`${CANARY_PACKAGE.name}@${CANARY_PACKAGE.version}`));
    assert.match(pkg!.suggestion, /npm pack/);
    // no canary, no backups: nothing runs otelstack
    const none = structuredClone(defaults);
    delete (none as { canary?: unknown }).canary;
    assert.deepEqual(rule(none), []);
  });

  it('the definition\'s image reaches the Kubernetes Deployment and the compose service; its package the VM inventory', () => {
    const p = structuredClone(production);
    p.otelstack = { image: 'registry.example.com/platform/otelstack:0.1.0' };
    assert.deepEqual(rule(p), []);
    const env = p.environments[0]!.name;
    const d = parse(renderStack(p).files.get(`kubernetes/${env}/canary/deployment.yaml`)!) as M;
    assert.equal(d['spec'].template.spec.containers[0].image, 'registry.example.com/platform/otelstack:0.1.0');
    const s = structuredClone(single);
    s.otelstack = { image: 'registry.example.com/platform/otelstack:0.1.0' };
    const c = parse(renderStack(s).files.get('compose/local/docker-compose.yaml')!) as M;
    assert.equal(c['services']['otelstack-canary'].image, 'registry.example.com/platform/otelstack:0.1.0');
    const v = structuredClone(vms);
    v.otelstack = { package: '/opt/pkgs/otelstack-0.1.0.tgz' };
    assert.deepEqual(rule(v), []);
    const inv = parse(renderStack(v).files.get('ansible/inventory/prod.yml')!) as M;
    const children = inv['all'].children;
    assert.equal(children['canary'].vars['otelstack_canary_package'], '/opt/pkgs/otelstack-0.1.0.tgz');
    assert.equal(children['backup'].vars['otelstack_backup_package'], '/opt/pkgs/otelstack-0.1.0.tgz');
  });

  it('a malformed image or package is bad input with the path and an example', () => {
    for (const [o, want] of [[{ image: 'not an image' }, /otelstack\.image/], [{ package: 'two words' }, /otelstack\.package/]] as const) {
      const raw = structuredClone(single) as unknown as M;
      raw['otelstack'] = o;
      assert.throws(() => validateDefinition('stack.yaml', raw), (e: unknown) => e instanceof DefinitionError && want.test(e.message) && e.issues.every((i) => i.suggestion));
    }
  });
});
