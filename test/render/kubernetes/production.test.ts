// examples/production (seed 001's production topology): plan, golden render, chart facts of every chart it writes
// values for (tempo-distributed, mimir-distributed, loki in two modes, pyroscope, alloy as a DaemonSet, grafana HA),
// the Pyroscope datasource, and Grafana values that carry only Secret references.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { CHART_FACTS, GRAFANA_SENSITIVE_INI, brokenGuards, workloadEnabled, type ChartFacts } from '../../../src/catalog/charts/index.js';
import { MEMCACHED_ITEM_MEMORY_FRACTION } from '../../../src/catalog/memcached.js';
import { buildPlan } from '../../../src/plan/index.js';
import { diffFileSets, readFileSet } from '../../../src/render/fileset.js';
import { expand } from '../../../src/topology/expand.js';
import type { Topology } from '../../../src/topology/types.js';
import { otelstackAsync } from '../../support/cli.js';
import { assertKnownKeys, assertObjectsValidate, valuesOf, type Obj } from './inspect.js';
import { PRODUCTION, PRODUCTION_GOLDEN_DIR, productionStack, renderProduction } from './support.js';

const get = (v: unknown, path: string): unknown => path.split('.').reduce<unknown>((c, s) => (c && typeof c === 'object' ? (c as Obj)[s] : undefined), v);
const Mi = 1024 ** 2;

