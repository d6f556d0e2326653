// The Loki ruler's RUM recording rules (seed 003, issue 11 §3): one rule file per Loki tenant, on compose in the
// directory mounted at the ruler's local rules directory and on Kubernetes in a ConfigMap mounted by the loki chart's
// values into the pod running the ruler; the ruler configured to remote-write to the environment's metrics engine;
// the recorded names valid PromQL metric names (lezer-promql) and catalog families; the LogQL reading the catalog's
// Faro field names. LogQL itself is not parsed here (no Loki in CI): the structure of each query is checked, and the
// e2e test test/e2e/faro.test.ts checks the line filters against the body the real collector writes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { ConfigMap } from 'kubernetes-models/v1';
import { keyAllowed, valueKeyPaths } from '../../../src/catalog/charts/types.js';
import { lokiKeys, LOKI_RULER_TARGET } from '../../../src/catalog/charts/loki.js';
import { FARO_LOG_FIELDS, RUM_LABELS, RUM_RECORDS, WEB_VITALS } from '../../../src/catalog/faro.js';
import { LOKI_RULER, LOKI_RULER_PATHS } from '../../../src/catalog/loki.js';
import { familyOf, familyPresence } from '../../../src/catalog/metrics.js';
import type { Stack } from '../../../src/model/schema.js';
import { LOKI_RULES_DIR, lokiRumConfigMapName, rumRuleFiles, webVitalQuery, exceptionsQuery, sessionsQuery } from '../../../src/render/rules/index.js';
import { metricNamesOf } from '../../../src/render/rules/promql-names.js';
import { expand } from '../../../src/topology/expand.js';
import { flowsOf } from '../../../src/topology/network-flows.js';
import { example, render } from './support.js';

type Json = Record<string, any>;

/** Brackets, braces and parentheses balanced outside string literals ("…" and `…`), and every literal closed. */
function balanced(q: string): boolean {
  const stack: string[] = [];
  const close: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  for (let i = 0; i < q.length; i++) {
    const c = q[i]!;
    if (c === '"') {
      i++;
      while (i < q.length && q[i] !== '"') i += q[i] === '\\' ? 2 : 1;
      if (i >= q.length) return false;
    } else if (c === '`') {
      const end = q.indexOf('`', i + 1);
      if (end < 0) return false;
      i = end;
    } else if ('([{'.includes(c)) stack.push(c);
    else if (c in close && stack.pop() !== close[c]) return false;
  }
  return stack.length === 0;
}

function withoutTenants(s: Stack): Stack {
  const c = structuredClone(s);
  c.tenants = {};
  return c;
}

