/**
 * One verdict per definition: plan, render and diff of the same definition agree — all exit 0, or all exit 1 with
 * the same error rule ids, or all exit 2 (bad input). Walks every example, the seed as written, a table of
 * definitions that hit each refusal render used to decide on its own, and bad-input fixtures.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { baseInput } from '../fixtures/stacks.js';
import { otelstackAsync, tempDir } from '../support/cli.js';
import { ROOT } from '../support/paths.js';

type Run = Awaited<ReturnType<typeof otelstackAsync>>;
const run = (args: string[]): Promise<Run> => otelstackAsync(args);

/** Error rule ids as render and diff print them (`error [rule] env at path: ...`). */
function printedErrorRules(r: Run): string[] {
  return [...new Set([...r.err.matchAll(/^error \[([^\]]+)\]/gm)].map((m) => m[1]!))].sort();
}

/** Error rule ids of `plan --json`. */
function planErrorRules(r: Run): string[] {
  const j = JSON.parse(r.out) as { findings: Array<{ severity: string; rule: string }> };
  return [...new Set(j.findings.filter((f) => f.severity === 'error').map((f) => f.rule))].sort();
}

interface Case {
  name: string;
  definition: string;
  /** two environments to diff, when the definition has two */
  diff?: [string, string];
  expect: 0 | 1 | 2;
  /** rule ids that must be among the errors (for the refusal table) */
  rules?: string[];
}

async function verdicts(c: Case): Promise<void> {
  const out = join(tempDir('otelstack-verdict-'), 'out');
  const [plan, render, diff] = await Promise.all([
    run(['plan', c.definition, '--json']),
    run(['render', c.definition, '--out', out]),
    c.diff ? run(['diff', c.definition, '--from', c.diff[0], '--to', c.diff[1]]) : Promise.resolve(undefined),
  ]);
  const codes = { plan: plan.code, render: render.code, ...(diff ? { diff: diff.code } : {}) };
  const all = Object.values(codes);
  assert.ok(all.every((x) => x === all[0]), `${c.name}: plan, render and diff disagree: ${JSON.stringify(codes)}\nrender: ${render.err}\ndiff: ${diff?.err ?? ''}`);
  assert.equal(plan.code, c.expect, `${c.name}: expected exit ${c.expect}, got ${JSON.stringify(codes)}\n${plan.err}${render.err}`);
  if (c.expect === 1) {
    const rules = planErrorRules(plan);
    assert.deepEqual(printedErrorRules(render), rules, `${c.name}: render refuses on other rules than plan`);
    if (diff) assert.deepEqual(printedErrorRules(diff), rules, `${c.name}: diff refuses on other rules than plan`);
    for (const r of c.rules ?? []) assert.ok(rules.includes(r), `${c.name}: expected rule ${r} among ${rules.join(', ')}`);
    assert.ok(!existsSync(out), `${c.name}: render wrote ${out} although it refused`);
  }
  if (c.expect === 2) {
    for (const r of [plan, render, ...(diff ? [diff] : [])]) assert.match(r.err, /^error: /m, `${c.name}: a bad-input message`);
    assert.ok(!existsSync(out), `${c.name}: render wrote ${out} on bad input`);
  }
}

/** Writes a definition (a value as YAML, or raw text) to stack.yaml in a fresh temporary directory. */
function definitionDir(content: unknown): string {
  const dir = tempDir('otelstack-def-');
  writeFileSync(join(dir, 'stack.yaml'), typeof content === 'string' ? content : stringify(content));
  return dir;
}

type Input = Record<string, any>;
function variant(mutate: (s: Input) => void): string {
  const s = baseInput() as Input;
  mutate(s);
  return definitionDir(s);
}

