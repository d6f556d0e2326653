import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { DefinitionError, type DefinitionIssue } from '../../src/model/errors.js';
import { loadStack, validateDefinition } from '../../src/model/load.js';
import { baseInput } from '../fixtures/stacks.js';

function issuesOf(mutate: (s: Record<string, any>) => void): DefinitionIssue[] {
  const s = baseInput() as Record<string, any>;
  mutate(s);
  try {
    validateDefinition('stack.yaml', s);
  } catch (e) {
    assert.ok(e instanceof DefinitionError, `expected a DefinitionError, got ${String(e)}`);
    for (const i of e.issues) {
      assert.equal(i.file, 'stack.yaml');
      assert.ok(i.expected.length > 0, 'every issue says what was expected');
      assert.ok(i.suggestion.length > 0, 'every issue has a suggestion');
    }
    return e.issues;
  }
  assert.fail('the definition was accepted');
}

describe('bad input: one clear message naming file, path, expectation, suggestion', () => {
  it('unknown key with "did you mean"', () => {
    const [i] = issuesOf((s) => { s['environments'][0].namepsace = 'x'; });
    assert.equal(i!.path, 'environments[0].namepsace');
    assert.match(i!.suggestion, /did you mean "namespace"/);
  });
  it('wrong unit: 512MB suggests 512Mi', () => {
    const [i] = issuesOf((s) => { s['signals'].metrics.environments.dev.components = { ingester: { memory: '512MB' } }; });
    assert.equal(i!.path, 'signals.metrics.environments.dev.components.ingester.memory');
    assert.match(i!.suggestion, /512Mi/);
  });
  it('negative replicas', () => {
    const [i] = issuesOf((s) => { s['signals'].metrics.environments.dev.components = { ingester: { replicas: -1 } }; });
    assert.match(i!.message, /negative/);
    assert.equal(i!.path, 'signals.metrics.environments.dev.components.ingester.replicas');
  });
  it('fractional replicas', () => {
    const [i] = issuesOf((s) => { s['signals'].metrics.environments.dev.components = { ingester: { replicas: 1.5 } }; });
    assert.match(i!.message, /whole number/);
  });
  it('unknown engine', () => {
    const [i] = issuesOf((s) => { s['signals'].metrics.engine = 'mimr'; });
    assert.equal(i!.path, 'signals.metrics.engine');
    assert.match(i!.suggestion, /did you mean "mimir"/);
  });
  it('unknown mode', () => {
    const [i] = issuesOf((s) => { s['signals'].metrics.environments.dev.mode = 'microservice'; });
    assert.equal(i!.path, 'signals.metrics.environments.dev.mode');
    assert.match(i!.suggestion, /did you mean "microservices"/);
  });
  it('a mode the engine version does not have', () => {
    const [i] = issuesOf((s) => { s['signals'].traces = { engine: 'tempo', environments: { dev: { mode: 'simple-scalable' } } }; });
    assert.match(i!.message, /Tempo 3.x has no simple-scalable mode/);
    assert.match(i!.expected, /monolithic, microservices/);
  });
  it('unknown component (a typo) lists the engine\'s components', () => {
    const [i] = issuesOf((s) => { s['signals'].metrics.environments.dev.components = { ingestor: { replicas: 1 } }; });
    assert.equal(i!.path, 'signals.metrics.environments.dev.components.ingestor');
    assert.match(i!.suggestion, /did you mean "ingester"/);
  });
  it('an environment referencing an undefined storage instance', () => {
    const [i] = issuesOf((s) => { s['environments'][1].objectStorage = 's4'; });
    assert.equal(i!.path, 'environments[1].objectStorage');
    assert.match(i!.message, /"s4" is not defined/);
    assert.match(i!.suggestion, /did you mean "s3"/);
  });
  it('signal settings for an undefined environment', () => {
    const [i] = issuesOf((s) => { s['signals'].metrics.environments.staging = { mode: 'microservices' }; });
    assert.equal(i!.path, 'signals.metrics.environments.staging');
  });
  it('an unknown engine version', () => {
    const [i] = issuesOf((s) => { s['signals'].metrics.version = '9.1'; });
    assert.match(i!.expected, /3\.x/);
  });
  it('quota without used', () => {
    const [i] = issuesOf((s) => { s['environments'][1].capacity = { quota: { cpu: '1', memory: '1Gi', storage: '1Gi' } }; });
    assert.match(i!.message, /quota needs used/);
  });
  it('malformed YAML names the file and line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otelstack-'));
    const f = join(dir, 'stack.yaml');
    writeFileSync(f, 'name: demo\nenvironments:\n  - name: dev\n   namespace: x\n');
    await assert.rejects(loadStack(f), (e: unknown) => e instanceof DefinitionError && e.issues[0]!.file === f && /malformed YAML/.test(e.issues[0]!.message) && /line/.test(e.issues[0]!.path));
  });
  it('malformed TypeScript names the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otelstack-'));
    const f = join(dir, 'stack.ts');
    writeFileSync(f, 'export default {{ name: ;\n');
    await assert.rejects(loadStack(f), (e: unknown) => e instanceof DefinitionError && e.issues[0]!.file === f && /could not be loaded/.test(e.issues[0]!.message));
  });
  it('a YAML file with a valid definition loads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otelstack-'));
    writeFileSync(join(dir, 'stack.yaml'), stringify(baseInput()));
    const { stack } = await loadStack(dir);
    assert.equal(stack.name, 'demo');
    assert.deepEqual(stack.policy.memoryLimits, ['ingester', 'store-gateway']);
  });
});
