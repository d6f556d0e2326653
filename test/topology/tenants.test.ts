import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FARO_TENANT_PORT_BASE } from '../../src/catalog/otelcol.js';
import { DefinitionError } from '../../src/model/errors.js';
import { validateDefinition } from '../../src/model/load.js';
import { expand } from '../../src/topology/expand.js';
import { PACKAGE_ROOT } from '../../src/package-root.js';

const FILE = join(PACKAGE_ROOT, 'examples', 'rum', 'stack.yaml');
const raw = () => parse(readFileSync(FILE, 'utf8')) as Record<string, any>;

describe('tenants: the topology carries each tenant an environment serves', () => {
  it('examples/rum: ids default to the names, ports count up by name, burst defaults to twice the rate, propagation to the origins', () => {
    const t = expand(validateDefinition(FILE, raw()), 'prod');
    assert.deepEqual(
      t.tenants?.map((x) => [x.name, x.id, x.faroPort]),
      [
        ['blog', 'blog', FARO_TENANT_PORT_BASE],
        ['shop', 'shop', FARO_TENANT_PORT_BASE + 1],
      ],
    );
    const blog = t.tenants![0]!;
    assert.deepEqual(blog.rateLimit, { perSecond: 10, burst: 20 });
    assert.deepEqual(blog.ingressRateLimit, blog.rateLimit, 'the ingress limit defaults to the gateway limit');
    assert.deepEqual(blog.propagateTo, ['https://blog.example.com']);
    const shop = t.tenants![1]!;
    assert.equal(shop.sampling, 0.1);
    assert.deepEqual(shop.limits.logs, { ingestionRateBytes: 4 * 1024 ** 2, burstBytes: 6 * 1024 ** 2, maxStreams: 5000 });
    assert.deepEqual(shop.limits.metrics, { samplesPerSecond: 20000, burst: 40000, maxSeries: 50000 });
  });
  it('a tenant limited to some environments is absent from the others', () => {
    const r = raw();
    r.tenants.shop.environments = ['local'];
    const s = validateDefinition(FILE, r);
    assert.deepEqual(expand(s, 'prod').tenants?.map((x) => x.name), ['blog']);
    assert.deepEqual(expand(s, 'local').tenants?.map((x) => x.name), ['blog', 'shop']);
  });
  it('implicit ports follow the name order of the tenants without a pinned port and skip the pinned ones', () => {
    const r = raw();
    r.tenants.apps = { origins: ['https://apps.example.com'], rateLimit: { perSecond: 5 } };
    r.tenants.blog.port = FARO_TENANT_PORT_BASE;
    const t = expand(validateDefinition(FILE, r), 'local');
    assert.deepEqual(t.tenants?.map((x) => [x.name, x.faroPort - FARO_TENANT_PORT_BASE]), [['apps', 1], ['blog', 0], ['shop', 2]]);
  });
  it('an unknown environment, a shared tenant id and a shared port are bad input with their paths', () => {
    const r = raw();
    r.tenants.shop.environments = ['prdo'];
    r.tenants.blog.id = 'shop';
    // implicit ports skip pinned ones: only two pinned ports can meet
    r.tenants.blog.port = FARO_TENANT_PORT_BASE + 7;
    r.tenants.shop.port = FARO_TENANT_PORT_BASE + 7;
    assert.throws(
      () => validateDefinition(FILE, r),
      (e: unknown) => {
        assert.ok(e instanceof DefinitionError);
        const paths = e.issues.map((i) => i.path).sort();
        assert.deepEqual(paths, ['tenants.blog.id', 'tenants.shop.environments[0]', 'tenants.shop.port'].sort());
        assert.match(e.issues.find((i) => i.path === 'tenants.shop.environments[0]')!.suggestion, /prod/);
        return true;
      },
    );
  });
  it('a tenant without an origin is refused by the schema', () => {
    const r = raw();
    r.tenants.blog.origins = [];
    assert.throws(() => validateDefinition(FILE, r), (e: unknown) => e instanceof DefinitionError && e.issues.some((i) => i.path === 'tenants.blog.origins'));
  });
});