/** Every example directory holding a definition, and the seed as written. */
function examples(): Case[] {
  const dirs = readdirSync(join(ROOT, 'examples'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && ['stack.ts', 'stack.yaml'].some((f) => existsSync(join(ROOT, 'examples', d.name, f))))
    .map((d) => `examples/${d.name}`);
  const envs: Record<string, [string, string] | undefined> = { 'examples/dts': ['dev', 'test'] };
  return [
    ...dirs.map((d): Case => ({ name: d, definition: d, ...(envs[d] ? { diff: envs[d] } : {}), expect: 0 })),
    { name: 'examples/dts/as-written', definition: 'examples/dts/as-written', diff: ['dev', 'test'], expect: 1, rules: ['chart-version', 'kafka', 'known-components'] },
  ];
}

/** One definition per refusal render used to decide alone (and the Kafka ones the plan already had). */
function refusals(): Case[] {
  const d = (name: string, rules: string[], mutate: (s: Input) => void): Case => ({ name, definition: variant(mutate), diff: ['dev', 'prod'], expect: 1, rules });
  return [
    { name: 'the base definition', definition: variant(() => {}), diff: ['dev', 'prod'], expect: 0 },
    d('target: ansible without hosts, Mimir microservices', ['ansible-hosts'], (s) => { s['environments'][1].target = 'ansible'; }),
    d('collector: alloy on compose', ['compose-collector'], (s) => {
      s['environments'][0].target = 'compose';
      s['ingestion'] = { collector: 'alloy' };
    }),
    d('Mimir microservices on compose (one process there)', ['versions'], (s) => {
      s['environments'][0].target = 'compose';
      s['ingestion'] = { collector: 'otelcol', environments: { dev: {} } };
    }),
    d('Tempo 2.x microservices on Kubernetes (chart without values)', ['chart-version'], (s) => {
      s['signals'].traces = { engine: 'tempo', version: '2.8.2', environments: { dev: { mode: 'microservices' }, prod: { mode: 'microservices', replicationFactor: 3 } } };
    }),
    d('a rate-limit tenant that is neither the tenant nor an environment', ['rate-limits'], (s) => {
      s['ingestion'] = { collector: 'alloy', faro: { enabled: true }, rateLimits: [{ tenant: 'nobody', requestsPerSecond: 10 }] };
    }),
    d('Faro enabled with no allowed origin (browsers would refuse)', ['faro-cors'], (s) => {
      s['ingestion'] = { collector: 'alloy', faro: { enabled: true } };
    }),
    d('a local MinIO on compose at an address over https', ['compose-object-storage'], (s) => {
      s['environments'][0].target = 'compose';
      s['objectStorage'].s3 = { kind: 'minio', endpoint: 'https://127.0.0.1:9000', credentials: { secretName: 's3.env' } };
    }),
    d('kafkaBuffer without Kafka on compose', ['kafka'], (s) => {
      s['environments'][0].target = 'compose';
      s['ingestion'] = { collector: 'otelcol', environments: { dev: { kafkaBuffer: true } } };
    }),
    d('Mimir 3 writing through Kafka without Kafka', ['kafka'], (s) => { delete s['signals'].metrics.environments.dev.ingestStorage; }),
    d('a mode no chart deploys (Tempo 3 monolithic on Kubernetes)', ['versions'], (s) => {
      s['signals'].traces = { engine: 'tempo', environments: { dev: { mode: 'monolithic' } } };
    }),
  ];
}

/** Bad input: every command says so with exit 2 (the fixtures of test/model/bad-input.test.ts, as files). */
function badInput(): Case[] {
  const d = (name: string, definition: string): Case => ({ name, definition, diff: ['dev', 'prod'], expect: 2 });
  return [
    d('an unknown key', variant((s) => { s['environments'][0].namepsace = 'x'; })),
    d('a wrong unit', variant((s) => { s['signals'].metrics.environments.dev.components = { ingester: { memory: '512MB' } }; })),
    d('negative replicas', variant((s) => { s['signals'].metrics.environments.dev.components = { ingester: { replicas: -1 } }; })),
    d('an unknown engine', variant((s) => { s['signals'].metrics.engine = 'mimr'; })),
    d('an unknown mode', variant((s) => { s['signals'].metrics.environments.dev.mode = 'microservice'; })),
    d('an undefined storage instance', variant((s) => { s['environments'][0].objectStorage = 'nope'; })),
    d('an unknown engine version', variant((s) => { s['signals'].metrics.version = '9.0.0'; })),
    d('a Faro origin with a path', variant((s) => { s['ingestion'] = { collector: 'alloy', faro: { enabled: true, allowedOrigins: ['https://app.example.com/'] } }; })),
    d('malformed YAML', definitionDir('name: [unclosed\n')),
    d('an empty file', definitionDir('')),
    d('a missing definition', join(tmpdir(), 'otelstack-no-such-definition')),
  ];
}

describe('one verdict per definition: plan, render and diff agree', () => {
  for (const group of [examples, refusals, badInput]) {
    it(`${group.name}`, async () => {
      // two at a time: the machine is shared, and each run loads the CLI
      const cases = group();
      for (let i = 0; i < cases.length; i += 2) await Promise.all(cases.slice(i, i + 2).map(verdicts));
    });
  }
  it('plan --env and render --env agree on one environment', async () => {
    for (const env of ['dev', 'prod']) {
      const out = join(tempDir('otelstack-verdict-'), 'out');
      const [plan, render] = await Promise.all([run(['plan', 'examples/dts/as-written', '--json', '--env', env]), run(['render', 'examples/dts/as-written', '--env', env, '--out', out])]);
      assert.equal(plan.code, 1);
      assert.equal(render.code, 1);
      assert.deepEqual(printedErrorRules(render), planErrorRules(plan));
    }
  });
});
