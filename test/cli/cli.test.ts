import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BIN, ROOT } from '../support/paths.js';
import { tempDir } from '../support/cli.js';

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('otelstack CLI', () => {
  it('plan of the corrected example exits 0', () => {
    const r = run('plan', 'examples/dts');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Quota increase request for ca7f8f-prod/);
  });
  it('plan of the seed as written exits 1 (error findings) and still prints the breakdown', () => {
    const r = run('plan', 'examples/dts/as-written', '--format', 'markdown');
    assert.equal(r.code, 1);
    assert.match(r.out, /Phase 1 total/);
    assert.match(r.out, /Tempo never had a store-gateway/);
  });
  it('--json prints one parseable object; --env filters', () => {
    const r = run('plan', 'examples/dts', '--json', '--env', 'prod');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as { environments: Array<{ name: string }> };
    assert.deepEqual(j.environments.map((e) => e.name), ['prod']);
  });
  it('bad input exits 2 with file, path, expectation and suggestion, printing nothing to stdout', () => {
    const dir = tempDir('otelstack-cli-');
    const f = join(dir, 'stack.yaml');
    writeFileSync(f, 'name: demo\nobjectStorage: {}\nenvironments:\n  - { name: dev, namespace: d, target: kubernetes, objectStorage: nope }\nsignals: {}\n');
    const r = run('plan', f);
    assert.equal(r.code, 2);
    assert.equal(r.out, '');
    assert.match(r.err, new RegExp(`${escape(f)}: at environments\\[0\\]\\.objectStorage`));
    assert.match(r.err, /expected: /);
    assert.match(r.err, /suggestion: /);
    assert.deepEqual(readdirSync(dir), ['stack.yaml'], 'nothing written');
  });
  it('usage errors exit 2: unknown env, unknown format, missing file, unknown command', () => {
    assert.equal(run('plan', 'examples/dts', '--env', 'staging').code, 2);
    assert.equal(run('plan', 'examples/dts', '--format', 'xml').code, 2);
    assert.equal(run('plan', 'examples/nope').code, 2);
    assert.equal(run('frobnicate').code, 2);
  });
  it('--help works on every command', () => {
    for (const c of [[], ['plan'], ['schema']]) {
      const r = run(...c, '--help');
      assert.equal(r.code, 0);
      assert.match(r.out, /Usage: otelstack/);
    }
  });
  it('schema prints a JSON Schema that knows the definition keys', () => {
    const r = run('schema');
    assert.equal(r.code, 0);
    const s = JSON.parse(r.out) as { properties: Record<string, unknown> };
    for (const k of ['name', 'environments', 'signals', 'policy', 'objectStorage']) assert.ok(k in s.properties, k);
  });
});