describe('examples/production: seed 001 production topology', async () => {
  const { stack, file } = await productionStack();
  const files = renderProduction(stack);
  const topologies = stack.environments.map((e) => expand(stack, e.name));
  const values = (env: string, name: string) => parse(files.get(`kubernetes/${env}/values/${name}.yaml`)!) as Obj;

  it('plans without error or warning findings, every environment within its headroom', async () => {
    const plan = buildPlan(stack, file);
    const bad = plan.findings.filter((f) => f.severity === 'error' || f.severity === 'warning');
    assert.deepEqual(bad, []);
    const r = await otelstackAsync(['plan', PRODUCTION]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /fits/);
    assert.doesNotMatch(r.out, /does not fit/);
  });

  it('golden: `otelstack render examples/production` matches examples/production/rendered', () => {
    const diffs = diffFileSets(files, readFileSet(PRODUCTION_GOLDEN_DIR));
    const text = diffs.map((d) => `${d.change}: ${d.path}${d.detail ? `\n${d.detail}` : ''}`).join('\n');
    assert.equal(diffs.length, 0, `rendered output differs from the golden files (to accept: node dist/test/render/kubernetes/update-golden.js):\n${text}`);
  });

  it('deploys every chart otelstack writes values for, in both environments, with known keys and valid objects', () => {
    const charts = new Set(valuesOf(files).map((v) => v.chart));
    for (const c of ['tempo-distributed', 'mimir-distributed', 'loki', 'pyroscope', 'alloy', 'grafana']) assert.ok(charts.has(c), c);
    for (const env of ['staging', 'prod']) {
      for (const e of ['tempo', 'mimir', 'loki', 'pyroscope', 'alloy', 'grafana']) assert.ok(files.has(`kubernetes/${env}/applications/${e}.yaml`), `${env} ${e}`);
    }
    assert.equal(values('staging', 'loki')['deploymentMode'], 'SimpleScalable');
    assert.equal(values('prod', 'loki')['deploymentMode'], 'Distributed');
    assertKnownKeys(files);
    assert.ok(assertObjectsValidate(files) > 20);
  });

  it('chart facts: no broken guard; every workload a chart runs is budgeted with requests or switched off; no secret on a shared route', () => {
    const check = (t: Topology, engine: string, facts: ChartFacts, v: Obj) => {
      assert.deepEqual(brokenGuards(v, facts), [], `${t.env.name} ${facts.chart}`);
      for (const w of facts.workloads) {
        if (!workloadEnabled(v, w)) continue;
        const o = w.otelstack;
        assert.notEqual(o.action, 'disable', `${t.env.name} ${facts.chart} ${w.key} must be switched off`);
        if (o.action === 'disable') continue;
        const c = t.components.find((k) => k.engine === engine && k.component === o.component);
        assert.ok(c?.budgeted, `${t.env.name} ${facts.chart} ${w.key}: the plan budgets ${o.component}`);
        const res = get(v, w.resourcesKey ?? `${w.key}.resources`) as Obj | undefined;
        assert.ok(get(res, 'requests.cpu') && get(res, 'requests.memory'), `${t.env.name} ${facts.chart} ${w.key} has requests`);
      }
      for (const l of facts.lists) {
        const running = (l.alsoReaches ?? []).filter((k) => {
          const w = facts.workloads.find((y) => y.key === k);
          return !w || workloadEnabled(v, w);
        });
        if (running.length) assert.doesNotMatch(JSON.stringify(get(v, l.setting) ?? null), /secretKeyRef|config\.expand-env/, `${t.env.name} ${facts.chart} ${l.setting} reaches ${running.join(', ')}`);
      }
    };
    let checked = 0;
    for (const t of topologies) {
      for (const e of t.engines.filter((x) => x.managed && 'name' in x.chart)) {
        check(t, e.engine, CHART_FACTS[(e.chart as { name: string }).name]!, values(t.env.name, e.engine));
        checked++;
      }
      check(t, 'alloy', CHART_FACTS['alloy']!, values(t.env.name, 'alloy'));
      check(t, 'grafana', CHART_FACTS['grafana']!, values(t.env.name, 'grafana'));
      checked += 2;
    }
    assert.equal(checked, 12);
  });

  it("memcached caches on the engines' query paths: budgeted with requests and the policy's memory limit, item memory inside it", () => {
    const prod = topologies.find((t) => t.env.name === 'prod')!;
    const caches: Array<[string, string, string]> = [
      ['mimir', 'results-cache', 'results-cache'],
      ['mimir', 'chunks-cache', 'chunks-cache'],
      ['mimir', 'index-cache', 'index-cache'],
      ['mimir', 'metadata-cache', 'metadata-cache'],
      ['loki', 'chunks-cache', 'chunksCache'],
      ['loki', 'results-cache', 'resultsCache'],
    ];
    for (const [engine, component, key] of caches) {
      const c = prod.components.find((x) => x.engine === engine && x.component === component)!;
      assert.ok(c?.budgeted, `${engine} ${component}`);
      const limit = c.perReplica.memoryLimitBytes!;
      assert.ok(limit > 0, `${engine} ${component} has the policy's memory limit`);
      const v = get(values('prod', engine), key) as Obj;
      assert.equal(v['enabled'], true);
      assert.equal(v['replicas'], c.replicas);
      assert.equal(v['allocatedMemory'], Math.floor((limit / Mi) * MEMCACHED_ITEM_MEMORY_FRACTION));
      assert.ok(get(v, 'resources.limits.memory'), `${engine} ${key} memory limit rendered`);
      assert.equal(get(v, 'resources.limits.cpu'), undefined);
    }
    // Tempo's own memcached, resized by the definition
    const tm = prod.components.find((x) => x.engine === 'tempo' && x.component === 'memcached')!;
    assert.equal(tm.replicas, 2);
    assert.equal(get(values('prod', 'tempo'), 'memcached.resources.limits.memory'), '1Gi');
    // a cache the definition does not name stays off (staging Loki has no chunks cache)
    assert.equal(get(values('staging', 'loki'), 'chunksCache.enabled'), false);
    assert.equal(get(values('staging', 'loki'), 'resultsCache.enabled'), true);
    // with a cache running, Loki's S3 keys reach only the Loki targets, never global.extraEnv (which the caches get)
    assert.equal(get(values('prod', 'loki'), 'global.extraEnv'), undefined);
    assert.match(JSON.stringify(get(values('prod', 'loki'), 'ingester.extraEnv')), /secretKeyRef/);
  });

  it('collector-memory speaks of the Alloy collectors only, not of the config-reloader sidecar in their pods', () => {
    const f = buildPlan(stack, file).findings.filter((x) => x.rule === 'collector-memory');
    assert.ok(f.some((x) => /alloy gateway/.test(x.message)), 'the gateways are reported');
    assert.deepEqual(f.filter((x) => /config-reloader/.test(x.message)), []);
  });

  it('Alloy runs as a DaemonSet in both environments', () => {
    for (const env of ['staging', 'prod']) {
      assert.deepEqual(get(values(env, 'alloy'), 'controller'), { type: 'daemonset' });
      assert.ok(get(values(env, 'alloy'), 'alloy.resources.requests.cpu'));
    }
  });

  it('datasources: Pyroscope like the other signals, and Tempo links spans to profiles', () => {
    for (const env of ['staging', 'prod']) {
      const cm = parse(files.get(`kubernetes/${env}/grafana-datasources.yaml`)!) as { data: Record<string, string> };
      const prov = parse(Object.values(cm.data)[0]!) as { datasources: Obj[] };
      const types = prov.datasources.map((d) => d['type']).sort();
      assert.deepEqual(types, ['grafana-pyroscope-datasource', 'loki', 'prometheus', 'tempo']);
      const py = prov.datasources.find((d) => d['type'] === 'grafana-pyroscope-datasource')!;
      assert.equal(py['uid'], `pyroscope-${env}`);
      assert.match(String(py['url']), new RegExp(`^http://pyroscope(-query-frontend)?\\.observability-${env}\\.svc\\.cluster\\.local:4040$`));
      const tempo = prov.datasources.find((d) => d['type'] === 'tempo')!;
      assert.equal(get(tempo, 'jsonData.tracesToProfiles.datasourceUid'), `pyroscope-${env}`);
    }
  });

  it('Grafana HA: replicas on the external PostgreSQL, sessions in the external Redis, no volume, a PDB, gossip peers; budgeted', () => {
    const v = values('prod', 'grafana');
    assert.equal(v['replicas'], 3);
    assert.deepEqual(v['persistence'], { enabled: false });
    assert.deepEqual(v['podDisruptionBudget'], { maxUnavailable: 1 });
    assert.equal(v['headlessService'], true);
    const ini = v['grafana.ini'] as Obj;
    assert.equal(get(ini, 'database.type'), 'postgres');
    assert.equal(get(ini, 'database.host'), 'grafana-db.prod.example.internal:5432');
    assert.equal(get(ini, 'remote_cache.type'), 'redis');
    assert.match(String(get(ini, 'remote_cache.connstr')), /^addr=grafana-redis\.prod\.example\.internal:6379,/);
    assert.equal(get(ini, 'unified_alerting.ha_peers'), 'grafana-headless.observability-prod.svc.cluster.local:9094');
    const prod = topologies.find((t) => t.env.name === 'prod')!;
    const g = prod.components.find((c) => c.engine === 'grafana' && c.component === 'grafana')!;
    assert.equal(g.replicas, 3);
    assert.equal(g.perReplica.storageBytes, 0);
    assert.equal(prod.components.find((c) => c.engine === 'grafana' && c.component === 'sidecar')!.replicas, 6);
    assert.equal(get(values('staging', 'grafana'), 'replicas'), 2);
  });

  it('Grafana values carry Secret references only: every credential a secretKeyRef, grafana.ini only $__env{} expansions', () => {
    for (const env of ['staging', 'prod']) {
      const v = values(env, 'grafana');
      const d = stack.grafana.deploy![env]!;
      const evf = v['envValueFrom'] as Record<string, Obj>;
      assert.ok(Object.keys(evf).length >= 3);
      for (const [name, ref] of Object.entries(evf)) assert.deepEqual(Object.keys(ref), ['secretKeyRef'], name);
      const refs = Object.values(evf).map((r) => get(r, 'secretKeyRef.name'));
      for (const s of [d.database.user.secretName, d.database.password.secretName, d.sessions.password!.secretName]) assert.ok(refs.includes(s), s);
      const ini = v['grafana.ini'] as Obj;
      for (const k of GRAFANA_SENSITIVE_INI) {
        const x = get(ini, k);
        if (x !== undefined) assert.match(String(x), /^\$__env\{[A-Z0-9_]+\}$/, `${env} grafana.ini ${k}`);
      }
      assert.match(String(get(ini, 'database.user')), /^\$__env\{/);
      const pw = /password=([^,]*)/.exec(String(get(ini, 'remote_cache.connstr')))![1];
      assert.match(pw!, /^\$__env\{[A-Z0-9_]+\}$/);
      // no plain env values at all (the chart's `env` map would be literal text)
      assert.equal(v['env'], undefined);
    }
  });
});

describe('examples/production: bad Grafana deployment input', () => {
  const variant = async (patch: (text: string) => string) => {
    const dir = mkdtempSync(join(tmpdir(), 'otelstack-production-'));
    try {
      writeFileSync(join(dir, 'stack.yaml'), patch(readFileSync(join(PRODUCTION, 'stack.yaml'), 'utf8')));
      return await otelstackAsync(['plan', dir]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  it('a database host without a port: exit 2 naming the path and the expected form', async () => {
    const r = await variant((t) => t.replace('host: grafana-db.prod.example.internal:5432', 'host: grafana-db.prod.example.internal'));
    assert.equal(r.code, 2);
    assert.match(r.err, /at grafana\.deploy\.prod\.database\.host: must be host:port/);
  });
  it('grafana.deploy for an environment that does not exist: exit 2 with a suggestion', async () => {
    const r = await variant((t) => t.replace('  deploy:\n    staging:', '  deploy:\n    stagin:'));
    assert.equal(r.code, 2);
    assert.match(r.err, /at grafana\.deploy\.stagin: "stagin" is not a defined environment/);
    assert.match(r.err, /did you mean "staging"/);
  });
});
