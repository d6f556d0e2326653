import assert from 'node:assert/strict';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { DefinitionError } from '../../../src/model/errors.js';
import { tenantPorts } from '../../../src/model/tenants.js';
import { loadStack } from '../../../src/model/load.js';
import { PACKAGE_ROOT } from '../../../src/package-root.js';
import { addTenant, onboardingMarkdown, removeTenant, TenantInputError, tenantRows, tenantTable } from '../../../src/ops/tenants/index.js';
import { tenantFromFlags } from '../../../src/ops/tenants/flags.js';
import { faroSnippet, prefixRegex } from '../../../src/ops/tenants/onboarding.js';
import { tempDir } from '../../support/cli.js';

const RUM = join(PACKAGE_ROOT, 'examples', 'rum', 'stack.yaml');
const DTS = join(PACKAGE_ROOT, 'examples', 'dts', 'stack.ts');

function copyOf(src: string): string {
  const dir = tempDir('otelstack-tenant-');
  const f = join(dir, 'stack.yaml');
  copyFileSync(src, f);
  return f;
}
const base = { dryRun: false, diff: 'auto' as const };
const docsFlags = { origin: ['https://docs.example.com'], rate: '20/s', sampling: '0.5' };

describe('tenant flags', () => {
  it('build the tenant block in the schema key order, only what was given', () => {
    assert.deepEqual(tenantFromFlags({ origin: ['https://a.example'], rate: '50/s', burst: '100', sampling: '0.1', host: 'faro.a.example.com', ingressRate: '100/s', id: 'team-a', env: ['prod'] }), {
      id: 'team-a',
      environments: ['prod'],
      origins: ['https://a.example'],
      host: 'faro.a.example.com',
      sampling: 0.1,
      rateLimit: { perSecond: 50, burst: 100 },
      ingressRateLimit: { perSecond: 100 },
    });
  });
  it('refuse a bad origin (checkOrigin), a rate not written N/s, a sampling outside 0 < s ≤ 1, a missing --rate', () => {
    const bad: Array<[Record<string, unknown>, RegExp, RegExp]> = [
      [{ origin: ['https://app.example.com/path'], rate: '5/s' }, /--origin .*has a path/, /write "https:\/\/app\.example\.com"/],
      [{ origin: ['app.example.com'], rate: '5/s' }, /no scheme/, /https:\/\/app\.example\.com/],
      [{ origin: ['https://a.example'], rate: '50' }, /--rate must be a rate .* N\/s/, /--rate 50\/s/],
      [{ origin: ['https://a.example'], rate: '50/min' }, /N\/s/, /./],
      [{ origin: ['https://a.example'], rate: '5/s', sampling: '0' }, /0 < s ≤ 1/, /--sampling 0\.1/],
      [{ origin: ['https://a.example'], rate: '5/s', sampling: '1.5' }, /0 < s ≤ 1/, /./],
      [{ origin: ['https://a.example'] }, /--rate is required/, /--rate 50\/s/],
      [{ rate: '5/s' }, /--origin is required/, /--origin https/],
      [{ origin: ['https://a.example'], rate: '5/s', host: 'https://faro.a.example.com' }, /--host must be a lowercase DNS name/, /--host faro\.a\.example\.com/],
    ];
    for (const [flags, message, suggestion] of bad) {
      assert.throws(
        () => tenantFromFlags(flags),
        (e: unknown) => e instanceof TenantInputError && message.test(e.message) && suggestion.test(e.suggestion ?? ''),
        JSON.stringify(flags),
      );
    }
  });
});

