import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tenantLimits } from '../../src/plan/rules/tenant-limits.js';
import type { Stack } from '../../src/model/schema.js';
import { expandAll } from '../../src/topology/expand.js';
import { withStack } from '../render/kubernetes/inspect.js';
import { example } from '../render/rules/support.js';

const check = (stack: Stack) => tenantLimits.check({ stack, file: 'stack.yaml', topologies: expandAll(stack) });

describe('plan rule tenant-limits', () => {
  it('examples/rum: every limit can hold', async () => {
    assert.deepEqual(check(await example('rum')), []);
  });
  it('a burst below the rate is an error at the burst; a rate above the engine\'s default burst is one at the rate', async () => {
    const stack = withStack(await example('rum'), (s) => {
      s.tenants!['shop']!.limits.logs = { ingestionRate: '8Mi', burst: '2Mi' };
      s.tenants!['shop']!.limits.traces = { ingestionRate: '64Mi' }; // Tempo's default burst is 30 MB
      s.tenants!['shop']!.limits.metrics = { samplesPerSecond: 500_000 }; // Mimir's default burst is 200000
    });
    const f = check(stack);
    const at = (env: string) => f.filter((x) => x.env === env).map((x) => [x.severity, x.path]).sort();
    for (const env of ['local', 'prod']) {
      assert.deepEqual(at(env), [
        ['error', 'tenants.shop.limits.logs.burst'],
        ['error', 'tenants.shop.limits.metrics.samplesPerSecond'],
        ['error', 'tenants.shop.limits.traces.ingestionRate'],
      ]);
    }
    assert.match(f.find((x) => x.path === 'tenants.shop.limits.traces.ingestionRate')!.message, /engine's default/);
  });
  it('limits on an engine that takes none (Prometheus; an unmanaged engine without a tenant) are warned about, with the path', async () => {
    const stack = withStack(await example('rum'), (s) => {
      s.signals.metrics = { engine: 'prometheus', phase: 1, managed: true, environments: { local: { mode: 'monolithic' } } } as never;
      s.signals.logs!.managed = false;
    });
    const f = check(stack);
    const local = f.filter((x) => x.env === 'local');
    assert.deepEqual(local.map((x) => [x.severity, x.path]).sort(), [
      ['warning', 'tenants.shop.limits.logs'],
      ['warning', 'tenants.shop.limits.metrics'],
    ]);
    assert.match(local.find((x) => x.path.endsWith('metrics'))!.message, /Prometheus \(no tenants\)/);
    assert.match(local.find((x) => x.path.endsWith('logs'))!.message, /not multi-tenant/);
    // prod has no metrics engine now
    assert.match(f.find((x) => x.env === 'prod' && x.path.endsWith('metrics'))!.message, /no metrics engine/);
  });
  it('a tenant datasource uid longer than Grafana takes is an error at grafana.tenantDatasourceUid', async () => {
    const stack = withStack(await example('rum'), (s) => {
      s.grafana.tenantDatasourceUid = '{stack}-{engine}-{env}-{tenant}-with-a-very-long-suffix';
    });
    const f = check(stack).filter((x) => x.path === 'grafana.tenantDatasourceUid');
    assert.equal(f.length, 12, 'three engines × two tenants × two environments');
    assert.ok(f.every((x) => x.severity === 'error'));
  });
});
