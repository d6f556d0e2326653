// Tenants (seed 003) in the engines, for examples/rum in both environments (local on compose, prod on Kubernetes):
// multi-tenancy on, each engine's per-tenant limits file beside its config (compose mounts it where the config says;
// the ansible target places the same bytes), the charts' values for the same limits (only documented value keys), and
// a Grafana datasource set per tenant carrying the tenant's X-Scope-OrgID; an environment without tenants keeps its
// configs as they were (no multi-tenancy, empty overrides).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { LOKI_TENANT_LIMITS } from '../../../src/catalog/loki.js';
import { TEMPO_TENANT_LIMITS } from '../../../src/catalog/tempo.js';
import type { Stack } from '../../../src/model/schema.js';
import { ENGINE_RUNTIME_FILES } from '../../../src/render/configs/engines.js';
import { renderStack } from '../../../src/render/index.js';
import { diffFileSets, readFileSet } from '../../../src/render/fileset.js';
import { RUM_GOLDEN_DIR } from '../kubernetes/support.js';
import { VM_STORAGE_LAYOUT } from '../../../src/render/ansible/layout.js';
import { expand } from '../../../src/topology/expand.js';
import { assertKnownKeys, withStack, type Obj } from '../kubernetes/inspect.js';
import { example } from '../rules/support.js';

const Mi = 1024 ** 2;
const y = (files: Map<string, string>, path: string): Obj => {
  const c = files.get(path);
  assert.ok(c, `${path} rendered`);
  return parse(c) as Obj;
};

