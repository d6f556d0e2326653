import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { otelstackAsync, tempDir } from '../support/cli.js';

/** The messages as the CLI prints them: exit 2, the file, the path, what was expected, a suggestion. */
async function plan(name: string, content: string): Promise<{ file: string; code: number | null; err: string }> {
  const dir = tempDir('otelstack-cli-bad-');
  const file = join(dir, name);
  writeFileSync(file, content);
  const r = await otelstackAsync(['plan', file]);
  return { file, code: r.code, err: r.err };
}

const BASE = `name: demo
objectStorage:
  s3: { kind: seaweedfs, endpoint: "http://seaweedfs:8333", credentials: { secretName: s3.env } }
environments:
  - name: local
    namespace: demo-local
    target: compose
    objectStorage: s3
signals:
  traces:
    engine: tempo
    environments:
      local: { mode: monolithic }
ingestion:
  collector: otelcol
  environments:
    local:
      gateway: { replicas: 1, memory: 1Gi }
`;

describe('bad input at the CLI: exit 2 with file, path, expected and suggestion', () => {
  it('gateway replicas: 0', async () => {
    const r = await plan('stack.yaml', BASE.replace('replicas: 1', 'replicas: 0'));
    assert.equal(r.code, 2);
    assert.ok(r.err.includes(`${r.file}: at ingestion.environments.local.gateway.replicas: the OpenTelemetry Collector gateway cannot run with 0 replicas`), r.err);
    assert.match(r.err, /expected: a whole number from 1 to 1000\n {2}suggestion: set replicas to 1 or more/);
  });
  it('memory: 0', async () => {
    const r = await plan('stack.yaml', BASE.replace('memory: 1Gi', 'memory: 0'));
    assert.equal(r.code, 2);
    assert.match(r.err, /at ingestion\.environments\.local\.gateway\.memory: 0 is out of range: memory must be from 16Mi to 4Ti/);
  });
  it('replicas: 99999999 with 999999999Ti ends at once with exit 2', async () => {
    const started = Date.now();
    const r = await plan('stack.yaml', BASE.replace('replicas: 1, memory: 1Gi', 'replicas: 99999999, memory: 999999999Ti'));
    assert.equal(r.code, 2);
    assert.ok(Date.now() - started < 30_000);
    assert.match(r.err, /99999999 is out of range/);
    assert.match(r.err, /"999999999Ti" is out of range/);
  });
  it('replicas: "one"', async () => {
    const r = await plan('stack.yaml', BASE.replace('replicas: 1', 'replicas: "one"'));
    assert.equal(r.code, 2);
    assert.match(r.err, /gateway\.replicas: expected a whole number from 0 to 1000, got the string "one"/);
  });
  it('a list at the root', async () => {
    const r = await plan('stack.yaml', '- a\n- b\n');
    assert.equal(r.code, 2);
    assert.ok(r.err.includes(`${r.file}: the definition must be a mapping (object) at the top level, got a list`), r.err);
  });
  it('an empty file', async () => {
    const r = await plan('stack.yaml', '# nothing yet\n');
    assert.equal(r.code, 2);
    assert.match(r.err, /suggestion: start from examples\/single-node\/stack\.yaml/);
  });
  it('a TypeScript syntax error', async () => {
    const r = await plan('stack.ts', 'export default {{ name: ;\n');
    assert.equal(r.code, 2);
    assert.ok(r.err.includes(`${r.file}:1:17: Expected identifier but found "{"`), r.err);
  });
  it('a misspelt key', async () => {
    const r = await plan('stack.yaml', BASE.replace('name: demo', 'nmae: demo'));
    assert.equal(r.code, 2);
    assert.equal(r.err.match(/^\//gm)?.length, 1, r.err);
    assert.match(r.err, /at nmae: unknown key "nmae"[\s\S]*did you mean "name"/);
  });
  it('one tab', async () => {
    const r = await plan('stack.yaml', BASE.replace('    namespace: demo-local', '\tnamespace: demo-local'));
    assert.equal(r.code, 2);
    assert.equal(r.err.match(/^\//gm)?.length, 1, r.err);
    assert.match(r.err, /at line 6, column 1: YAML does not allow tabs for indentation/);
  });
});
