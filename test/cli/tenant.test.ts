import assert from 'node:assert/strict';
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { otelstackSync as run, tempDir } from '../support/cli.js';
import { ROOT } from '../support/paths.js';

const RUM = join(ROOT, 'examples', 'rum', 'stack.yaml');
function copyOf(): { dir: string; file: string } {
  const dir = tempDir('otelstack-cli-tenant-');
  const file = join(dir, 'stack.yaml');
  copyFileSync(RUM, file);
  return { dir, file };
}
const DOCS = ['docs', '--origin', 'https://docs.example.com', '--rate', '20/s', '--sampling', '0.5'];

describe('otelstack tenant', () => {
  it('add edits the YAML in place (comments elsewhere kept), prints the definition diff, the render diff and the onboarding; --json is stable', () => {
    const { dir, file } = copyOf();
    const before = readFileSync(file, 'utf8');
    const r = run(['tenant', 'add', file, ...DOCS, '--json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as Record<string, unknown>;
    for (const k of ['ok', 'command', 'definition', 'tenant', 'kind', 'dryRun', 'written', 'reformatted', 'block', 'definitionPatch', 'typescript', 'findings', 'refused', 'render', 'notes', 'onboarding']) assert.ok(k in j, k);
    assert.equal(j['written'], true);
    const after = readFileSync(file, 'utf8');
    const at = after.indexOf('  docs:\n');
    assert.equal(after.slice(0, at), before.slice(0, at));
    assert.equal(after.slice(after.indexOf('policy:')), before.slice(before.indexOf('policy:')));
    assert.deepEqual(readdirSync(dir), ['stack.yaml'], 'no temporary file left');
    const t = run(['tenant', 'remove', file, 'docs']);
    assert.equal(t.code, 0, t.err);
    assert.match(t.out, /^removed tenant docs from /);
    assert.equal(readFileSync(file, 'utf8'), before, 'add then remove gives the file back');
  });

  it('bad input exits 2 with the flag, what was expected and a suggestion; the file stays byte-identical', () => {
    const { file } = copyOf();
    const before = readFileSync(file);
    const cases: Array<[string[], RegExp]> = [
      [['docs', '--origin', 'https://docs.example.com/app', '--rate', '20/s'], /--origin "https:\/\/docs\.example\.com\/app" has a path[\s\S]*suggestion: write "https:\/\/docs\.example\.com"/],
      [['docs', '--origin', 'https://docs.example.com', '--rate', '20'], /--rate must be a rate in requests per second written N\/s[\s\S]*suggestion: e\.g\. --rate 20\/s/],
      [['docs', '--origin', 'https://docs.example.com', '--rate', '20/s', '--sampling', '2'], /0 < s ≤ 1/],
      [['shop', '--origin', 'https://docs.example.com', '--rate', '20/s'], /already has a tenant "shop"[\s\S]*tenant remove .* shop` first, or pick another name/],
      [['docs', '--origin', 'https://docs.example.com', '--rate', '20/s', '--env', 'staging'], new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: at tenants\\.docs\\.environments\\[0\\]: "staging" is not a defined environment\\n  expected: one of: local, prod\\n  suggestion: `)],
      [['docs', '--origin', 'https://docs.example.com', '--rate', '20/s', '--format', 'xml'], /unknown --format "xml"/],
    ];
    for (const [args, err] of cases) {
      const r = run(['tenant', 'add', file, ...args]);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.err, err, args.join(' '));
      assert.equal(r.out, '', 'nothing on stdout');
    }
    const j = run(['tenant', 'add', file, 'docs', '--origin', 'docs.example.com', '--rate', '20/s', '--format', 'json']);
    assert.equal(j.code, 2);
    const e = JSON.parse(j.out) as { ok: boolean; error: { kind: string; message: string; suggestion: string } };
    assert.equal(e.ok, false);
    assert.equal(e.error.kind, 'input');
    assert.match(e.error.suggestion, /https:\/\/docs\.example\.com/);
    assert.ok(readFileSync(file).equals(before), 'the definition is untouched');
  });

  it('--dry-run --format markdown: the onboarding sheet on stdout (limits, SDK settings, datasources, verify), status on stderr, nothing written', () => {
    const { file } = copyOf();
    const before = readFileSync(file);
    const r = run(['tenant', 'add', file, ...DOCS, '--host', 'faro.docs.example.com', '--format', 'markdown', '--dry-run']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^### Tenant `docs` — onboarding/);
    assert.match(r.out, /\| 1 \| client sampling \(Faro SDK\) \| 0\.5 \(50% of sessions\) \|\n\| 2 \| ingress \(tenant host\) \| 20\/s, burst 40 \|\n\| 3 \| gateway \(Faro receiver, 429 above\) \| 20\/s, burst 40 \|/);
    assert.match(r.out, /url: 'https:\/\/faro\.docs\.example\.com\/'/);
    assert.match(r.out, /Prove isolation: `otelstack verify .* --env prod --tenant docs`/);
    assert.match(r.err, /would add tenant docs .*--dry-run: nothing written/);
    assert.ok(readFileSync(file).equals(before));
  });

  it('a TypeScript definition: prints the object literal to add under tenants, exits 0, edits nothing', () => {
    const dts = join(ROOT, 'examples', 'dts', 'stack.ts');
    const before = readFileSync(dts);
    // one environment: dts's one shared Alloy routes by namespace, so a tenant in two of its environments would take its Faro port twice (render-alloy)
    const r = run(['tenant', 'add', dts, ...DOCS, '--env', 'prod']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /TypeScript definition, not edited/);
    assert.ok(r.out.includes("add under tenants:\n  docs: {\n    environments: ['prod'],\n    origins: ['https://docs.example.com'],\n    sampling: 0.5,\n    rateLimit: { perSecond: 20 },\n  },\n"), r.out);
    assert.match(r.out, /note: otelstack does not edit TypeScript definitions/);
    assert.ok(readFileSync(dts).equals(before));
  });

  it('list: a table per environment, --json with a stable shape; remove of an unknown tenant exits 2', () => {
    const r = run(['tenant', 'list', RUM]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /│ env +│ tenant +│ id +│ origins/);
    assert.match(r.out, /│ local +│ blog +│ blog +│/);
    assert.match(r.out, /│ prod +│ shop +│ shop +│/);
    const j = run(['tenant', 'list', RUM, '--json', '--env', 'prod']);
    const rows = (JSON.parse(j.out) as { tenants: Array<Record<string, unknown>> }).tenants;
    assert.deepEqual(rows.map((x) => x['tenant']), ['blog', 'shop']);
    assert.deepEqual(Object.keys(rows[0]!), ['env', 'tenant', 'id', 'origins', 'host', 'faroPort', 'sampling', 'ingress', 'gateway', 'engineLimits']);
    const u = run(['tenant', 'remove', RUM, 'nope']);
    assert.equal(u.code, 2);
    assert.match(u.err, /has no tenant "nope"[\s\S]*its tenants: shop, blog/);
  });

  it("the README's onboarding output is the command's (abridged lines marked …; the rendered-files list left out)", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const cmd = '--origin https://docs.example.com --rate 20/s --sampling 0.5 --format markdown --dry-run';
    assert.ok(readme.includes(`tenant add examples/rum/stack.yaml docs ${cmd}`));
    const shown = /````markdown\n([\s\S]*?)````/.exec(readme.slice(readme.indexOf('## Onboard a tenant')))![1]!;
    const r = run(['tenant', 'add', 'examples/rum/stack.yaml', 'docs', ...cmd.split(' ')]);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.split('\n');
    for (const l of shown.slice(0, shown.indexOf('**Rendered files that change**')).split('\n')) if (!l.includes('…')) assert.ok(lines.includes(l), `README line not in the output: ${l}`);
  });

  it('--help', () => {
    for (const c of [['tenant'], ['tenant', 'add'], ['tenant', 'list']]) {
      const r = run([...c, '--help']);
      assert.equal(r.code, 0);
      assert.match(r.out, /Usage: otelstack tenant/);
    }
  });
});