describe('tenants in the engines: examples/rum', () => {
  it('golden: `otelstack render examples/rum` matches examples/rum/rendered', async () => {
    const files = renderStack(await example('rum')).files;
    const diffs = diffFileSets(files, readFileSet(RUM_GOLDEN_DIR));
    const text = diffs.map((d) => `${d.change}: ${d.path}${d.detail ? `\n${d.detail}` : ''}`).join('\n');
    assert.equal(diffs.length, 0, `rendered output differs from the golden files (to accept: node dist/test/render/kubernetes/update-golden.js):\n${text}`);
  });
  it('the topology: every engine multi-tenant with its no-auth tenant as the environment\'s own, and each tenant its datasources', async () => {
    const stack = await example('rum');
    for (const env of ['local', 'prod']) {
      const t = expand(stack, env);
      assert.deepEqual(
        t.engines.map((e) => [e.engine, e.tenant, e.tenantFrom]),
        [
          ['tempo', 'single-tenant', 'tenants'],
          ['mimir', 'anonymous', 'tenants'],
          ['loki', 'fake', 'tenants'],
        ].sort((a, b) => t.engines.findIndex((e) => e.engine === a[0]) - t.engines.findIndex((e) => e.engine === b[0])),
      );
      const shop = t.tenants!.find((x) => x.name === 'shop')!;
      assert.deepEqual(shop.datasources.map((d) => [d.name, d.uid]).sort(), [
        [`Loki (${env}, shop)`, `loki-${env}-shop`],
        [`Mimir (${env}, shop)`, `mimir-${env}-shop`],
        [`Tempo (${env}, shop)`, `tempo-${env}-shop`],
      ]);
      // the generator (off in rum) and the collectors write as the engine's tenant: the OTLP path keeps its tenant
      assert.equal(t.engines.find((e) => e.engine === 'mimir')!.tenant, 'anonymous');
    }
  });

  it('local (compose): multi-tenancy on, each engine names its per-tenant file, compose mounts it there, limits per engine', async () => {
    const r = renderStack(await example('rum'), { env: 'local' });
    const f = r.files;
    const d = 'compose/local';
    assert.equal(y(f, `${d}/loki.yaml`)['auth_enabled'], true);
    assert.equal(y(f, `${d}/tempo.yaml`)['multitenancy_enabled'], true);
    assert.equal(y(f, `${d}/mimir.yaml`)['multitenancy_enabled'], true);
    assert.deepEqual(y(f, `${d}/loki.yaml`)['runtime_config'], { file: ENGINE_RUNTIME_FILES.loki.path });
    assert.deepEqual(y(f, `${d}/mimir.yaml`)['runtime_config'], { file: ENGINE_RUNTIME_FILES.mimir.path });
    assert.deepEqual(y(f, `${d}/tempo.yaml`)['overrides'], { per_tenant_override_config: ENGINE_RUNTIME_FILES.tempo.path });

    // Loki: only the limits the definition gives, in MB (laid over the defaults); blog has none: no entry
    assert.deepEqual(y(f, `${d}/loki-runtime.yaml`), { overrides: { shop: { ingestion_rate_mb: 4, ingestion_burst_size_mb: 6, max_global_streams_per_user: 5000 } } });
    // Mimir: likewise, samples
    assert.deepEqual(y(f, `${d}/mimir-runtime.yaml`), { overrides: { shop: { ingestion_rate: 20000, ingestion_burst_size: 40000, max_global_series_per_user: 50000 } } });
    // Tempo: a tenant's entry replaces the defaults, so it is complete
    const dflt = TEMPO_TENANT_LIMITS.defaults;
    assert.deepEqual(y(f, `${d}/tempo-overrides.yaml`), {
      overrides: {
        shop: {
          ingestion: { rate_limit_bytes: 4 * Mi, burst_size_bytes: 6 * Mi, max_traces_per_user: 10000, retry_info_enabled: true },
          global: { max_bytes_per_trace: dflt.maxBytesPerTrace },
          read: { max_bytes_per_tag_values_query: dflt.maxBytesPerTagValuesQuery },
        },
      },
    });

    const compose = y(f, `${d}/docker-compose.yaml`) as { services: Record<string, { volumes: string[] }> };
    for (const engine of ['tempo', 'mimir', 'loki'] as const) {
      const rf = ENGINE_RUNTIME_FILES[engine];
      assert.ok(compose.services[engine]!.volumes.includes(`./${rf.name}:${rf.path}:ro`), `${engine} mounts ${rf.name} at ${rf.path}`);
      // the ansible role places the same file at the same path
      assert.ok(VM_STORAGE_LAYOUT[engine].configs.some((c) => c.file === rf.name && c.dest === rf.path), `${engine}: the ansible layout places ${rf.name}`);
    }
  });

  it('local: the environment\'s datasources with its own tenant header, then each tenant\'s set with its id; one default', async () => {
    const r = renderStack(await example('rum'), { env: 'local' });
    const ds = (y(r.files, 'compose/local/grafana/provisioning/datasources/datasources.yaml') as { datasources: Obj[] }).datasources;
    const rows = ds.map((x) => [x['name'], x['uid'], (x['jsonData'] as Obj)['httpHeaderName1'], (x['secureJsonData'] as Obj)['httpHeaderValue1'], x['isDefault']]);
    assert.deepEqual(rows, [
      ['Loki (local)', 'loki-local', 'X-Scope-OrgID', 'fake', false],
      ['Mimir (local)', 'mimir-local', 'X-Scope-OrgID', 'anonymous', true],
      ['Tempo (local)', 'tempo-local', 'X-Scope-OrgID', 'single-tenant', false],
      ['Loki (local, blog)', 'loki-local-blog', 'X-Scope-OrgID', 'blog', false],
      ['Mimir (local, blog)', 'mimir-local-blog', 'X-Scope-OrgID', 'blog', false],
      ['Tempo (local, blog)', 'tempo-local-blog', 'X-Scope-OrgID', 'blog', false],
      ['Loki (local, shop)', 'loki-local-shop', 'X-Scope-OrgID', 'shop', false],
      ['Mimir (local, shop)', 'mimir-local-shop', 'X-Scope-OrgID', 'shop', false],
      ['Tempo (local, shop)', 'tempo-local-shop', 'X-Scope-OrgID', 'shop', false],
    ]);
  });

  it('prod (Kubernetes): multi-tenancy and the limits in the charts\' values, documented keys only', async () => {
    const r = renderStack(await example('rum'), { env: 'prod' });
    assertKnownKeys(r.files);
    const loki = y(r.files, 'kubernetes/prod/values/loki.yaml') as { loki: Obj };
    assert.equal(loki.loki['auth_enabled'], true);
    assert.deepEqual(loki.loki['runtimeConfig'], { [LOKI_TENANT_LIMITS.overrides]: { shop: { ingestion_rate_mb: 4, ingestion_burst_size_mb: 6, max_global_streams_per_user: 5000 } } });
    const tempo = y(r.files, 'kubernetes/prod/values/tempo.yaml');
    assert.equal(tempo['multitenancyEnabled'], true);
    assert.deepEqual((tempo['per_tenant_overrides'] as Obj)['shop'], {
      ingestion: { rate_limit_bytes: 4 * Mi, burst_size_bytes: 6 * Mi, max_traces_per_user: 10000, retry_info_enabled: true },
      global: { max_bytes_per_trace: TEMPO_TENANT_LIMITS.defaults.maxBytesPerTrace },
      read: { max_bytes_per_tag_values_query: TEMPO_TENANT_LIMITS.defaults.maxBytesPerTagValuesQuery },
    });
    assert.deepEqual(Object.keys(tempo['per_tenant_overrides'] as Obj), ['shop'], 'blog has no traces limits: no entry, the defaults apply');
    const mimir = y(r.files, 'kubernetes/prod/values/mimir.yaml') as { mimir: { structuredConfig: Obj }; runtimeConfig: Obj };
    assert.equal(mimir.mimir.structuredConfig['multitenancy_enabled'], true);
    assert.deepEqual(mimir.runtimeConfig, { overrides: { shop: { ingestion_rate: 20000, ingestion_burst_size: 40000, max_global_series_per_user: 50000 } } });
  });

  it('prod: each tenant\'s datasource set links to its own datasources and reads with its id', async () => {
    const r = renderStack(await example('rum'), { env: 'prod' });
    const cm = parse(r.files.get('kubernetes/prod/grafana-datasources.yaml')!) as { data: Record<string, string> };
    const prov = parse(Object.values(cm.data)[0]!) as { datasources: Obj[] };
    const shopTempo = prov.datasources.find((x) => x['uid'] === 'tempo-prod-shop')!;
    assert.equal(shopTempo['name'], 'Tempo (prod, shop)');
    assert.deepEqual(shopTempo['secureJsonData'], { httpHeaderValue1: 'shop' });
    const j = shopTempo['jsonData'] as Record<string, Obj>;
    assert.equal(j['httpHeaderName1'] as unknown, 'X-Scope-OrgID');
    assert.equal(j['tracesToLogsV2']!['datasourceUid'], 'loki-prod-shop');
    assert.equal(j['serviceMap']!['datasourceUid'], 'mimir-prod-shop');
    const shopLoki = prov.datasources.find((x) => x['uid'] === 'loki-prod-shop')!;
    assert.equal(((shopLoki['jsonData'] as Obj)['derivedFields'] as Obj[])[0]!['datasourceUid'], 'tempo-prod-shop');
    assert.equal(prov.datasources.length, 9);
  });

  it('{tenant} in grafana.tenantDatasourceName / tenantDatasourceUid; an environment without tenants keeps single-tenant engines and empty overrides', async () => {
    const stack = withStack(await example('rum'), (s) => {
      s.grafana.tenantDatasourceName = '{tenant}: {Engine} [{env}]';
      s.grafana.tenantDatasourceUid = '{tenant}-{engine}';
      for (const x of Object.values(s.tenants!)) x.environments = ['prod'];
    });
    const local = renderStack(stack as Stack, { env: 'local' }).files;
    assert.equal(y(local, 'compose/local/loki.yaml')['auth_enabled'], false);
    assert.equal(y(local, 'compose/local/tempo.yaml')['multitenancy_enabled'], false);
    assert.deepEqual(y(local, 'compose/local/loki-runtime.yaml'), { overrides: {} });
    assert.deepEqual(y(local, 'compose/local/tempo-overrides.yaml'), { overrides: {} });
    const ds = (y(local, 'compose/local/grafana/provisioning/datasources/datasources.yaml') as { datasources: Obj[] }).datasources;
    assert.deepEqual(ds.map((x) => x['uid']), ['loki-local', 'mimir-local', 'tempo-local']);
    assert.equal(ds[0]!['jsonData'], undefined, 'no tenant header without a tenant');
    const prod = expand(stack, 'prod');
    assert.deepEqual(prod.tenants!.find((x) => x.name === 'shop')!.datasources.map((d) => [d.name, d.uid]).sort(), [
      ['shop: Loki [prod]', 'shop-loki'],
      ['shop: Mimir [prod]', 'shop-mimir'],
      ['shop: Tempo [prod]', 'shop-tempo'],
    ]);
  });

  it('a tenant of its own in the definition stays the environment\'s tenant; the metrics-generator writes as the metrics engine\'s', async () => {
    const stack = withStack(await example('rum'), (s) => {
      s.signals.metrics!.environments['local']!.tenant = 'ops';
      s.signals.traces!.environments['local']!.spanMetrics = true;
    });
    const t = expand(stack, 'local');
    const mimir = t.engines.find((e) => e.engine === 'mimir')!;
    assert.equal(mimir.tenant, 'ops');
    assert.equal(mimir.tenantFrom, undefined);
    const tempo = t.engines.find((e) => e.engine === 'tempo')!;
    assert.equal(tempo.metricsGenerator?.tenant, 'ops');
    // span metrics on: each limited tenant's complete Tempo entry turns the processors on for it too
    const f = renderStack(stack, { env: 'local' }).files;
    const shop = (y(f, 'compose/local/tempo-overrides.yaml')['overrides'] as Obj)['shop'] as Obj;
    assert.deepEqual((shop['metrics_generator'] as Obj)['processors'], ['service-graphs', 'span-metrics']);
  });
});
