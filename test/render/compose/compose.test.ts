// Both compose examples render files that validate against the Compose Specification schema, and every service
// carries the operational guarantees: pinned image, healthcheck with start_period, restart policy, stop grace
// period, resource limits, depends_on conditions, named volumes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { Ajv } from 'ajv';
import { loadStack } from '../../../src/model/load.js';
import { expand } from '../../../src/topology/expand.js';
import { renderCompose } from '../../../src/render/compose/index.js';
import type { RenderInput } from '../../../src/render/types.js';

const here = (p: string) => fileURLToPath(new URL(`../../../../${p}`, import.meta.url));
const schema = JSON.parse(readFileSync(here('test/render/compose/compose-spec.json'), 'utf8')) as Record<string, unknown>;
// The schema names its meta-schema with an https URL ajv does not know; it is draft-07, ajv's default.
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, validateSchema: false });
const validate = ajv.compile(schema);

async function input(name: string): Promise<RenderInput> {
  const { stack } = await loadStack(here(`examples/${name}`));
  return { stack, topology: expand(stack, 'local') };
}

function checkServices(doc: any) {
  const volumes = Object.keys(doc.volumes ?? {});
  for (const [name, s] of Object.entries<any>(doc.services)) {
    assert.match(s.image, /:[0-9][\w.-]*$/, `${name}: pinned image`);
    assert.ok(s.stop_grace_period, `${name}: stop_grace_period`);
    assert.ok(s.deploy?.resources?.limits?.cpus && s.deploy?.resources?.limits?.memory, `${name}: cpu and memory limits`);
    const oneShot = s.labels?.['otelstack.one-shot'] === 'true';
    if (oneShot) assert.equal(s.restart, 'on-failure', `${name}: one-shot restarts on failure only`);
    else {
      assert.equal(s.restart, 'unless-stopped', `${name}: restart`);
      assert.ok(s.healthcheck?.test && s.healthcheck.start_period, `${name}: healthcheck with start_period`);
    }
    for (const [dep, cond] of Object.entries<any>(s.depends_on ?? {})) {
      assert.ok(doc.services[dep], `${name}: depends on existing ${dep}`);
      const expected = doc.services[dep].labels?.['otelstack.one-shot'] === 'true' ? 'service_completed_successfully' : 'service_healthy';
      assert.equal(cond.condition, expected, `${name} → ${dep}`);
    }
    for (const v of s.volumes ?? []) {
      const src = String(v).split(':')[0]!;
      if (!src.startsWith('.')) assert.ok(volumes.includes(src), `${name}: ${src} is a declared named volume`);
    }
    assert.ok(!JSON.stringify(s).match(/SECRET_ACCESS_KEY=|PASSWORD=/), `${name}: no secret values`);
  }
}

for (const ex of ['single-node', 'scalable']) {
  describe(`compose: ${ex}`, async () => {
    const i = await input(ex);
    const r = renderCompose(i);
    const file = r.files.get('compose/local/docker-compose.yaml')!;
    const doc = parse(file) as any;
    it('renders without error findings', () => {
      assert.ok(file);
      assert.deepEqual(r.findings.filter((f) => f.severity === 'error'), []);
    });
    it('validates against the compose-spec schema', () => {
      const ok = validate(doc);
      assert.ok(ok, JSON.stringify(validate.errors, null, 2));
      // and the schema does reject what compose would reject
      assert.equal(validate({ ...(doc as object), services: { x: { image: 'a:1', restart_when: 'always' } } }), false);
    });
    it('every service carries the operational guarantees', () => checkServices(doc));
    it('bind-mounted files are rendered', () => {
      for (const s of Object.values<any>(doc.services)) for (const v of s.volumes ?? []) {
        const src = String(v).split(':')[0]!;
        if (src.startsWith('./')) assert.ok([...r.files.keys()].some((k) => k === `compose/local/${src.slice(2)}` || k.startsWith(`compose/local/${src.slice(2)}/`)), `${src} rendered`);
      }
    });
    it('queues, Kafka data and backend data live on named volumes', () => {
      const vols = Object.keys(doc.volumes);
      assert.ok(vols.some((v) => v.endsWith('-queue')));
      for (const b of ['tempo-data', 'mimir-data', 'loki-data', 'seaweedfs-data']) assert.ok(vols.includes(b), b);
      if (ex === 'scalable') assert.ok(vols.includes('kafka-0-data'));
    });
    it('is deterministic', async () => {
      assert.deepEqual(renderCompose(await input(ex)).files, r.files);
    });
    if (ex === 'single-node') {
      it('single node: a gateway exporting directly, Grafana with datasources', () => {
        assert.deepEqual(Object.keys(doc.services).sort(), ['buckets-init', 'gateway-0', 'grafana', 'loki', 'mimir', 'seaweedfs', 'tempo']);
        assert.equal(doc.services['gateway-0'].environment.GOMEMLIMIT, '716MiB');
        const ds = parse(r.files.get('compose/local/grafana/provisioning/datasources/datasources.yaml')!);
        assert.deepEqual(ds.datasources.map((d: any) => d.type).sort(), ['loki', 'prometheus', 'tempo']);
      });
    } else {
      it('scalable: LB → gateways → Kafka (+ topic init) → processors → backends, Grafana ×2 on PostgreSQL', () => {
        const names = Object.keys(doc.services);
        for (const n of ['otlp-lb', 'gateway-0', 'gateway-1', 'kafka-0', 'kafka-1', 'kafka-2', 'kafka-init', 'processor-0', 'processor-1', 'grafana-0', 'grafana-1', 'postgresql']) assert.ok(names.includes(n), n);
        const init = doc.services['kafka-init'].command[0] as string;
        for (const t of ['otlp-traces', 'otlp-metrics', 'otlp-logs']) assert.match(init, new RegExp(`--topic ${t} --partitions 6 --replication-factor 3 --config min.insync.replicas=2 --config retention.ms=86400000`));
        assert.equal(doc.services['kafka-0'].environment.KAFKA_AUTO_CREATE_TOPICS_ENABLE, 'false');
        assert.equal(doc.services['processor-0'].depends_on['kafka-init'].condition, 'service_completed_successfully');
        assert.equal(doc.services['grafana-1'].environment.GF_DATABASE_TYPE, 'postgres');
        assert.match(r.files.get('compose/local/haproxy.cfg')!, /server gateway-1 gateway-1:4317/);
      });
    }
  });
}
