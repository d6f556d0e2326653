// The dashboards: four per environment after renderStack (and the RUM dashboard where Faro logs are recorded), provisioned from files (sidecar ConfigMaps on
// Kubernetes, a file provider in compose), deterministic, with no datasource uid written anywhere, an environment
// selector whose datasource regexes match the provisioned datasource names, and only metrics the catalog knows —
// each either produced by the environment's rendered pipeline or named in a render finding.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { ConfigMap } from 'kubernetes-models/v1';
import { GRAFANA_SIDECAR_LABELS } from '../../../src/catalog/grafana.js';
import { familyOf, familyPresence } from '../../../src/catalog/metrics.js';
import type { Stack } from '../../../src/model/schema.js';
import { buildDashboards, COMPOSE_DASHBOARDS_PATH, DASHBOARD_IDS, dashboardScope, datasourceNameRegex, metricsOfDashboard, queriesOf } from '../../../src/render/grafana/index.js';
import { metricNamesOf } from '../../../src/render/rules/promql-names.js';
import { recordedNames, rumRuleFiles } from '../../../src/render/rules/index.js';
import { RUM_RECORDS, WEB_VITALS } from '../../../src/catalog/faro.js';
import { renderStack, type RenderAllResult } from '../../../src/render/index.js';
import { expand } from '../../../src/topology/expand.js';
import { example, render } from '../rules/support.js';

type Json = Record<string, any>;

/** env → dashboards (parsed JSON) of a render, from ConfigMaps or compose JSON files. */
function dashboardsOf(r: RenderAllResult): Map<string, Json[]> {
  const out = new Map<string, Json[]>();
  const add = (env: string, d: Json) => out.set(env, [...(out.get(env) ?? []), d]);
  for (const [path, text] of r.files) {
    let m = /^kubernetes\/([^/]+)\/grafana-dashboards\/[^/]+\.yaml$/.exec(path);
    if (m) {
      const cm = parse(text) as Json;
      new ConfigMap(cm as never).validate();
      assert.equal(cm['metadata']['labels'][GRAFANA_SIDECAR_LABELS.dashboard], '1', `${path}: sidecar label`);
      const keys = Object.keys(cm['data']);
      assert.equal(keys.length, 1);
      const d = JSON.parse(cm['data'][keys[0]!]) as Json;
      assert.equal(keys[0], `${d['uid']}.json`);
      add(m[1]!, d);
      continue;
    }
    m = /^compose\/([^/]+)\/grafana\/provisioning\/dashboards\/json\/[^/]+\.json$/.exec(path);
    if (m) add(m[1]!, JSON.parse(text) as Json);
  }
  return out;
}

function walk(node: unknown, visit: (key: string, value: unknown, parent: Json) => void): void {
  if (Array.isArray(node)) node.forEach((x) => walk(x, visit));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node as Json)) {
      visit(k, v, node as Json);
      walk(v, visit);
    }
  }
}

function datasourceVariables(d: Json): Map<string, Json> {
  return new Map((d['templating']['list'] as Json[]).filter((v) => v['type'] === 'datasource').map((v) => [v['name'] as string, v]));
}

/**
 * A datasource variable's regex as Grafana applies it (scenes DataSourceVariable.getValueOptions): `${name:regex}`
 * interpolated with the regex format (a single value regex-escaped), then @grafana/data stringToJsRegex (`/…/flags`).
 * A variable reference left without a value fails the test.
 */