describe('otelstack render / diff', () => {
  it('render writes all environments atomically, and --check agrees with the golden output', () => {
    const out = tempDir('otelstack-render-');
    const dir = join(out, 'r');
    const r = run('render', 'examples/dts', '--target', 'kubernetes', '--out', dir);
    assert.equal(r.code, 0, r.err);
    assert.equal(run('render', 'examples/dts', '--target', 'kubernetes', '--out', dir, '--check').code, 0);
    assert.equal(run('render', 'examples/dts', '--target', 'kubernetes', '--out', `${ROOT}examples/dts/rendered`, '--check').code, 0, 'golden output is current');
    writeFileSync(join(dir, 'kubernetes', 'dev', 'extra.yaml'), 'x: 1\n');
    assert.equal(run('render', 'examples/dts', '--target', 'kubernetes', '--out', dir, '--check').code, 0, 'a file render did not write is not its business');
    writeFileSync(join(dir, 'kubernetes', 'dev', 'buckets-job.yaml'), 'x: 1\n');
    const c = run('render', 'examples/dts', '--target', 'kubernetes', '--out', dir, '--check');
    assert.equal(c.code, 1);
    assert.match(c.out, /edited since render wrote it: kubernetes\/dev\/buckets-job.yaml/);
  });
  it('a definition that cannot render exits 1 (error findings) and writes nothing', () => {
    const dir = tempDir('otelstack-render-');
    const r = run('render', 'examples/dts/as-written', '--out', join(dir, 'out'));
    assert.equal(r.code, 1);
    assert.match(r.err, /nothing was written/);
    assert.deepEqual(readdirSync(dir), []);
  });
  it('render --target compose renders the single-node example', () => {
    const dir = tempDir('otelstack-render-');
    const r = run('render', 'examples/single-node', '--target', 'compose', '--out', join(dir, 'out'), '--json');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as { files: string[] };
    assert.ok(j.files.some((f) => f.endsWith('docker-compose.yaml')));
  });
  it('render --phase: the default stops at currentPhase 1, --phase 3 brings Pyroscope back; --check and diff take the same flag', () => {
    const dir = join(tempDir('otelstack-render-'), 'r');
    const d = run('render', 'examples/dts', '--out', dir, '--json');
    assert.equal(d.code, 0, d.err);
    const dj = JSON.parse(d.out) as { files: string[]; phases: Record<string, number> };
    assert.deepEqual(dj.phases, { dev: 1, test: 1, prod: 1 });
    assert.ok(!dj.files.some((f) => f.includes('pyroscope')), 'no Pyroscope file in the phase 1 render');
    const p3 = run('render', 'examples/dts', '--phase', '3', '--out', dir);
    assert.equal(p3.code, 0, p3.err);
    // created: Pyroscope's Application and values per environment; replaced: each environment's bucket job,
    // datasources and NetworkPolicies (Pyroscope's flows), and the shared Alloy's config and values (its profiles
    // receivers and Pyroscope scrape)
    assert.match(p3.out, /rendered \d+ files for dev, test, prod \(phase 3\) into .* \(6 created, 11 replaced, 0 removed, \d+ unchanged\)/);
    for (const env of ['dev', 'test', 'prod']) for (const f of ['applications', 'values']) assert.ok(readdirSync(join(dir, 'kubernetes', env, f)).includes('pyroscope.yaml'), `${env} ${f}/pyroscope.yaml`);
    assert.equal(run('render', 'examples/dts', '--phase', '3', '--out', dir, '--check').code, 0, '--check agrees with --phase 3');
    const c = run('render', 'examples/dts', '--out', dir, '--check');
    assert.equal(c.code, 1, 'the default (phase 1) differs from the phase 3 output on disk');
    assert.match(c.out, /not rendered any more: kubernetes\/dev\/applications\/pyroscope.yaml/);
    assert.equal(run('render', 'examples/dts', '--out', `${ROOT}examples/dts/rendered`, '--check', '--phase', '3').code, 1, 'the golden output is phase 1');
    const back = run('render', 'examples/dts', '--out', dir);
    assert.equal(back.code, 0, back.err);
    assert.match(back.out, /\(phase 1\) into .* \(0 created, 11 replaced, 6 removed, /);
    const diff = run('diff', 'examples/dts', '--from', 'dev', '--to', 'test', '--phase', '3', '--json');
    assert.equal(diff.code, 0, diff.err);
    const dd = JSON.parse(diff.out) as { phases: Record<string, number>; diffs: Array<{ file: string }> };
    assert.deepEqual(dd.phases, { dev: 3, test: 3 });
    assert.ok(dd.diffs.some((x) => x.file === 'kubernetes/<env>/values/pyroscope.yaml'), 'diff --phase 3 compares Pyroscope too');
    assert.ok(!(JSON.parse(run('diff', 'examples/dts', '--from', 'dev', '--to', 'test', '--json').out) as typeof dd).diffs.some((x) => x.file.includes('pyroscope')), 'the default diff does not');
  });
  it('--phase out of range or above the definition\'s phases: exit 2 with the range, nothing written', () => {
    const dir = tempDir('otelstack-render-');
    for (const [args, re] of [
      [['render', 'examples/dts', '--phase', '4', '--out', join(dir, 'o')], /--phase 4 is above the highest phase .*examples\/dts\/stack.ts uses \(3\)\n  suggestion: use --phase 1..3/],
      [['render', 'examples/dts', '--phase', '0', '--out', join(dir, 'o')], /--phase must be a whole number from 1 to 20, got "0"/],
      [['render', 'examples/dts', '--phase', 'two', '--out', join(dir, 'o'), '--check'], /--phase must be a whole number from 1 to 20, got "two"/],
      [['diff', 'examples/dts', '--from', 'dev', '--to', 'test', '--phase', '1.5'], /--phase must be a whole number from 1 to 20, got "1.5"/],
      [['diff', 'examples/single-node', '--from', 'local', '--to', 'local', '--phase', '2'], /--phase 2 is above the highest phase .* uses \(1\)\n  suggestion: use --phase 1,/],
    ] as Array<[string[], RegExp]>) {
      const r = run(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, re);
    }
    assert.deepEqual(readdirSync(dir), []);
  });
  it('plan says which phase is current, in text and in --json', () => {
    const t = run('plan', 'examples/dts', '--env', 'prod');
    assert.equal(t.code, 0, t.err);
    assert.match(t.out, /Current phase: 1 \(currentPhase\) — render deploys phases ≤ 1: \S+ CPU \/ \S+ memory \/ \S+ storage \(every phase: [^)]+\); does NOT fit the free quota; phase 3 not rendered yet \(render --phase 3\)/);
    const j = JSON.parse(run('plan', 'examples/dts', '--json', '--env', 'prod').out) as { environments: Array<{ currentPhase: { phase: number; set: boolean; totals: { cpuRequestMillicores: number }; fits: boolean }; phases: Array<{ phase: number; cpuRequestMillicores: number }>; totals: { cpuRequestMillicores: number } }> };
    const e = j.environments[0]!;
    assert.equal(e.currentPhase.phase, 1);
    assert.equal(e.currentPhase.set, true);
    assert.equal(e.currentPhase.totals.cpuRequestMillicores, e.phases.find((p) => p.phase === 1)!.cpuRequestMillicores);
    assert.ok(e.currentPhase.totals.cpuRequestMillicores < e.totals.cpuRequestMillicores, 'the plan still counts every phase');
    assert.match(run('plan', 'examples/single-node').out, /Current phase: 1 \(default: the highest phase the definition uses\) — render deploys every phase/);
  });
  it('diff shows what differs between dev and test', () => {
    const r = run('diff', 'examples/dts', '--from', 'dev', '--to', 'test');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /differs: kubernetes\/<env>\/values\/mimir.yaml/);
    assert.match(r.out, /dts-metrics-test-blocks/);
    assert.match(r.out, /^\d+ files differ(, \d+ only in (dev|test))*\n$/m, 'a summary line');
  });
});