describe('Loki RUM recording rules', () => {
  it('examples/rum compose: one rule file per tenant under the mounted rules directory, the ruler remote-writing to Mimir', async () => {
    const stack = await example('rum');
    const r = render(stack);
    const t = expand(stack, 'local');
    assert.deepEqual(t.rum?.tenants.map((x) => x.name), ['blog', 'shop']);
    const compose = parse(r.files.get('compose/local/docker-compose.yaml')!) as Json;
    const mount = (compose['services']['loki']['volumes'] as string[]).find((v) => v.startsWith(`./${LOKI_RULES_DIR}:`));
    assert.equal(mount, `./${LOKI_RULES_DIR}:${LOKI_RULER_PATHS.rulesDirectory}:ro`);
    const loki = parse(r.files.get('compose/local/loki.yaml')!) as Json;
    assert.deepEqual(loki['ruler']['storage'], { type: LOKI_RULER.storageType, local: { directory: LOKI_RULER_PATHS.rulesDirectory } });
    const mimir = t.engines.find((e) => e.engine === 'mimir')!;
    assert.deepEqual(loki['ruler']['remote_write'], { enabled: true, add_org_id_header: true, clients: { mimir: { url: mimir.endpoints.push } } });
    // scratch and WAL on the data volume, not the (default) working directory / root filesystem
    assert.match(loki['ruler']['rule_path'], /^\/loki\//);
    assert.match(loki['ruler']['wal']['dir'], /^\/loki\//);
    for (const tenant of stack.tenants ? Object.entries(stack.tenants) : []) {
      const [name, def] = tenant;
      const id = def.id ?? name;
      const text = r.files.get(`compose/local/${LOKI_RULES_DIR}/${id}/${LOKI_RULER_PATHS.namespaceFile}`);
      assert.ok(text, `${name}: rule file in its tenant directory`);
      const file = parse(text) as Json;
      assert.equal(file['groups'].length, 1);
      const g = file['groups'][0];
      assert.equal(g['interval'], '1m');
      assert.deepEqual(g['rules'].map((x: Json) => x['record']).sort(), Object.values(RUM_RECORDS).sort());
      for (const rule of g['rules'] as Json[]) assert.deepEqual(rule['labels'], { [RUM_LABELS.env]: 'local', [RUM_LABELS.tenant]: name });
    }
  });

  it('every recorded name is a valid PromQL metric name (lezer-promql) and a catalog family produced where the rules are', async () => {
    const stack = await example('rum');
    for (const env of ['local', 'prod']) {
      const t = expand(stack, env);
      for (const f of rumRuleFiles(t)) {
        for (const g of f.file.groups) {
          for (const rule of g.rules) {
            assert.ok('record' in rule);
            const p = metricNamesOf(rule.record);
            assert.deepEqual(p.errors, [], rule.record);
            assert.deepEqual(p.names, [rule.record], `${rule.record} parses as one metric name`);
            const fam = familyOf(rule.record);
            assert.ok(fam, `${rule.record} in src/catalog/metrics.ts`);
            assert.ok(familyPresence(t, fam).present, `${env}: ${rule.record} produced`);
            // every label the rule gives is one the family declares
            for (const l of Object.keys(rule.labels ?? {})) assert.ok(fam.labels.includes(l), `${rule.record}: label ${l}`);
          }
        }
      }
    }
  });

  it('the LogQL: balanced, the catalog field names, extracted under names no Loki label has, web vitals unwrapped by their own field', () => {
    for (const v of ['lcp', 'inp', 'cls'] as const) {
      const q = webVitalQuery(v);
      assert.ok(balanced(q), q);
      assert.match(q, /^quantile_over_time\(0\.75, \{service_name=~"\.\+"\} /);
      assert.ok(q.includes(`|= "${FARO_LOG_FIELDS.kind}=measurement"`) && q.includes(`|= "${FARO_LOG_FIELDS.type}=web-vitals"`), q);
      // kind matched as a whole logfmt pair in the line; the fields extracted under their own names (a renamed
      // extraction is not done by Loki 3.6.3: catalog LOKI_LOGFMT_RENAME_UNRELIABLE)
      assert.ok(q.includes(`|~ "(^|\\\\s)${FARO_LOG_FIELDS.kind}=measurement(\\\\s|$)"`), q);
      assert.ok(q.includes(`| logfmt ${FARO_LOG_FIELDS.type}, ${FARO_LOG_FIELDS.pageUrl}, ${WEB_VITALS[v].field} |`), q);
      assert.ok(!/logfmt[^|]*="/.test(q), `no renamed extraction: ${q}`);
      assert.ok(q.includes(`| unwrap ${WEB_VITALS[v].field} | __error__="" [5m]) by (${RUM_LABELS.page})`), q);
    }
    for (const q of [exceptionsQuery(), sessionsQuery()]) assert.ok(balanced(q), q);
    assert.match(exceptionsQuery(), /^sum by \(page\) \(rate\(.*\|= "kind=exception".*\[5m\]\)\)$/);
    assert.match(sessionsQuery(), new RegExp(`^count\\(sum by \\(${FARO_LOG_FIELDS.sessionId}\\) \\(count_over_time\\(.*\\| logfmt ${FARO_LOG_FIELDS.sessionId} .*\\[5m\\]\\)\\)\\)$`));
    // the page label drops query string and fragment
    assert.ok(webVitalQuery('lcp').includes('regexReplaceAll "[?#].*"'));
    assert.ok(!balanced('sum(rate({a="b"}[5m])'));
  });

  it('examples/rum Kubernetes: the rule ConfigMap, mounted by the values of the target running the ruler, each tenant at <id>/<file>', async () => {
    const stack = await example('rum');
    const r = render(stack);
    const t = expand(stack, 'prod');
    const cmText = r.files.get('kubernetes/prod/rules/loki-rum.yaml');
    assert.ok(cmText);
    const cm = parse(cmText) as Json;
    new ConfigMap(cm as never).validate();
    assert.equal(cm['metadata']['name'], lokiRumConfigMapName('rum', 'prod'));
    assert.equal(cm['metadata']['namespace'], t.env.namespace);
    assert.ok(Number(cm['metadata']['annotations']['argocd.argoproj.io/sync-wave']) < 1, 'synced before the engines');
    const values = parse(r.files.get('kubernetes/prod/values/loki.yaml')!) as Json;
    const key = LOKI_RULER_TARGET[values['deploymentMode']]!;
    assert.equal(key, 'singleBinary');
    const vol = (values[key]['extraVolumes'] as Json[])[0]!;
    const mnt = (values[key]['extraVolumeMounts'] as Json[])[0]!;
    assert.equal(mnt['name'], vol['name']);
    assert.equal(mnt['mountPath'], LOKI_RULER_PATHS.rulesDirectory);
    assert.equal(vol['configMap']['name'], cm['metadata']['name']);
    const items = vol['configMap']['items'] as Array<{ key: string; path: string }>;
    assert.deepEqual(items.map((i) => i.key).sort(), Object.keys(cm['data']).sort());
    for (const i of items) {
      const rules = parse(cm['data'][i.key]) as Json;
      const tenant = rules['groups'][0]['rules'][0]['labels']['tenant'];
      const id = t.tenants!.find((x) => x.name === tenant)!.id;
      assert.equal(i.path, `${id}/${LOKI_RULER_PATHS.namespaceFile}`);
    }
    const rc = values['loki']['rulerConfig'];
    assert.deepEqual(rc['storage'], { type: 'local', local: { directory: LOKI_RULER_PATHS.rulesDirectory } });
    assert.equal(rc['remote_write']['clients']['mimir']['url'], t.engines.find((e) => e.engine === 'mimir')!.endpoints.push);
    assert.match(rc['rule_path'], /^\/var\/loki\//, 'writable: the chart runs Loki on a read-only root filesystem');
    // the chart's rules sidecar stays off (nothing depends on it)
    assert.equal(values['sidecar']['rules']['enabled'], false);
    for (const p of valueKeyPaths(values)) assert.ok(keyAllowed(p, lokiKeys.keys), `values key ${p} is a documented loki 7.0.0 value`);
    // under default-deny NetworkPolicies, the metrics engine admits the ruler's remote write
    const flow = flowsOf(t).find((f) => f.why.includes("ruler remote-writes the RUM"));
    assert.ok(flow, 'a Loki → metrics engine flow');
    assert.equal(flow.from.kind, 'pods');
  });

  it('Distributed Loki: the ruler target carries the mount; without a ruler the values say the rules are not evaluated', async () => {
    const stack = structuredClone(await example('rum'));
    const logs = stack.signals.logs!.environments['prod']!;
    logs.mode = 'microservices';
    const r = render(stack);
    const values = parse(r.files.get('kubernetes/prod/values/loki.yaml')!) as Json;
    assert.equal(values['deploymentMode'], 'Distributed');
    const hasRuler = expand(stack, 'prod').components.some((c) => c.engine === 'loki' && c.component === 'ruler');
    if (hasRuler) assert.ok(values['ruler']['extraVolumes'], 'the ruler StatefulSet mounts the rules');
    else assert.ok(r.findings.some((f) => f.env === 'prod' && /RUM recording rules need Loki's ruler/.test(f.message)), JSON.stringify(r.findings.map((f) => f.message)));
  });

  it('no Faro, no tenants: no RUM plan, no Loki rule files, the ruler keeps its S3 storage', async () => {
    const stack = await example('scalable');
    const r = render(stack);
    for (const e of stack.environments) assert.equal(expand(stack, e.name).rum, undefined);
    assert.ok(![...r.files.keys()].some((p) => p.includes(`/${LOKI_RULES_DIR}/`) || p.endsWith('/loki-rum.yaml')));
    // single-node enables the shared Faro endpoint without tenants: one rule file for the environment's Loki tenant
    const sn = await example('single-node');
    const t = expand(withoutTenants(sn), 'local');
    assert.deepEqual(t.rum?.tenants, [{ name: 'fake', id: 'fake' }]);
    assert.equal(rumRuleFiles(t)[0]!.path, `fake/${LOKI_RULER_PATHS.namespaceFile}`);
  });

  it('ansible environments get no RUM plan (their roles place no rule files yet)', async () => {
    const stack = await example('rum');
    const s = structuredClone(stack);
    const local = s.environments.find((e) => e.name === 'local')!;
    (local as { target: string }).target = 'ansible';
    assert.equal(expand(s, 'local').rum, undefined);
  });
});
