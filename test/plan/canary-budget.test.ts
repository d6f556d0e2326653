// The canary is budgeted like the components: one replica in phase 1 of the totals and the quota request, a row of
// the plan, and a memory limit only where the resource policy lists it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CANARY_DEFAULTS, CANARY_NAME } from '../../src/catalog/canary.js';
import { loadStack } from '../../src/model/load.js';
import type { Stack } from '../../src/model/schema.js';
import { buildPlan } from '../../src/plan/index.js';
import { ROOT } from '../support/paths.js';

describe('plan: the canary', async () => {
  const { stack } = await loadStack(`${ROOT}examples/production`);
  const without = structuredClone(stack) as Stack;
  delete (without as { canary?: unknown }).canary;
  const env = stack.environments[0]!.name;
  const planOf = (s: Stack) => buildPlan(s, 'stack.yaml').environments.find((e) => e.name === env)!;

  it('adds its one replica to phase 1 and the totals, as a row of its own', () => {
    const a = planOf(stack);
    const b = planOf(without);
    assert.equal(a.totals.cpuRequestMillicores - b.totals.cpuRequestMillicores, CANARY_DEFAULTS.cpuMillicores);
    assert.equal(a.totals.memoryRequestBytes - b.totals.memoryRequestBytes, CANARY_DEFAULTS.memoryBytes);
    assert.equal(a.phases[0]!.cpuRequestMillicores - b.phases[0]!.cpuRequestMillicores, CANARY_DEFAULTS.cpuMillicores);
    const row = a.components.find((c) => c.engine === 'otelstack' && c.component === 'canary');
    assert.ok(row && row.replicas === 1 && row.phase === 1 && row.budgeted);
    assert.equal(b.components.some((c) => c.engine === 'otelstack'), false);
  });

  it('has a memory limit only where policy.memoryLimits lists it; one the policy does not allow is refused', () => {
    assert.equal(planOf(stack).components.find((c) => c.engine === 'otelstack')!.perReplica.memoryLimitBytes, null);
    const listed = structuredClone(stack) as Stack;
    listed.policy.memoryLimits.push(CANARY_NAME);
    assert.equal(planOf(listed).components.find((c) => c.engine === 'otelstack')!.perReplica.memoryLimitBytes, CANARY_DEFAULTS.memoryLimitBytes);
    const given = structuredClone(stack) as Stack;
    given.canary!.memoryLimit = '300Mi';
    const f = buildPlan(given, 'stack.yaml').findings.filter((x) => x.rule === 'resource-policy' && x.path === 'canary.memoryLimit');
    assert.equal(f.length, stack.environments.length, JSON.stringify(f));
    assert.match(f[0]!.message, /the canary .* has a memory limit of 300 ?Mi/);
  });
});