describe('otelstack catalog', () => {
  it('lists engines with their versions, modes and charts; --json is parseable', () => {
    const r = run('catalog', 'mimir');
    assert.equal(r.code, 0, r.err);
    // read-write is a Mimir 2.x mode; the 3.x line says it removed it, and why
    assert.match(r.out, /  2\.x \[[^\n]*\n(    [^\n]*\n)*    read-write: mimir-write, mimir-read, mimir-backend, alertmanager — no chart\n/);
    assert.match(r.out, /  3\.x \[[^\n]*\n(    [^\n]*\n)*    read-write: removed — Mimir 3\.0 removed the experimental read-write deployment mode/);
    assert.match(r.out, /microservices: [^\n]* — chart mimir-distributed 5\.8\.0\n/);
    assert.doesNotMatch(r.out, /REFUSED/);
    const j = JSON.parse(run('catalog', '--json').out) as Array<{ engine: string }>;
    assert.ok(j.some((e) => e.engine === 'tempo') && j.some((e) => e.engine === 'kafka'));
  });

  it('exits 2 on an unknown engine, listing the engines (text and --json)', () => {
    const r = run('catalog', 'bogus');
    assert.equal(r.code, 2);
    assert.equal(r.out, '');
    assert.match(r.err, /the catalog has no engine "bogus"\n  suggestion: use one of: tempo, jaeger, mimir, loki, pyroscope, prometheus, grafana, alloy, otelcol, kafka, seaweedfs, memcached/);
    const j = run('catalog', 'bogus', '--json');
    assert.equal(j.code, 2);
    assert.match((JSON.parse(j.out) as { error: { message: string } }).error.message, /no engine "bogus"/);
  });

  it('lists every pinned version among its releases and marks the charts render refuses', () => {
    type Mode = { chart: string | null; chartRefused: string | null };
    const j = JSON.parse(run('catalog', '--json').out) as Array<{ engine: string; pinned: string; versions: Array<{ line: string; pinned: boolean; releases: string[]; modes: Record<string, Mode> }> }>;
    for (const e of j) {
      const lines = e.versions.filter((v) => v.releases.includes(e.pinned));
      assert.equal(lines.length, 1, `${e.engine} ${e.pinned} is in one version line`);
      assert.equal(lines[0]!.pinned, true);
    }
    assert.ok(j.find((e) => e.engine === 'kafka')!.versions[0]!.releases.includes('4.3.1'));
    assert.ok(j.find((e) => e.engine === 'seaweedfs')!.versions[0]!.releases.includes('4.48'));
    const tempo2 = j.find((e) => e.engine === 'tempo')!.versions.find((v) => v.line === '2.x')!;
    assert.equal(tempo2.modes['microservices']!.chart, 'tempo-distributed 2.24.0');
    assert.match(tempo2.modes['microservices']!.chartRefused!, /otelstack writes values for tempo-distributed 3\.0\.3 only/);
    const tempo3 = j.find((e) => e.engine === 'tempo')!.versions.find((v) => v.line === '3.x')!;
    assert.equal(tempo3.modes['microservices']!.chartRefused, null);
    assert.match(run('catalog', 'tempo').out, /chart tempo-distributed 2\.24\.0 REFUSED by render: otelstack writes values for tempo-distributed 3\.0\.3 only/);
  });
});

describe('--json on bad input (every command)', () => {
  type JsonError = { ok: false; error: { kind: string; message: string; suggestion?: string; issues?: Array<{ file: string; path: string; message: string; expected: string; suggestion: string }> } };
  const missing = 'examples/no-such-definition';
  const out = tempDir('otelstack-json-');
  const cases: Array<[string, string[]]> = [
    ['plan', ['plan', missing, '--json']],
    ['render', ['render', missing, '--out', join(out, 'r'), '--json']],
    ['diff', ['diff', missing, '--from', 'dev', '--to', 'test', '--json']],
    ['verify', ['verify', missing, '--json']],
    ['backup', ['backup', missing, '--out', join(out, 'b'), '--json']],
    ['tenant list', ['tenant', 'list', missing, '--json']],
    ['tenant add', ['tenant', 'add', missing, 'docs', '--origin', 'https://docs.example.com', '--rate', '20/s', '--json']],
  ];
  for (const [name, args] of cases) {
    it(`${name} --json with a bad definition path prints one JSON error object naming the file, exit 2`, () => {
      const r = run(...args);
      assert.equal(r.code, 2, r.err);
      const j = JSON.parse(r.out) as JsonError;
      assert.equal(j.ok, false);
      assert.equal(j.error.kind, 'input');
      assert.equal(j.error.issues?.[0]?.file, missing);
      assert.match(j.error.issues![0]!.message, /no such file or directory/);
      assert.match(r.err, /error: invalid stack definition/, 'the human message still goes to stderr');
    });
  }
  it('load, restore and catalog --json with bad input, and an unknown flag, print the same shape', () => {
    const checks: Array<[string[], string, RegExp]> = [
      [['load', '--rate', 'traces=fast', '--json'], 'input', /a rate must be a number/],
      [['restore', join(out, 'none.tar.gz'), '--verify-only', '--json'], 'input', /none\.tar\.gz/],
      [['catalog', 'bogus', '--json'], 'input', /no engine "bogus"/],
      [['plan', 'examples/dts', '--bogus-flag', '--json'], 'usage', /unknown option '--bogus-flag'/],
    ];
    for (const [args, kind, msg] of checks) {
      const r = run(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      const j = JSON.parse(r.out) as JsonError;
      assert.equal(j.ok, false);
      assert.equal(j.error.kind, kind, args.join(' '));
      assert.match(j.error.message, msg, args.join(' '));
    }
  });
});
