import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { diffLines } from 'diff';
import fc from 'fast-check';
import { parse } from 'yaml';
import { validateDefinition } from '../../../src/model/load.js';
import { PACKAGE_ROOT } from '../../../src/package-root.js';
import type { TenantBlock } from '../../../src/ops/tenants/flags.js';
import { addTenantToYaml, removeTenantFromYaml } from '../../../src/ops/tenants/yaml-edit.js';

const RUM = join(PACKAGE_ROOT, 'examples', 'rum', 'stack.yaml');
const SINGLE = join(PACKAGE_ROOT, 'examples', 'single-node', 'stack.yaml');
const rum = readFileSync(RUM, 'utf8');
const single = readFileSync(SINGLE, 'utf8');
const docs: TenantBlock = { origins: ['https://docs.example.com'], sampling: 0.5, rateLimit: { perSecond: 20 } };

/** The parts of the edit: what the diff library says was added and removed, and whether the rest is untouched. */
function changes(from: string, to: string): { added: string[]; removed: string[] } {
  const parts = diffLines(from, to);
  return { added: parts.filter((p) => p.added).map((p) => p.value), removed: parts.filter((p) => p.removed).map((p) => p.value) };
}

describe('tenant YAML edits: the tenants block only, the rest byte for byte', () => {
  it('add to examples/rum: one block inserted after the last tenant, every other byte (comments included) kept', () => {
    const r = addTenantToYaml(RUM, rum, 'docs', docs);
    assert.equal(r.reformatted, false);
    const c = changes(rum, r.text);
    assert.deepEqual(c.removed, []);
    assert.deepEqual(c.added, ['  docs:\n    origins: [ "https://docs.example.com" ]\n    sampling: 0.5\n    rateLimit: { perSecond: 20 }\n']);
    const at = r.text.indexOf('  docs:\n');
    assert.equal(r.text.slice(0, at), rum.slice(0, at), 'everything before the new block is the original');
    assert.ok(r.text.slice(at).endsWith(rum.slice(at)), 'everything after it too');
    assert.ok(r.text.slice(at).startsWith('  docs:') && rum.slice(at).startsWith('policy:'), 'inserted at the end of the tenants block');
    const s = validateDefinition(RUM, parse(r.text));
    assert.deepEqual(s.tenants['docs']?.origins, ['https://docs.example.com']);
    assert.equal(s.tenants['docs']?.sampling, 0.5);
  });

  it('add to a definition without tenants: the block is created after the last top-level key, comments kept', () => {
    const r = addTenantToYaml(SINGLE, single, 'docs', docs);
    assert.equal(r.reformatted, false);
    const c = changes(single, r.text);
    assert.deepEqual(c.removed, []);
    assert.equal(c.added.length, 1);
    assert.match(c.added[0]!, /^tenants:\n {2}docs:\n {4}origins:/);
    for (const line of single.split('\n').filter((l) => l.trimStart().startsWith('#'))) assert.ok(r.text.includes(line), `comment kept: ${line}`);
    assert.equal(validateDefinition(SINGLE, parse(r.text)).tenants['docs']?.rateLimit.perSecond, 20);
  });

  it('add to `tenants: {}` and to an empty `tenants:` turns it into a block; the lines around stay', () => {
    for (const empty of ['tenants: {}', 'tenants:', 'tenants: ~']) {
      const src = `name: x # the name\n${empty}\n# after\nother: 1\n`;
      const r = addTenantToYaml('x.yaml', src, 'docs', docs);
      assert.equal(r.reformatted, false, empty);
      assert.equal(r.text, `name: x # the name\ntenants:\n  docs:\n    origins: [ "https://docs.example.com" ]\n    sampling: 0.5\n    rateLimit: { perSecond: 20 }\n# after\nother: 1\n`, empty);
    }
  });

  it('a four-space file gets a four-space block; a flow-style tenants map is re-serialised, meaning checked, and says so', () => {
    const four = 'name: x\nsignals:\n    traces: { engine: tempo }\ntenants:\n    a:\n        origins: ["https://a.example"]\n        rateLimit: { perSecond: 1 }\n';
    const r = addTenantToYaml('x.yaml', four, 'b', { origins: ['https://b.example'], rateLimit: { perSecond: 2, burst: 3 } });
    assert.equal(r.reformatted, false);
    assert.equal(r.text, `${four}    b:\n        origins: [ "https://b.example" ]\n        rateLimit: { perSecond: 2, burst: 3 }\n`);
    const flow = 'name: x # keep me\ntenants: { a: { origins: ["https://a.example"], rateLimit: { perSecond: 1 } } }\n';
    const f = addTenantToYaml('x.yaml', flow, 'b', { origins: ['https://b.example'], rateLimit: { perSecond: 2 } });
    assert.equal(f.reformatted, true);
    assert.match(f.text, /# keep me/);
    assert.deepEqual(Object.keys((parse(f.text) as { tenants: object }).tenants), ['a', 'b']);
  });

  it("remove from examples/rum: exactly shop's lines (its own comment included) go, nothing else changes", () => {
    const r = removeTenantFromYaml(RUM, rum, 'shop');
    assert.equal(r.reformatted, false);
    const c = changes(rum, r.text);
    assert.deepEqual(c.added, []);
    assert.equal(c.removed.length, 1);
    assert.match(c.removed[0]!, /^ {2}shop:\n/);
    assert.match(c.removed[0]!, /# level 1: one session in ten/);
    assert.doesNotMatch(c.removed[0]!, /blog/);
    assert.deepEqual(Object.keys(validateDefinition(RUM, parse(r.text)).tenants), ['blog']);
  });

  it('removing the last tenant removes the tenants key (the comments above it stay); an unknown tenant is refused', () => {
    const src = 'name: x\n# the teams\ntenants:\n  a:\n    origins: ["https://a.example"]\n    rateLimit: { perSecond: 1 }\n    # a note on a\nafter: 1\n';
    assert.equal(removeTenantFromYaml('x.yaml', src, 'a').text, 'name: x\n# the teams\nafter: 1\n');
    assert.throws(() => removeTenantFromYaml('x.yaml', src, 'zz'), /has no tenant "zz"/);
  });
});

const label = fc.stringMatching(/^[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,4})?$/);
const origin = fc.tuple(fc.constantFrom('http', 'https'), label, fc.constantFrom('example', 'test'), fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined })).map(([s, h, d, p]) => `${s}://${h}.${d}${p ? `:${p}` : ''}`);
const block: fc.Arbitrary<TenantBlock> = fc
  .record(
    {
      id: fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/),
      origins: fc.uniqueArray(origin, { minLength: 1, maxLength: 3 }),
      host: label.map((l) => `faro.${l}.example.com`),
      sampling: fc.double({ min: 0.001, max: 1, noNaN: true }).map((v) => Number(v.toFixed(3))),
      rateLimit: fc.record({ perSecond: fc.integer({ min: 1, max: 10_000 }), burst: fc.option(fc.integer({ min: 1, max: 100_000 }), { nil: undefined }) }),
      ingressRateLimit: fc.record({ perSecond: fc.integer({ min: 1, max: 10_000 }) }),
      propagateTo: fc.uniqueArray(label.map((l) => `https://api.${l}.example.com/v1`), { minLength: 1, maxLength: 2 }),
    },
    { requiredKeys: ['origins', 'rateLimit'] },
  )
  .map((b) => JSON.parse(JSON.stringify(b)) as TenantBlock);

describe('tenant YAML edits: add then remove (property)', () => {
  it('gives back the original file byte for byte, and the added definition validates with the tenant as given', () => {
    const taken = new Set(['shop', 'blog']);
    const shopId = new Set(['shop', 'blog']);
    fc.assert(
      fc.property(fc.constantFrom([RUM, rum] as const, [SINGLE, single] as const), label.filter((n) => !taken.has(n)), block, ([file, src], name, b) => {
        fc.pre(!shopId.has(b.id ?? name));
        const added = addTenantToYaml(file, src, name, b);
        assert.equal(added.reformatted, false);
        const s = validateDefinition(file, parse(added.text));
        assert.deepEqual(s.tenants[name]?.origins, b.origins);
        assert.equal(s.tenants[name]?.rateLimit.perSecond, b.rateLimit.perSecond);
        assert.equal(s.tenants[name]?.sampling, b.sampling ?? 1);
        const removed = removeTenantFromYaml(file, added.text, name);
        assert.equal(removed.text, src);
      }),
      { numRuns: 60 },
    );
  });
});
