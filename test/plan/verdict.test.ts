import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verdict } from '../../src/plan/index.js';
import { renderStack } from '../../src/render/index.js';
import { stackOf } from '../fixtures/stacks.js';

type M = Record<string, any>;
const errorsOf = (mutate: (s: M) => void, envs?: string[]) => verdict(stackOf(mutate as never), 'test.yaml', envs).errors;
/** Error findings of the renderers alone (their internal guards), to show the plan rule says the same thing. */
const renderErrors = (mutate: (s: M) => void) => renderStack(stackOf(mutate as never)).findings.filter((f) => f.severity === 'error');

describe('verdict: the plan rules for what render used to refuse on its own', () => {
  it('the base definition passes', () => {
    const v = verdict(stackOf(), 'test.yaml');
    assert.equal(v.ok, true);
    assert.deepEqual(v.errors, []);
  });

  it('ansible-hosts: an ansible environment without hosts for what it runs, at its definition paths, as render refuses it', () => {
    const mutate = (s: M) => { s['environments'][1].target = 'ansible'; };
    const e = errorsOf(mutate).filter((f) => f.rule === 'ansible-hosts');
    assert.deepEqual(e.map((f) => `${f.env} ${f.path}`).sort(), ['prod environments[1].hosts.grafana', 'prod environments[1].hosts.storage', 'prod signals.metrics.environments.prod']);
    assert.match(e.find((f) => f.path.startsWith('signals'))!.message, /runs Mimir monolithic .*not microservices/);
    // the renderer refuses with the same findings
    for (const f of e) assert.ok(renderErrors(mutate).some((r) => r.path === f.path && r.message === f.message), f.message);
    // ansible has a renderer now: target-renderer is quiet; a selection without the ansible environment is not refused for it
    assert.deepEqual(errorsOf(mutate).filter((f) => f.rule === 'target-renderer'), []);
    assert.deepEqual(errorsOf(mutate, ['dev']).filter((f) => f.rule === 'ansible-hosts'), []);
  });

  it('compose-collector: Alloy on a compose environment', () => {
    const mutate = (s: M) => { s['environments'][0].target = 'compose'; s['ingestion'] = { collector: 'alloy' }; };
    const e = errorsOf(mutate).filter((f) => f.rule === 'compose-collector');
    assert.deepEqual(e.map((f) => [f.env, f.path]), [['dev', 'ingestion.collector']]);
    assert.ok(renderErrors(mutate).some((f) => f.path === 'ingestion.collector' && f.message === e[0]!.message));
    assert.deepEqual(errorsOf((s) => { s['environments'][0].target = 'compose'; s['ingestion'] = { collector: 'otelcol' }; }).filter((f) => f.rule === 'compose-collector'), []);
  });

  it('kubernetes-kafka-buffer: a collector Kafka buffer on a Kubernetes environment, refused by plan and render alike', () => {
    const mutate = (s: M) => {
      s['kafka'] = { environments: { prod: { brokers: 3, cpu: '500m', memory: '2Gi', storage: '20Gi' } } };
      s['ingestion'] = { collector: 'alloy', environments: { prod: { kafkaBuffer: true, gateway: { replicas: 2 } } } };
    };
    const e = errorsOf(mutate).filter((f) => f.rule === 'kubernetes-kafka-buffer');
    assert.deepEqual(e.map((f) => [f.env, f.path]), [['prod', 'ingestion.environments.prod.kafkaBuffer']]);
    assert.match(e[0]!.message, /renders the Alloy as a gateway only/);
    assert.ok(renderErrors(mutate).some((f) => f.path === e[0]!.path && f.message === e[0]!.message));
    // the same definition on compose renders its buffer: nothing to refuse
    const onCompose = (s: M) => { mutate(s); s['environments'][1].target = 'compose'; s['ingestion'].collector = 'otelcol'; };
    assert.deepEqual(errorsOf(onCompose).filter((f) => f.rule === 'kubernetes-kafka-buffer'), []);
    // and on Kubernetes with the OTel Collector, whose gateway and processor pools otelstack deploys there
    assert.deepEqual(errorsOf((s) => { mutate(s); s['ingestion'].collector = 'otelcol'; }).filter((f) => f.rule === 'kubernetes-kafka-buffer'), []);
  });

  it('chart-version: Tempo 2 microservices needs tempo-distributed 2.x, whose values otelstack does not write; Mimir 2 gets chart 5.8.0 values', () => {
    const mutate = (s: M) => { s['signals'].traces = { engine: 'tempo', version: '2.8.2', environments: { dev: { mode: 'microservices' }, prod: { mode: 'microservices', replicationFactor: 3 } } }; };
    const e = errorsOf(mutate).filter((f) => f.rule === 'chart-version');
    assert.deepEqual(e.map((f) => f.path), ['signals.traces.environments.dev', 'signals.traces.environments.prod']);
    assert.match(e[0]!.message, /^Tempo 2\.8\.2 needs the tempo-distributed chart 2\.24\.0; otelstack writes values for tempo-distributed \S+ only/);
    for (const f of e) assert.ok(renderErrors(mutate).some((r) => r.env === f.env && r.path === f.path && r.message === f.message));
    // not deployed by otelstack: nothing to refuse
    assert.deepEqual(errorsOf((s) => { mutate(s); s['signals'].traces.managed = false; }).filter((f) => f.rule === 'chart-version'), []);
    // Mimir 2.x: otelstack writes mimir-distributed 5.8.0's values (the 2 line's chart) beside 6.0.0's
    assert.deepEqual(errorsOf((s) => { s['signals'].metrics.version = '2.16.0'; }).filter((f) => f.rule === 'chart-version'), []);
  });

  it('rate-limits: a tenant that is neither an X-Scope-OrgID nor an environment the Alloy serves', () => {
    const ing = (tenant: string) => (s: M) => {
      s['signals'].metrics.environments.prod.tenant = 'acme';
      s['ingestion'] = { collector: 'alloy', faro: { enabled: true }, rateLimits: [{ tenant, requestsPerSecond: 10 }] };
    };
    const e = errorsOf(ing('nobody')).filter((f) => f.rule === 'rate-limits');
    assert.deepEqual(e.map((f) => [f.env, f.path]), [[undefined, 'ingestion.rateLimits[0].tenant']]);
    assert.ok(renderErrors(ing('nobody')).some((f) => f.path === e[0]!.path && f.message === e[0]!.message));
    assert.deepEqual(errorsOf(ing('dev')).filter((f) => f.rule === 'rate-limits'), []);
    assert.deepEqual(errorsOf(ing('acme')).filter((f) => f.rule === 'rate-limits'), []);
    // the Alloy serves every environment: a limit for prod is valid when only dev is looked at
    assert.deepEqual(errorsOf(ing('prod'), ['dev']).filter((f) => f.rule === 'rate-limits'), []);
    // without Faro the limits are not rendered (a renderer warning), not refused
    assert.deepEqual(errorsOf((s) => { ing('nobody')(s); s['ingestion'].faro.enabled = false; }).filter((f) => f.rule === 'rate-limits'), []);
  });

  it('compose-object-storage: a local store on compose must answer at a plain-HTTP service name', () => {
    const mutate = (s: M) => { s['environments'][0].target = 'compose'; s['objectStorage'].s3 = { kind: 'minio', endpoint: 'https://localhost:9000', credentials: { secretName: 's3.env' } }; };
    const e = errorsOf(mutate).filter((f) => f.rule === 'compose-object-storage');
    assert.deepEqual(e.map((f) => [f.env, f.path]), [['dev', 'objectStorage.s3.endpoint'], ['dev', 'objectStorage.s3.endpoint']]);
    for (const f of e) assert.ok(renderErrors(mutate).some((r) => r.path === f.path && r.message === f.message));
    // the same store on Kubernetes is an existing instance: nothing to refuse; external S3 over https is fine on compose
    assert.deepEqual(errorsOf((s) => { mutate(s); s['environments'][0].target = 'kubernetes'; }).filter((f) => f.rule === 'compose-object-storage'), []);
    assert.deepEqual(errorsOf((s) => { mutate(s); s['objectStorage'].s3.kind = 's3'; }).filter((f) => f.rule === 'compose-object-storage'), []);
    assert.deepEqual(errorsOf((s) => { mutate(s); s['objectStorage'].s3.endpoint = 'http://minio:9000'; }).filter((f) => f.rule === 'compose-object-storage'), []);
  });

  it('a definition the plan accepts renders without a renderer refusal', () => {
    const onCompose = (s: M) => {
      s['environments'][0].target = 'compose';
      s['signals'].metrics.environments.dev = { mode: 'monolithic' }; // compose runs each engine as one process
      s['ingestion'] = { collector: 'otelcol', environments: { dev: {} } };
    };
    for (const mutate of [() => {}, onCompose]) {
      assert.equal(verdict(stackOf(mutate as never), 'test.yaml').ok, true);
      assert.deepEqual(renderErrors(mutate), []);
    }
  });
});
