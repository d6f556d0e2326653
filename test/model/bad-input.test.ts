import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { DefinitionError, type DefinitionIssue } from '../../src/model/errors.js';
import { loadStack, validateDefinition } from '../../src/model/load.js';
import { baseInput } from '../fixtures/stacks.js';
import { ROOT } from '../support/paths.js';
import { tempDir } from '../support/cli.js';

async function fileIssues(name: string, content: string): Promise<{ file: string; issues: DefinitionIssue[] }> {
  const dir = tempDir('otelstack-bad-');
  const file = join(dir, name);
  writeFileSync(file, content);
  try {
    await loadStack(file);
  } catch (e) {
    assert.ok(e instanceof DefinitionError, `expected a DefinitionError, got ${String(e)}`);
    for (const i of e.issues) {
      assert.equal(i.file, file);
      assert.ok(i.expected.length > 0 && i.suggestion.length > 0);
    }
    return { file, issues: e.issues };
  }
  assert.fail(`${name} was accepted`);
}

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
  it('currentPhase out of the phase range states the range', () => {
    const [i] = issuesOf((s) => { s['environments'][0].currentPhase = 0; });
    assert.equal(i!.path, 'environments[0].currentPhase');
    assert.match(`${i!.message} ${i!.expected}`, /1/);
    assert.equal(issuesOf((s) => { s['environments'][1].currentPhase = 2.5; })[0]!.path, 'environments[1].currentPhase');
  });
  it('autoscaling: min above max, min 0, max beyond the replica range, a target above 100 %', () => {
    const comp = (a: unknown) => (s: Record<string, any>) => { s['signals'].metrics.environments.prod.components = { distributor: { autoscaling: a } }; };
    const base = 'signals.metrics.environments.prod.components.distributor.autoscaling';
    const [i] = issuesOf(comp({ min: 5, max: 3 }));
    assert.equal(i!.path, `${base}.min`);
    assert.match(i!.message, /above max/);
    assert.match(i!.suggestion, /at most 3/);
    assert.equal(issuesOf(comp({ min: 0, max: 3 }))[0]!.path, `${base}.min`);
    assert.equal(issuesOf(comp({ min: 1, max: 1001 }))[0]!.path, `${base}.max`);
    assert.equal(issuesOf(comp({ min: 1, max: 3, targetCpu: 150 }))[0]!.path, `${base}.targetCpu`);
    assert.equal(issuesOf(comp({ min: 1, max: 3, targetMemory: 0 }))[0]!.path, `${base}.targetMemory`);
  });
  it('log rotation: a size without a unit, and no files kept', () => {
    const [i] = issuesOf((s) => { s['environments'][0].logs = { maxSize: '50' }; });
    assert.equal(i!.path, 'environments[0].logs.maxSize');
    assert.match(i!.message, /k, m or g/);
    assert.equal(issuesOf((s) => { s['environments'][0].logs = { maxFiles: 0 }; })[0]!.path, 'environments[0].logs.maxFiles');
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
  it('a mode the engine removed: the reason and what to do instead (Mimir 3 read-write, grafana/mimir#12584)', () => {
    const [i] = issuesOf((s) => { s['signals'].metrics.environments.dev.mode = 'read-write'; });
    assert.equal(i!.path, 'signals.metrics.environments.dev.mode');
    assert.match(i!.message, /^Mimir 3\.x has no read-write mode: Mimir 3\.0 removed the experimental read-write deployment mode .*grafana\/mimir#12584/);
    assert.match(i!.suggestion, /use mode microservices on Mimir 3; read-write runs on Mimir 2\.x only/);
    // on the 2 line, read-write is a mode
    const v2 = baseInput() as Record<string, any>;
    v2['signals'].metrics.version = '2.17.0';
    v2['signals'].metrics.environments.dev.mode = 'read-write';
    assert.doesNotThrow(() => validateDefinition('stack.yaml', v2));
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
    const dir = tempDir('otelstack-');
    const f = join(dir, 'stack.yaml');
    writeFileSync(f, 'name: demo\nenvironments:\n  - name: dev\n   namespace: x\n');
    await assert.rejects(loadStack(f), (e: unknown) => e instanceof DefinitionError && e.issues[0]!.file === f && /malformed YAML/.test(e.issues[0]!.message) && /line/.test(e.issues[0]!.path));
  });
  it('malformed TypeScript names the file', async () => {
    const dir = tempDir('otelstack-');
    const f = join(dir, 'stack.ts');
    writeFileSync(f, 'export default {{ name: ;\n');
    await assert.rejects(loadStack(f), (e: unknown) => e instanceof DefinitionError && e.issues[0]!.file === f && /does not compile: .*stack.ts:1:17:/.test(e.issues[0]!.message));
  });
  it('a YAML file with a valid definition loads', async () => {
    const dir = tempDir('otelstack-');
    writeFileSync(join(dir, 'stack.yaml'), stringify(baseInput()));
    const { stack } = await loadStack(dir);
    assert.equal(stack.name, 'demo');
    assert.deepEqual(stack.policy.memoryLimits, ['ingester', 'store-gateway']);
  });
});

describe('bad input: counts and quantities have the range a real cluster can have', () => {
  const gateway = (g: Record<string, unknown>) => (s: Record<string, any>) => {
    s['ingestion'] = { collector: 'otelcol', environments: { dev: { gateway: { replicas: 1, ...g } } } };
  };
  it('memory: 0 states the range', () => {
    const [i, ...rest] = issuesOf(gateway({ memory: 0 }));
    assert.equal(rest.length, 0);
    assert.equal(i!.path, 'ingestion.environments.dev.gateway.memory');
    assert.match(i!.message, /0 is out of range: memory must be from 16Mi to 4Ti/);
    assert.match(i!.expected, /from 16Mi to 4Ti/);
    assert.match(i!.suggestion, /bare number is bytes/);
  });
  it('memory: 1e308 and "999999999Ti" are out of range, with a hint at the unit', () => {
    for (const memory of [1e308, '999999999Ti']) {
      const [i] = issuesOf((s) => { s['signals'].metrics.environments.dev.components = { ingester: { memory } }; });
      assert.equal(i!.path, 'signals.metrics.environments.dev.components.ingester.memory');
      assert.match(i!.message, /out of range/);
      assert.match(i!.suggestion, /check the unit/);
    }
  });
  it('replicas: 99999999 with storage 999999999Ti: two range errors, no hang', () => {
    const issues = issuesOf(gateway({ replicas: 99999999, storage: '999999999Ti' }));
    assert.deepEqual(issues.map((i) => i.path).sort(), ['ingestion.environments.dev.gateway.replicas', 'ingestion.environments.dev.gateway.storage']);
    const r = issues.find((i) => i.path.endsWith('replicas'))!;
    assert.match(r.message, /99999999 is out of range: expected a whole number from 0 to 1000/);
    assert.match(issues.find((i) => i.path.endsWith('storage'))!.expected, /from 0 to 64Ti/);
  });
  it('namespace totals may be 0, but not absurd; a quota step may not be 0', () => {
    assert.doesNotThrow(() => validateDefinition('stack.yaml', { ...baseInput(), environments: [{ name: 'dev', namespace: 'demo-dev', target: 'kubernetes', objectStorage: 's3', capacity: { quota: { cpu: '4', memory: '8Gi', storage: '10Gi' }, used: { cpu: 0, memory: 0, storage: 0 } } }, baseInput().environments[1]!] }));
    const [big] = issuesOf((s) => { s['environments'][0].capacity = { headroom: { cpu: '1', memory: '9Pi', storage: '1Gi' } }; });
    assert.equal(big!.path, 'environments[0].capacity.headroom.memory');
    assert.match(big!.expected, /from 0 to 1Pi/);
    const [step] = issuesOf((s) => { s['environments'][0].capacity = { headroom: { cpu: '1', memory: '1Gi', storage: '1Gi' }, request: { step: { cpu: 0, memory: '8Gi', storage: '32Gi' } } }; });
    assert.equal(step!.path, 'environments[0].capacity.request.step.cpu');
    assert.match(step!.message, /CPU must be from 1m to 1000000 cores/);
  });
  it('Kafka counts are bounded: partitions, replication, retention', () => {
    const [p] = issuesOf((s) => { s['ingestion'] = { collector: 'otelcol', topics: { traces: { name: 't', partitions: 0 } } }; });
    assert.equal(p!.path, 'ingestion.topics.traces.partitions');
    assert.match(p!.message, /0 is out of range: expected a whole number from 1 to 10000/);
    const [r] = issuesOf((s) => { s['ingestion'] = { collector: 'otelcol', topics: { traces: { name: 't', replication: 50 } } }; });
    assert.match(r!.expected, /from 1 to 9/);
  });
  it('replicas: 0 for the gateway is bad input: the catalog says the collector needs at least one', () => {
    const [i, ...rest] = issuesOf(gateway({ replicas: 0 }));
    assert.equal(rest.length, 0);
    assert.equal(i!.path, 'ingestion.environments.dev.gateway.replicas');
    assert.match(i!.message, /OpenTelemetry Collector gateway cannot run with 0 replicas/);
    assert.match(i!.expected, /from 1 to 1000/);
  });
  it('replicas: 0 for a write-path component (Mimir distributor) and for a managed Kafka', () => {
    const [d] = issuesOf((s) => { s['signals'].metrics.environments.dev.components = { distributor: { replicas: 0 } }; });
    assert.equal(d!.path, 'signals.metrics.environments.dev.components.distributor.replicas');
    assert.match(d!.message, /Mimir distributor cannot run with 0 replicas/);
    const [k] = issuesOf((s) => { s['kafka'] = { environments: { dev: { brokers: 0 } } }; });
    assert.equal(k!.path, 'kafka.environments.dev.brokers');
    assert.match(k!.message, /cannot run with 0 brokers/);
  });
  it('an optional component may be 0 (it is simply off)', () => {
    const s = baseInput() as Record<string, any>;
    s['signals'].metrics.environments.dev.components = { ruler: { replicas: 0 } };
    assert.doesNotThrow(() => validateDefinition('stack.yaml', s));
  });
});

describe('bad input: the message says what is wrong', () => {
  it('replicas: "one" — expected a number, got the string "one"', () => {
    const [i, ...rest] = issuesOf((s) => { s['signals'].metrics.environments.dev.components = { ingester: { replicas: 'one' } }; });
    assert.equal(rest.length, 0);
    assert.equal(i!.path, 'signals.metrics.environments.dev.components.ingester.replicas');
    assert.equal(i!.message, 'expected a whole number from 0 to 1000, got the string "one"');
    assert.doesNotMatch(i!.message, /missing/);
  });
  it('a quantity of the wrong type, or missing, names the quantity and its range', () => {
    const [t] = issuesOf((s) => { s['signals'].metrics.environments.dev.components = { ingester: { memory: true } }; });
    assert.equal(t!.message, 'expected a memory quantity in Kubernetes units, from 16Mi to 4Ti, got true');
    const [m] = issuesOf((s) => { s['environments'][0].capacity = { headroom: { cpu: '1', storage: '1Gi' } }; });
    assert.equal(m!.path, 'environments[0].capacity.headroom.memory');
    assert.match(m!.message, /missing required "memory": a memory quantity in Kubernetes units, from 0 to 1Pi/);
  });
  it('replicas: "3" suggests removing the quotes', () => {
    const [i] = issuesOf((s) => { s['signals'].metrics.environments.dev.components = { ingester: { replicas: '3' } }; });
    assert.match(i!.suggestion, /remove the quotes: replicas: 3/);
  });
  it('a missing required key still says it is missing', () => {
    const [i] = issuesOf((s) => { delete s['name']; });
    assert.equal(i!.path, 'name');
    assert.match(i!.message, /missing required "name"/);
  });
  it('a YAML list at the root: the definition must be a mapping', async () => {
    const { issues } = await fileIssues('stack.yaml', '- name: demo\n- environments: []\n');
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.message, 'the definition must be a mapping (object) at the top level, got a list');
    assert.doesNotMatch(issues[0]!.suggestion, /write {2}as/);
  });
  it('an empty file suggests a definition that exists', async () => {
    const { issues } = await fileIssues('stack.yaml', '');
    assert.equal(issues.length, 1);
    assert.match(issues[0]!.message, /got nothing \(the file is empty\)/);
    const m = /start from (\S+\.yaml)/.exec(issues[0]!.suggestion);
    assert.ok(m, issues[0]!.suggestion);
    assert.ok(existsSync(isAbsolute(m[1]!) ? m[1]! : join(process.cwd(), m[1]!)), `${m[1]} exists`);
    assert.ok(existsSync(join(ROOT, 'examples/single-node/stack.yaml')));
    assert.match(issues[0]!.suggestion, /otelstack schema/);
  });
  it('a TypeScript syntax error prints esbuild\'s message with file:line:col', async () => {
    const { file, issues } = await fileIssues('stack.ts', 'export default {\n  name: ;\n};\n');
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.path, 'line 2, column 9');
    assert.ok(issues[0]!.message.includes(`${file}:2:9: Unexpected ";"`), issues[0]!.message);
  });
  it('a misspelt key: one error, the unknown key with did-you-mean (no spurious "missing")', () => {
    const issues = issuesOf((s) => { s['nmae'] = s['name']; delete s['name']; });
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.path, 'nmae');
    assert.match(issues[0]!.suggestion, /did you mean "name"/);
    const nested = issuesOf((s) => { s['environments'][0].targte = s['environments'][0].target; delete s['environments'][0].target; });
    assert.deepEqual(nested.map((i) => i.path), ['environments[0].targte']);
  });
  it('one tab character: one error, tabs are not YAML indentation, at line:col', async () => {
    const { issues } = await fileIssues('stack.yaml', stringify(baseInput()).replace('\n  - name: dev\n    namespace', '\n  - name: dev\n\tnamespace'));
    assert.equal(issues.length, 1);
    assert.match(issues[0]!.message, /YAML does not allow tabs for indentation/);
    assert.match(issues[0]!.path, /^line \d+, column 1$/);
  });

  it('Faro allowed origins: a path, no scheme, capitals, another scheme — each with the origin to write', () => {
    const cases: Array<[string, RegExp, string]> = [
      ['https://app.example.com/', /has a path: browsers send the origin without one/, 'write "https://app.example.com"'],
      ['https://app.example.com/login', /has a path/, 'write "https://app.example.com"'],
      ['app.example.com', /is not an origin: it has no scheme/, 'write "https://app.example.com"'],
      ['https://App.Example.com', /capital letters/, 'write "https://app.example.com"'],
      ['ftp://app.example.com', /http or https, not ftp/, 'write the origin the page is served from, e.g. "https://app.example.com"'],
      ['http://localhost:99999', /port 99999, more than 65535/, 'write the port the application is served on'],
    ];
    for (const [origin, message, suggestion] of cases) {
      const issues = issuesOf((s) => { s['ingestion'] = { collector: 'alloy', faro: { enabled: true, allowedOrigins: ['https://ok.example.com', origin] } }; });
      assert.equal(issues.length, 1, `${origin}: ${JSON.stringify(issues)}`);
      assert.equal(issues[0]!.path, 'ingestion.faro.allowedOrigins[1]');
      assert.match(issues[0]!.message, message, origin);
      assert.match(issues[0]!.expected, /an origin: http:\/\/ or https:\/\/, a host, an optional port, no path/);
      assert.equal(issues[0]!.suggestion, suggestion, origin);
    }
    // what browsers send, a subdomain wildcard, and "*" (a plan warning, not bad input) are accepted
    for (const ok of ['http://localhost:5173', 'https://app.example.com', 'https://*.example.com', 'http://127.0.0.1:8080', '*']) {
      assert.doesNotThrow(() => validateDefinition('stack.yaml', { ...baseInput(), ingestion: { collector: 'alloy', faro: { enabled: true, allowedOrigins: [ok] } } }), ok);
    }
  });
});