function grafanaRegex(regex: string, values: Record<string, string>): RegExp {
  const interpolated = regex.replace(/\$\{(\w+):regex\}/g, (_, name: string) => {
    const v = values[name];
    assert.ok(v !== undefined, `${regex}: no value for \${${name}}`);
    return v.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  });
  assert.doesNotMatch(interpolated, /\$\{?\w/, `${interpolated}: a variable reference is left`);
  const m = /^\/(.*?)\/(g?i?m?y?s?)$/.exec(interpolated);
  assert.ok(m, `${interpolated} is not in Grafana's /…/ form`);
  return new RegExp(m[1]!, m[2]);
}

/** The datasources a render provisions for an environment (compose provisioning file or the Kubernetes ConfigMap). */
function provisionedDatasources(r: RenderAllResult, env: string): Json[] {
  const compose = r.files.get(`compose/${env}/grafana/provisioning/datasources/datasources.yaml`);
  if (compose) return (parse(compose) as Json)['datasources'] as Json[];
  const cm = parse(r.files.get(`kubernetes/${env}/grafana-datasources.yaml`)!) as Json;
  return (parse(Object.values<string>(cm['data'])[0]!) as Json)['datasources'] as Json[];
}

/** The definition with Tempo's metrics-generator off in every environment (no spanMetrics, no generator component). */
function withoutSpanMetrics(stack: Stack): Stack {
  const s = structuredClone(stack);
  for (const env of Object.values(s.signals.traces!.environments)) {
    delete env.spanMetrics;
    if (env.components) delete env.components['metrics-generator'];
  }
  return s;
}

describe('dashboards after renderStack', () => {
  it('examples/dts: the four dashboards for every environment, as sidecar ConfigMaps, identical across environments', async () => {
    const stack = await example('dts');
    const r = render(stack);
    const byEnv = dashboardsOf(r);
    assert.deepEqual([...byEnv.keys()].sort(), ['dev', 'prod', 'test']);
    const uids = DASHBOARD_IDS.map((id) => `dts-${id}`).sort();
    for (const [env, ds] of byEnv) {
      assert.deepEqual(ds.map((d) => d['uid']).sort(), uids, `${env}: four dashboards with stable uids`);
      for (const d of ds) assert.ok((d['panels'] as Json[]).length > 0, `${env} ${d['uid']}: panels`);
    }
    const text = (env: string) => JSON.stringify([...byEnv.get(env)!].sort((a, b) => (a['uid'] < b['uid'] ? -1 : 1)));
    assert.equal(text('dev'), text('prod'), 'one dashboard set covers every environment');
    // every environment also renders them alone (render --env), the same dashboards
    for (const e of stack.environments) {
      const one = dashboardsOf(renderStack(stack, { env: e.name })).get(e.name);
      assert.equal(one?.length, 4, `${e.name}: four dashboards when rendered alone`);
      assert.equal(JSON.stringify([...one].sort((a, b) => (a['uid'] < b['uid'] ? -1 : 1))), text(e.name));
    }
  });

  it('compose examples: a file provider pointing where the compose Grafana mounts the JSON files', async () => {
    for (const name of ['single-node', 'scalable']) {
      const stack = await example(name);
      const r = render(stack);
      const env = stack.environments[0]!.name;
      const provider = parse(r.files.get(`compose/${env}/grafana/provisioning/dashboards/otelstack.yaml`)!) as Json;
      assert.equal(provider['apiVersion'], 1);
      assert.equal(provider['providers'][0]['type'], 'file');
      assert.equal(provider['providers'][0]['options']['path'], COMPOSE_DASHBOARDS_PATH);
      const compose = parse(r.files.get(`compose/${env}/docker-compose.yaml`)!) as Json;
      const grafanas = Object.entries<Json>(compose['services']).filter(([n]) => n.startsWith('grafana'));
      assert.ok(grafanas.length > 0);
      for (const [n, s] of grafanas) {
        const mount = (s['volumes'] as string[]).find((v) => v.startsWith('./grafana/provisioning:'));
        assert.ok(mount, `${name} ${n}: provisioning directory mounted`);
        const target = mount.split(':')[1]!;
        assert.ok(COMPOSE_DASHBOARDS_PATH.startsWith(`${target}/`), `${name} ${n}: dashboards under the mounted ${target}`);
      }
      // the four, and the RUM dashboard where Faro logs are recorded (single-node enables the Faro endpoint)
      const rum = expand(stack, env).rum !== undefined;
      assert.equal(rum, name === 'single-node');
      assert.equal(dashboardsOf(r).get(env)?.length, rum ? 5 : 4, `${name}: four dashboards${rum ? ' and the RUM dashboard' : ''}`);
    }
  });

  it('grafana.provisioning chart-values: the grafana chart’s dashboardProviders and dashboards values instead of ConfigMaps', async () => {
    const stack = structuredClone(await example('dts'));
    stack.grafana.provisioning = 'chart-values';
    const r = render(stack);
    assert.ok(![...r.files.keys()].some((p) => p.includes('/grafana-dashboards/')));
    for (const e of stack.environments) {
      const v = parse(r.files.get(`kubernetes/${e.name}/values/grafana-dashboards.yaml`)!) as Json;
      const provider = v['dashboardProviders']['dashboardproviders.yaml']['providers'][0];
      assert.equal(provider['type'], 'file');
      const ds = v['dashboards'][provider['name']];
      assert.deepEqual(Object.keys(ds).sort(), DASHBOARD_IDS.map((id) => `dts-${id}`).sort());
      for (const [uid, x] of Object.entries<Json>(ds)) assert.equal((JSON.parse(x['json']) as Json)['uid'], uid);
    }
  });

  it('rendering twice gives byte-identical files', async () => {
    const stack = await example('dts');
    const pick = (r: RenderAllResult) => [...r.files].filter(([p]) => p.includes('grafana-dashboards/') || p.includes('/dashboards/'));
    assert.deepEqual(pick(render(stack)), pick(render(stack)));
  });
});

describe('datasources: variables only, never a uid', () => {
  for (const name of ['dts', 'single-node', 'scalable', 'rum']) {
    it(`${name}: every datasource reference is \${<datasource variable>} and no provisioned uid appears`, async () => {
      const stack = await example(name);
      const r = render(stack);
      const provisionedUids = stack.environments.flatMap((e) => expand(stack, e.name).engines.flatMap((x) => (x.datasource ? [x.datasource.uid] : [])));
      assert.ok(provisionedUids.length > 0);
      for (const [env, ds] of dashboardsOf(r)) {
        for (const d of ds) {
          const vars = datasourceVariables(d);
          assert.ok(vars.size > 0, `${d['uid']}: datasource variables`);
          let refs = 0;
          walk(d, (key, value) => {
            if (key !== 'datasource' || !value || typeof value !== 'object') return;
            refs++;
            const uid = (value as Json)['uid'];
            const m = /^\$\{(\w+)\}$/.exec(String(uid));
            assert.ok(m, `${env} ${d['uid']}: datasource uid ${String(uid)} is not a variable`);
            assert.ok(vars.has(m[1]!), `${env} ${d['uid']}: \${${m[1]}} is not a datasource variable`);
            assert.equal((value as Json)['type'], vars.get(m[1]!)!['query'], `${env} ${d['uid']}: plugin type matches the variable`);
          });
          assert.ok(refs > 0);
          const text = JSON.stringify(d);
          for (const u of provisionedUids) assert.ok(!text.includes(`"${u}"`), `${d['uid']} hard-codes datasource uid ${u}`);
          // only the dashboard's own uid sits under a "uid" key besides variable references
          walk(d, (key, value, parent) => {
            if (key === 'uid' && parent !== d) assert.match(String(value), /^\$\{\w+\}$/, `${d['uid']}: stray uid ${String(value)}`);
          });
        }
      }
    });
  }

  it('dts: the environment selector picks exactly that environment’s provisioned datasource', async () => {
    const stack = await example('dts');
    const r = render(stack);
    const traces = dashboardsOf(r).get('prod')!.find((d) => d['uid'] === 'dts-traces')!;
    const env = (traces['templating']['list'] as Json[]).find((v) => v['name'] === 'env')!;
    assert.equal(env['query'], 'dev,test,prod');
    const vars = datasourceVariables(traces);
    for (const e of stack.environments) {
      const provisioned = provisionedDatasources(r, e.name);
      for (const v of vars.values()) {
        const re = grafanaRegex(String(v['regex']), { env: e.name });
        const matching = provisioned.filter((p) => p['type'] === v['query'] && re.test(String(p['name'])));
        assert.equal(matching.length, 1, `${e.name}: ${String(v['name'])} ${re} matches one of ${provisioned.map((p) => p['name']).join(', ')}`);
        for (const other of stack.environments.filter((x) => x.name !== e.name)) {
          assert.ok(!re.test(matching[0]!['name'].replace(e.name, other.name)), 'no other environment matches');
        }
      }
    }
  });
});

describe('metric names in dashboard queries', () => {
  it('lezer-promql extraction: selectors, histograms, variable functions, Grafana intervals', () => {
    assert.deepEqual(metricNamesOf('sum by (le) (rate(a_bucket{x=~"$namespace"}[$__rate_interval])) / on(job) group_left b').names, ['a_bucket', 'b']);
    assert.deepEqual(metricNamesOf('label_values(up{namespace=~"$namespace"}, job)').names, ['up']);
    assert.deepEqual(metricNamesOf('label_values(namespace)').names, []);
    assert.deepEqual(metricNamesOf('count(up == 0) or vector(0)').names, ['up']);
    assert.notDeepEqual(metricNamesOf('sum(rate(x[5m])').errors, []);
  });

  for (const name of ['dts', 'single-node', 'scalable', 'rum']) {
    it(`${name}: every query parses; every metric is a catalog family, produced in the environment or named in a finding`, async () => {
      const stack = await example(name);
      const r = render(stack);
      for (const [env, ds] of dashboardsOf(r)) {
        const t = expand(stack, env);
        const findings = r.findings.filter((f) => f.env === env && f.rule === 'render-grafana').map((f) => f.message);
        for (const d of ds) {
          for (const q of queriesOf(d)) {
            if (q.kind !== 'promql' && q.kind !== 'variable-promql') continue;
            assert.deepEqual(metricNamesOf(q.query).errors, [], `${d['uid']} ${q.where}`);
          }
          const names = metricsOfDashboard(d);
          assert.ok(names.length > 0);
          for (const n of names) {
            const f = familyOf(n);
            assert.ok(f, `${d['uid']}: ${n} is not in src/catalog/metrics.ts`);
            if (familyPresence(t, f).present) continue;
            assert.ok(
              findings.some((m) => m.includes(f.name) && m.includes(String(d['uid']))),
              `${env} ${d['uid']}: ${n} is neither produced nor reported (findings: ${findings.join(' | ')})`,
            );
          }
        }
      }
    });
  }

  it('dts (spanMetrics on in dev, test and prod): every metric of the trace and RED dashboards is produced, no warning', async () => {
    const stack = await example('dts');
    const r = render(stack);
    const byEnv = dashboardsOf(r);
    assert.deepEqual([...byEnv.keys()].sort(), ['dev', 'prod', 'test']);
    for (const [env, ds] of byEnv) {
      const t = expand(stack, env);
      assert.ok(t.engines.find((e) => e.engine === 'tempo')?.metricsGenerator, `${env}: Tempo runs a metrics-generator`);
      const red = ds.filter((x) => x['uid'] === 'dts-traces' || x['uid'] === 'dts-services');
      assert.equal(red.length, 2);
      const names = red.flatMap((d) => metricsOfDashboard(d));
      for (const n of ['traces_spanmetrics_calls_total', 'traces_spanmetrics_latency_bucket', 'traces_service_graph_request_total']) assert.ok(names.includes(n), `${env}: the dashboards read ${n}`);
      for (const d of red) {
        for (const n of metricsOfDashboard(d)) assert.ok(familyPresence(t, familyOf(n)!).present, `${env} ${d['uid']}: ${n}`);
      }
      const grafana = r.findings.filter((f) => f.env === env && f.rule === 'render-grafana');
      assert.ok(!grafana.some((f) => f.severity === 'warning'), `${env}: ${JSON.stringify(grafana)}`);
      assert.ok(!grafana.some((f) => /traces_spanmetrics|traces_service_graph/.test(f.message)), `${env}: span metrics reported missing`);
    }
  });

  it('dts with spanMetrics off: the span-metrics warning names the dashboards, the metrics and the setting', async () => {
    const stack = withoutSpanMetrics(await example('dts'));
    const r = render(stack);
    for (const env of ['dev', 'test', 'prod']) {
      assert.equal(expand(stack, env).engines.find((e) => e.engine === 'tempo')?.metricsGenerator, undefined);
      const w = r.findings.filter((f) => f.env === env && f.rule === 'render-grafana' && f.severity === 'warning' && /traces_spanmetrics_calls_total/.test(f.message));
      assert.equal(w.length, 1, `${env}: ${JSON.stringify(r.findings.filter((f) => f.rule === 'render-grafana'))}`);
      assert.match(w[0]!.message, /dts-services/);
      assert.match(w[0]!.message, /traces_service_graph_request_total/);
      assert.match(w[0]!.message, /spanMetrics: true/);
      assert.match(w[0]!.suggestion, new RegExp(`signals\\.traces\\.environments\\.${env}`));
    }
  });

  it('dts: the stack dashboard reads the pinned versions’ names (Alloy counters with _total, no seed-002 Loki name)', async () => {
    const stack = await example('dts');
    const d = dashboardsOf(render(stack)).get('prod')!.find((x) => x['uid'] === 'dts-stack')!;
    const names = metricsOfDashboard(d);
    assert.ok(names.includes('otelcol_exporter_send_failed_spans_total'));
    assert.ok(names.includes('otelcol_exporter_queue_capacity'));
    assert.ok(names.includes('tempodb_backend_request_duration_seconds_count'));
    assert.ok(names.includes('thanos_objstore_bucket_operations_total'));
    assert.ok(!names.includes('loki_distributor_ingester_append_failures_total'));
    const scalable = dashboardsOf(render(await example('scalable'))).get('local')!.find((x) => x['uid'] === 'scalable-stack')!;
    const sn = metricsOfDashboard(scalable);
    assert.ok(sn.includes('otelcol_exporter_send_failed_spans'), 'otelcol 0.158 exposes counters without _total');
    assert.ok(sn.includes('otelcol_kafka_receiver_offset_lag'), 'Kafka consumer lag panel');
    assert.ok(sn.includes('otelcol_process_memory_rss'));
  });
});

describe('RUM dashboard (seed 003)', () => {
  it('examples/rum: environment, metrics datasource, tenant and page selectors; reads only the series the Loki rules record', async () => {
    const stack = await example('rum');
    const r = render(stack);
    for (const env of ['local', 'prod']) {
      const d = dashboardsOf(r).get(env)!.find((x) => x['uid'] === 'rum-rum');
      assert.ok(d, `${env}: the RUM dashboard`);
      const vars = (d['templating']['list'] as Json[]).map((v) => [v['name'], v['type']]);
      // the tenant selector before the datasource variable whose regex it is bound into
      assert.deepEqual(vars, [
        ['env', 'custom'],
        ['tenant', 'custom'],
        ['ds_metrics', 'datasource'],
        ['page', 'query'],
      ]);
      // one tenant at a time (each has its own datasource): the tenants of the definition, no "All"
      const tenant = (d['templating']['list'] as Json[]).find((v) => v['name'] === 'tenant')!;
      assert.equal(tenant['query'], 'blog,shop');
      assert.deepEqual((tenant['options'] as Json[]).map((o) => o['value']), ['blog', 'shop']);
      assert.equal(tenant['multi'], false);
      assert.equal(tenant['includeAll'], false);
      // the metrics datasource: the selected tenant's own in the selected environment, never the shared one
      const ds = datasourceVariables(d).get('ds_metrics')!;
      const regex = String(ds['regex']);
      assert.equal(grafanaRegex(regex, { env: 'local', tenant: 'shop' }).test('Mimir (local, shop)'), true, regex);
      assert.equal(grafanaRegex(regex, { env: 'prod', tenant: 'blog' }).test('Mimir (prod, blog)'), true, regex);
      for (const [e, x] of [['local', 'shop'], ['local', 'blog'], ['prod', 'shop']] as const) {
        const re = grafanaRegex(regex, { env: e, tenant: x });
        assert.equal(re.test(`Mimir (${e})`), false, `${regex}: not the shared Mimir (${e})`);
        assert.equal(re.test(`Mimir (${e === 'local' ? 'prod' : 'local'}, ${x})`), false, `${regex}: not the other environment's`);
        assert.equal(re.test(`Mimir (${e}, ${x === 'shop' ? 'blog' : 'shop'})`), false, `${regex}: not the other tenant's`);
      }
      // against what this environment provisions: exactly the tenant's own Prometheus-type datasource, with its X-Scope-OrgID
      const provisioned = provisionedDatasources(r, env);
      for (const x of expand(stack, env).tenants!) {
        const re = grafanaRegex(regex, { env, tenant: x.name });
        const matching = provisioned.filter((p) => p['type'] === ds['query'] && re.test(String(p['name'])));
        assert.deepEqual(matching.map((p) => p['name']), [`Mimir (${env}, ${x.name})`], `${env} ${x.name}: ${re}`);
        assert.equal(matching[0]!['jsonData']['httpHeaderName1'], 'X-Scope-OrgID');
        assert.equal(matching[0]!['secureJsonData']['httpHeaderValue1'], x.id);
      }
      // every panel says how its datasource is chosen
      for (const p of (d['panels'] as Json[]).filter((x) => x['type'] !== 'row')) {
        assert.match(String(p['description']), /tenant's own metrics datasource in the selected environment \(grafana\.tenantDatasourceName "\{Engine\} \(\{env\}, \{tenant\}\)"\)/, String(p['title']));
      }
      // every query parses (lezer-promql) and reads only RUM records, each recorded by this environment's rule files
      const recorded = new Set(rumRuleFiles(expand(stack, env)).flatMap((f) => [...recordedNames(f.file)]));
      for (const q of queriesOf(d)) {
        assert.ok(q.kind === 'promql' || q.kind === 'variable-promql', q.kind);
        assert.deepEqual(metricNamesOf(q.query).errors, [], `${q.where}: ${q.query}`);
        assert.match(q.query, /env="\$env"/, `${q.where}: filtered by the environment selector`);
        if (q.where !== '$tenant') assert.match(q.query, /tenant=~"\$tenant"/, `${q.where}: filtered by the tenant selector`);
      }
      const names = metricsOfDashboard(d);
      assert.deepEqual(names, Object.values(RUM_RECORDS).sort());
      for (const n of names) assert.ok(recorded.has(n), `${env}: ${n} recorded by the Loki rules`);
      // web-vitals thresholds from the catalog (web.dev): good → orange, poor → red
      for (const v of ['lcp', 'inp', 'cls'] as const) {
        const panels: Json[] = (d["panels"] as Json[]).filter((p: Json) => String(p["title"]).includes(v.toUpperCase()));
        assert.equal(panels.length, 2, v);
        for (const p of panels) {
          const steps = p['fieldConfig']['defaults']['thresholds']['steps'] as Json[];
          assert.deepEqual(steps.map((s) => [s['value'], s['color']]), [
            [null, 'green'],
            [WEB_VITALS[v].good, 'orange'],
            [WEB_VITALS[v].poor, 'red'],
          ]);
          assert.equal(p['fieldConfig']['defaults']['unit'], WEB_VITALS[v].unit);
        }
      }
    }
    // no render finding says the RUM series are missing
    assert.ok(!r.findings.some((f) => f.rule === 'render-grafana' && f.message.includes('faro')), JSON.stringify(r.findings.filter((f) => f.message.includes('faro'))));
  });

  it('examples/single-node (the shared Faro endpoint, no tenants): the environment\'s own metrics datasource, tenants from the series', async () => {
    const stack = await example('single-node');
    assert.deepEqual(Object.keys(stack.tenants ?? {}), []);
    const d = dashboardsOf(render(stack)).get('local')!.find((x) => x['uid'] === 'single-rum');
    assert.ok(d, 'the RUM dashboard');
    assert.deepEqual(
      (d['templating']['list'] as Json[]).map((v) => [v['name'], v['type']]),
      [
        ['env', 'custom'],
        ['ds_metrics', 'datasource'],
        ['tenant', 'query'],
        ['page', 'query'],
      ],
    );
    const regex = String(datasourceVariables(d).get('ds_metrics')!['regex']);
    const mimir = expand(stack, 'local').engines.find((e) => e.signal === 'metrics')!;
    assert.equal(regex, datasourceNameRegex(stack, mimir));
    assert.equal(regex, '/^Mimir \\(${env:regex}\\)$/');
    assert.equal(grafanaRegex(regex, { env: 'local' }).test('Mimir (local)'), true);
    const tenant = (d['templating']['list'] as Json[]).find((v) => v['name'] === 'tenant')!;
    assert.equal(tenant['query'], `label_values(${RUM_RECORDS.sessions}{env="$env"}, tenant)`);
    assert.equal(tenant['multi'], true);
    for (const p of (d['panels'] as Json[]).filter((x) => x['type'] !== 'row')) {
      assert.match(String(p['description']), /selected environment's metrics datasource \(grafana\.datasourceName "\{Engine\} \(\{env\}\)"\)/, String(p['title']));
    }
  });

  it('one Grafana over two environments: the tenants of both, the one served in a single environment said so', async () => {
    const stack = structuredClone(await example('rum'));
    stack.environments[0]!.target = 'kubernetes';
    stack.tenants!['shop']!.environments = ['prod'];
    const scope = dashboardScope(stack, expand(stack, 'prod'));
    assert.deepEqual(scope.envs.map((t) => t.env.name), ['local', 'prod']);
    const d = buildDashboards(scope).find((x) => x.id === 'rum')!.dashboard as unknown as Json;
    const tenant = (d['templating']['list'] as Json[]).find((v) => v['name'] === 'tenant')!;
    assert.equal(tenant['type'], 'custom');
    assert.equal(tenant['query'], 'blog,shop');
    assert.match(String(tenant['description']), /\(shop: prod only\)/);
  });

  it('datasourceNameRegex: {tenant} bound only when asked, every literal of the pattern escaped', async () => {
    const stack = structuredClone(await example('rum'));
    stack.grafana.tenantDatasourceName = '{stack}/{Engine} [{env}|{tenant}].{signal}';
    const mimir = expand(stack, 'local').engines.find((e) => e.signal === 'metrics')!;
    const re = grafanaRegex(datasourceNameRegex(stack, mimir, 'tenant'), { env: 'local', tenant: 'shop' });
    assert.equal(re.test('rum/Mimir [local|shop].metrics'), true, String(re));
    assert.equal(re.test('rum/Mimir [local|blog].metrics'), false);
    assert.equal(re.test('rum/Mimir xlocal|shop].metrics'), false);
    // without a tenant variable: the environment's own pattern (grafana.datasourceName)
    assert.equal(datasourceNameRegex(stack, mimir), '/^Mimir \\(${env:regex}\\)$/');
  });

  it('no tenants and no Faro: no RUM dashboard', async () => {
    const r = render(await example('scalable'));
    for (const ds of dashboardsOf(r).values()) assert.ok(!ds.some((d) => String(d['uid']).endsWith('-rum')));
  });
});