describe('tenant add', () => {
  it('writes the YAML definition in place, atomically (no temporary file left), and the result loads', async () => {
    const f = copyOf(RUM);
    const c = await addTenant({ ...base, definition: f, name: 'docs', flags: docsFlags });
    assert.equal(c.written, true);
    assert.equal(c.refused, false);
    assert.deepEqual(readdirSync(join(f, '..')), ['stack.yaml']);
    const { stack } = await loadStack(f);
    assert.deepEqual(stack.tenants['docs']?.origins, ['https://docs.example.com']);
    assert.match(c.definitionPatch ?? '', /^\+ {2}docs:$/m);
    // docs sorts between blog and shop: in name order it would take shop's port, so it is written with the next free one
    assert.ok(c.notes.some((n) => /tenant docs gets Faro port 12402, written as tenants\.docs\.port: .*shop's \(12401 → 12402\)/.test(n)), c.notes.join('\n'));
    assert.ok(!c.notes.some((n) => /port moves/.test(n)), 'no tenant port moves');
    assert.equal(stack.tenants['docs']?.port, 12402);
    assert.deepEqual([...tenantPorts(stack.tenants)], [['blog', 12400], ['docs', 12402], ['shop', 12401]]);
    assert.match(c.definitionPatch ?? '', /^\+ {4}host: .*\n\+ {4}port: 12402$|^\+ {4}origins:.*\n(?:\+.*\n)*?\+ {4}port: 12402$/m);
  });

  it('--dry-run writes nothing and still reports the edit, the render diff and the onboarding', async () => {
    const f = copyOf(RUM);
    const before = readFileSync(f);
    const c = await addTenant({ ...base, dryRun: true, definition: f, name: 'docs', flags: docsFlags });
    assert.equal(c.written, false);
    assert.ok(readFileSync(f).equals(before));
    assert.ok(c.definitionPatch);
    assert.ok(Array.isArray(c.render.files));
    assert.equal(c.onboarding?.id, 'docs');
  });

  it('an invalid edited definition (unknown environment) exits as a DefinitionError naming the path; the file is byte-identical', async () => {
    const f = copyOf(RUM);
    const before = readFileSync(f);
    await assert.rejects(
      () => addTenant({ ...base, definition: f, name: 'docs', flags: { ...docsFlags, env: ['staging'] } }),
      (e: unknown) => e instanceof DefinitionError && e.issues.some((i) => i.path === 'tenants.docs.environments[0]' && i.file === f && /local, prod/.test(i.expected)),
    );
    await assert.rejects(() => addTenant({ ...base, definition: f, name: 'docs', flags: { ...docsFlags, id: 'shop' } }), (e: unknown) => e instanceof DefinitionError && /also tenant shop's/.test(e.message));
    assert.ok(readFileSync(f).equals(before));
  });

  it('an existing name is refused with the way out', async () => {
    const f = copyOf(RUM);
    await assert.rejects(
      () => addTenant({ ...base, definition: f, name: 'shop', flags: docsFlags }),
      (e: unknown) => e instanceof TenantInputError && /already has a tenant "shop"/.test(e.message) && /tenant remove .* shop` first, or pick another name/.test(e.suggestion ?? ''),
    );
    await assert.rejects(() => addTenant({ ...base, definition: f, name: 'Docs', flags: docsFlags }), /not a DNS label/);
  });

  it('a TypeScript definition is never edited: the exact object to add under tenants is printed', async () => {
    const before = readFileSync(DTS);
    const c = await addTenant({ ...base, definition: DTS, name: 'docs', flags: { ...docsFlags, host: 'faro.docs.example.com', burst: '30' } });
    assert.equal(c.kind, 'typescript');
    assert.equal(c.written, false);
    assert.ok(readFileSync(DTS).equals(before));
    assert.equal(c.typescript, "docs: {\n  origins: ['https://docs.example.com'],\n  host: 'faro.docs.example.com',\n  sampling: 0.5,\n  rateLimit: { perSecond: 20, burst: 30 },\n},");
    assert.ok(c.notes.some((n) => /does not edit TypeScript definitions/.test(n)));
    // the object printed is what the definition would hold: evaluating it gives the block
    const value = new Function(`return { ${c.typescript} }`)() as Record<string, unknown>;
    assert.deepEqual(value['docs'], c.block);
  });

  it('the onboarding sheet (markdown) has the tenant id, the three limits, engine limits, the Faro SDK settings, datasources and verify --tenant', async () => {
    const f = copyOf(RUM);
    const c = await addTenant({ ...base, dryRun: true, definition: f, name: 'docs', flags: { ...docsFlags, host: 'faro.docs.example.com', burst: '25', ingressRate: '40/s', propagateTo: ['https://api.docs.example.com'] } });
    const md = onboardingMarkdown(c.onboarding!);
    assert.match(md, /\*\*Tenant id\*\* .*`docs`/);
    assert.match(md, /\| 1 \| client sampling \(Faro SDK\) \| 0\.5 \(50% of sessions\) \|/);
    assert.match(md, /\| 2 \| ingress \(tenant host\) \| 40\/s, burst 80 \|/);
    assert.match(md, /\| 3 \| gateway \(Faro receiver, 429 above\) \| 20\/s, burst 25 \|/);
    assert.match(md, /\| logs \(Loki\) \| engine default \|/);
    assert.match(md, /Faro URL: `https:\/\/faro\.docs\.example\.com\/`/, 'prod: the host behind the ingress, https with its TLS secret');
    assert.match(md, /Faro URL: `http:\/\/localhost:12402\/`/, "local: the gateway's tenant Faro port (pinned past shop's)");
    assert.match(md, /sessionTracking: \{ samplingRate: 0\.5 \}/);
    assert.match(md, /propagateTraceHeaderCorsUrls: \[\/\^https:\\\/\\\/api\\\.docs\\\.example\\\.com\(\\\/\|\$\)\/\]/);
    assert.match(md, /`Loki \(prod, docs\)`, `Mimir \(prod, docs\)`, `Tempo \(prod, docs\)`/, "the datasources the renderers provision (grafana.tenantDatasourceName)");
    assert.match(md, /otelstack verify .* --env prod --tenant docs/);
  });

  it("a tenant's engine limits are shown as given", async () => {
    const { stack } = await loadStack(RUM);
    const rows = tenantRows(stack);
    assert.deepEqual(rows.filter((r) => r.env === 'prod').map((r) => [r.tenant, r.engineLimits]), [['blog', []], ['shop', ['logs', 'traces', 'metrics']]]);
  });

  it('the Faro SDK snippet is JavaScript: its propagateTraceHeaderCorsUrls list evaluates to RegExps matching only the tenant backends', async () => {
    const f = copyOf(RUM);
    const c = await addTenant({ ...base, dryRun: true, definition: f, name: 'docs', flags: { ...docsFlags, propagateTo: ['https://api.docs.example.com/v1', 'http://localhost:8080'] } });
    const snippet = faroSnippet(c.onboarding!, c.onboarding!.environments[0]!);
    const list = /propagateTraceHeaderCorsUrls: (\[.*?\]) \}/.exec(snippet)![1]!;
    const urls = new Function(`return ${list}`)() as RegExp[];
    assert.equal(urls.length, 2);
    const hit = (u: string) => urls.some((r) => r.test(u));
    assert.ok(hit('https://api.docs.example.com/v1/search?q=x'));
    assert.ok(hit('http://localhost:8080/api'));
    assert.ok(!hit('https://api.docs.example.com/v2'));
    assert.ok(!hit('http://localhost:80801/'));
    assert.match(snippet, /url: 'http:\/\/localhost:12402\/'/);
  });

  it('the propagation prefix is an anchored RegExp that matches the backend and not a look-alike host', () => {
    const re = new RegExp(prefixRegex('https://api.shop.example.com'));
    assert.ok(re.test('https://api.shop.example.com/cart'));
    assert.ok(re.test('https://api.shop.example.com'));
    assert.ok(!re.test('https://api.shop.example.com.evil.test/'));
    assert.ok(!re.test('https://apixshop.example.com/'));
  });
});

describe('tenant remove and list', () => {
  it('remove edits in place; list reads the topology per environment', async () => {
    const f = copyOf(RUM);
    const { stack } = await loadStack(f);
    const table = tenantTable(tenantRows(stack));
    assert.match(table, /│ env +│ tenant +│ id +│ origins +│/);
    assert.match(table, /│ prod +│ shop +│ shop +│ https:\/\/shop\.example\.com +│ faro\.shop\.example\.com +│ 12401 +│ 0\.1 +│ 50\/s \(100\) +│ 50\/s \(100\) +│ logs, traces, metrics +│/);
    const c = await removeTenant({ ...base, definition: f, name: 'shop' });
    assert.equal(c.written, true);
    assert.deepEqual(Object.keys((await loadStack(f)).stack.tenants), ['blog']);
    assert.ok(c.notes.some((n) => /blog/.test(n)) === false, "blog's port does not move (it sorts first)");
    await assert.rejects(() => removeTenant({ ...base, definition: f, name: 'shop' }), (e: unknown) => e instanceof TenantInputError && /its tenants: blog/.test(e.suggestion ?? ''));
  });
  it('remove from a TypeScript definition says what to delete, edits nothing, and still computes the change', async () => {
    const f = join(tempDir('otelstack-tenant-ts-'), 'stack.ts');
    writeFileSync(f, `export default ${JSON.stringify(parse(readFileSync(RUM, 'utf8')), null, 2)};\n`);
    const before = readFileSync(f);
    const c = await removeTenant({ ...base, definition: f, name: 'blog' });
    assert.equal(c.kind, 'typescript');
    assert.equal(c.typescript, 'tenants.blog');
    assert.equal(c.written, false);
    assert.ok(readFileSync(f).equals(before));
    assert.ok(c.notes.some((n) => /shop's Faro port moves from 12401 to 12400/.test(n)));
    await assert.rejects(() => removeTenant({ ...base, definition: DTS, name: 'docs' }), /has no tenant "docs"/);
  });
});
