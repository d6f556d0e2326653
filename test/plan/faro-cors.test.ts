// Plan rule faro-cors (src/plan/rules/faro-cors.ts): an enabled Faro receiver with no allowed origin is an error
// (browsers refuse), "*" is a warning (any site may post), on either collector.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildPlan } from '../../src/plan/index.js';
import { stackOf } from '../fixtures/stacks.js';

type M = Record<string, any>;
const findings = (mutate: (s: M) => void) => buildPlan(stackOf(mutate as never), 'test.yaml').findings.filter((f) => f.rule === 'faro-cors');

/** Alloy on the fixture's Kubernetes environments */
const alloy = (faro: M) => (s: M) => { s['ingestion'] = { collector: 'alloy', faro }; };
/** the OpenTelemetry Collector on a compose environment */
const otelcol = (faro: M) => (s: M) => {
  s['environments'] = [{ name: 'dev', namespace: 'demo-dev', target: 'compose', objectStorage: 's3' }];
  s['signals'] = { logs: { engine: 'loki', environments: { dev: { mode: 'monolithic' } } } };
  s['ingestion'] = { collector: 'otelcol', faro };
};

describe('plan rule faro-cors', () => {
  for (const [name, kind] of [['alloy', alloy], ['otelcol', otelcol]] as const) {
    it(`${name}: enabled with no allowed origin is an error at ingestion.faro.allowedOrigins (browsers refuse)`, () => {
      const f = findings(kind({ enabled: true }));
      assert.equal(f.length, 1);
      assert.equal(f[0]!.severity, 'error');
      assert.equal(f[0]!.path, 'ingestion.faro.allowedOrigins');
      assert.equal(f[0]!.env, undefined, 'about the definition, once, not per environment');
      assert.match(f[0]!.message, /browsers refuse/);
      assert.match(f[0]!.suggestion, /allowedOrigins: \["https:\/\/app\.example\.com"\]/);
    });
    it(`${name}: "*" is a warning at its index saying any site can then post telemetry`, () => {
      const f = findings(kind({ enabled: true, allowedOrigins: ['https://app.example.com', '*'] }));
      assert.deepEqual(f.map((x) => [x.severity, x.path]), [['warning', 'ingestion.faro.allowedOrigins[1]']]);
      assert.match(f[0]!.message, /any site can then post telemetry/);
    });
    it(`${name}: listed origins, or Faro disabled, are no finding`, () => {
      assert.deepEqual(findings(kind({ enabled: true, allowedOrigins: ['https://app.example.com', 'http://localhost:5173'] })), []);
      assert.deepEqual(findings(kind({ enabled: false })), []);
      assert.deepEqual(findings(kind({ enabled: false, allowedOrigins: ['*'] })), []);
    });
  }
  it('no ingestion at all: nothing to say', () => {
    assert.deepEqual(findings(() => {}), []);
  });
});
