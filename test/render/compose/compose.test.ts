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
import { CATALOG } from '../../../src/catalog/index.js';
import { SUPPORT_IMAGES } from '../../../src/catalog/support.js';
import { CANARY_NAME } from '../../../src/catalog/canary.js';
import type { Stack } from '../../../src/model/schema.js';

const here = (p: string) => fileURLToPath(new URL(`../../../../${p}`, import.meta.url));
const schema = JSON.parse(readFileSync(here('test/render/compose/compose-spec.json'), 'utf8')) as Record<string, unknown>;
// The schema names its meta-schema with an https URL ajv does not know; it is draft-07, ajv's default.
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, validateSchema: false });
const validate = ajv.compile(schema);

async function input(name: string, mutate: (s: Stack) => void = () => {}): Promise<RenderInput> {
  const { stack } = await loadStack(here(`examples/${name}`));
  const s = structuredClone(stack);
  mutate(s);
  return { stack: s, topology: expand(s, 'local') };
}

/** image repository → the tools the catalog says its pinned image holds */
const TOOLS = new Map<string, readonly string[]>([
  ...Object.values(CATALOG).filter((e) => e.imageTools).map((e) => [e.image, e.imageTools!.tools] as const),
  ...Object.values(SUPPORT_IMAGES).map((i) => [i.image, i.imageTools.tools] as const),
]);
const toolsOf = (img: string): readonly string[] => TOOLS.get(img.slice(0, img.lastIndexOf(':'))) ?? [];

/** The program a healthcheck test runs: CMD's first argument, or the first word of a CMD-SHELL line. */
function firstWord(test: string[]): string {
  if (test[0] === 'CMD') return test[1]!;
  if (test[0] === 'CMD-SHELL') return test[1]!.trim().split(/\s+/)[0]!;
  return test[0]!;
}

function checkServices(doc: any, logs: { maxSize: string; maxFiles: number } = { maxSize: '50m', maxFiles: 5 }) {
  const volumes = Object.keys(doc.volumes ?? {});
  for (const [name, s] of Object.entries<any>(doc.services)) {
    assert.match(s.image, /:([0-9]|RELEASE\.)[\w.-]*$/, `${name}: pinned image`);
    assert.ok(s.stop_grace_period, `${name}: stop_grace_period`);
    assert.ok(s.deploy?.resources?.limits?.cpus && s.deploy?.resources?.limits?.memory, `${name}: cpu and memory limits`);
    const oneShot = s.labels?.['otelstack.one-shot'] === 'true';
    if (oneShot) assert.equal(s.restart, 'on-failure', `${name}: one-shot restarts on failure only`);
    else {
      assert.equal(s.restart, 'unless-stopped', `${name}: restart`);
      const probe = s.labels?.['otelstack.ready-probe'];
      if (probe) {
        // no tool in the image to probe with: a probe service checks it, and it has no healthcheck that cannot run
        assert.equal(s.healthcheck, undefined, `${name}: no healthcheck of its own`);
        assert.equal(doc.services[probe]?.labels?.['otelstack.probe-of'], name, `${name}: probed by ${probe}`);
      } else assert.ok(s.healthcheck?.test && s.healthcheck.start_period, `${name}: healthcheck with start_period`);
    }
    for (const [dep, cond] of Object.entries<any>(s.depends_on ?? {})) {
      const d = doc.services[dep];
      assert.ok(d, `${name}: depends on existing ${dep}`);
      const probe = d.labels?.['otelstack.ready-probe'];
      const expected = d.labels?.['otelstack.one-shot'] === 'true' ? 'service_completed_successfully' : probe ? 'service_started' : 'service_healthy';
      assert.equal(cond.condition, expected, `${name} → ${dep}`);
      if (probe) assert.equal(s.depends_on[probe]?.condition, 'service_healthy', `${name} waits for ${probe}`);
    }
    for (const v of s.volumes ?? []) {
      const src = String(v).split(':')[0]!;
      if (!src.startsWith('.')) assert.ok(volumes.includes(src), `${name}: ${src} is a declared named volume`);
    }
    assert.ok(!JSON.stringify(s).match(/SECRET_ACCESS_KEY=|PASSWORD=/), `${name}: no secret values`);
    assert.deepEqual(s.logging, { driver: 'json-file', options: { 'max-size': logs.maxSize, 'max-file': String(logs.maxFiles) } }, `${name}: rotated json-file logs`);
  }
}

function checkTools(doc: any) {
  for (const [name, s] of Object.entries<any>(doc.services)) {
    // the canary runs otelstack's image under whatever name the definition gives it (otelstack.image, built from
    // otelstack's Dockerfile): what that image holds is the catalog's otelstack image facts
    const tools = name === CANARY_NAME ? SUPPORT_IMAGES.otelstack.imageTools.tools : toolsOf(s.image);
    assert.ok(tools.length > 0, `${name}: the catalog knows what ${s.image} holds`);
    if (s.healthcheck?.test) assert.ok(tools.includes(firstWord(s.healthcheck.test)), `${name}: ${firstWord(s.healthcheck.test)} is in ${s.image} (${tools.join(', ')})`);
    if (s.entrypoint) assert.ok(tools.includes(s.entrypoint[0]), `${name}: entrypoint ${s.entrypoint[0]} is in ${s.image}`);
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
    it('log rotation follows the definition (environments[].logs) and stays valid compose', async () => {
      const custom = renderCompose(await input(ex, (s) => { s.environments[0]!.logs = { maxSize: '10m', maxFiles: 3 }; }));
      const d = parse(custom.files.get('compose/local/docker-compose.yaml')!) as any;
      checkServices(d, { maxSize: '10m', maxFiles: 3 });
      assert.ok(validate(structuredClone(d)), JSON.stringify(validate.errors, null, 2));
      // the schema checks the logging block: an unknown key there is rejected
      const svc = Object.keys(d.services)[0]!;
      assert.equal(validate({ ...d, services: { ...d.services, [svc]: { ...d.services[svc], logging: { driver: 'json-file', rotate: true } } } }), false);
    });
    it('every healthcheck runs a tool the catalog says its image contains', () => checkTools(doc));
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
        assert.deepEqual(Object.keys(doc.services).sort(), ['buckets-init', 'gateway-0', 'gateway-0-ready', 'grafana', 'loki', 'loki-ready', 'mimir', 'mimir-ready', 'otelstack-canary', 'seaweedfs', 'tempo']);
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

describe('compose: the object store the definition names', () => {
  const render = async (mutate: (s: Stack) => void) => {
    const i = await input('single-node', mutate);
    const r = renderCompose(i);
    const file = r.files.get('compose/local/docker-compose.yaml');
    return { r, doc: file ? (parse(file) as any) : undefined, readme: r.files.get('compose/local/README.md') ?? '', tempo: r.files.get('compose/local/tempo.yaml') ?? '' };
  };
  const os = (s: Stack) => s.objectStorage['local-s3']!;

  it('minio: a MinIO service with mc ready, an mc bucket job, engines at minio:9000, no SeaweedFS', async () => {
    const { r, doc, readme, tempo } = await render((s) => { os(s).kind = 'minio'; os(s).endpoint = 'http://minio:9000'; });
    assert.deepEqual(r.findings.filter((f) => f.severity === 'error'), []);
    assert.ok(validate(doc as object), JSON.stringify(validate.errors));
    checkServices(doc);
    checkTools(doc);
    assert.equal(doc.services['seaweedfs'], undefined);
    const m = doc.services['minio'];
    assert.match(m.image, /^minio\/minio:RELEASE\./);
    assert.deepEqual(m.command, ['server', '/data', '--address', ':9000', '--console-address', ':9001']);
    assert.deepEqual(m.env_file, ['minio.env']);
    assert.deepEqual(m.healthcheck.test, ['CMD', 'mc', 'ready', 'local']);
    assert.deepEqual(m.ports, ['127.0.0.1:9000:9000']);
    assert.ok(Object.keys(doc.volumes).includes('minio-data') && !Object.keys(doc.volumes).includes('seaweedfs-data'));
    const job = doc.services['buckets-init'];
    assert.match(job.image, /^minio\/mc:RELEASE\./);
    assert.match(job.command[0], /^mc alias set store http:\/\/minio:9000 "\$\$\{AWS_ACCESS_KEY_ID\}" "\$\$\{AWS_SECRET_ACCESS_KEY\}" && mc mb --ignore-existing store\/single-logs-local-chunks /);
    assert.equal(job.depends_on.minio.condition, 'service_healthy');
    for (const e of ['tempo', 'loki', 'mimir']) {
      assert.equal(doc.services[e].depends_on.minio.condition, 'service_healthy', e);
      assert.equal(doc.services[e].depends_on['buckets-init'].condition, 'service_completed_successfully', e);
    }
    assert.match(tempo, /endpoint: minio:9000/);
    assert.match(readme, /minio\.env.*MINIO_ROOT_USER.*MINIO_ROOT_PASSWORD/);
    assert.doesNotMatch(readme, /SeaweedFS/);
  });

  it('a local store answers at the definition\'s endpoint host (network alias) and port', async () => {
    const { doc } = await render((s) => { os(s).endpoint = 'http://objects:9100'; });
    assert.deepEqual(doc.services['seaweedfs'].networks, { default: { aliases: ['objects'] } });
    assert.ok(doc.services['seaweedfs'].command.includes('-s3.port=9100'));
    assert.deepEqual(doc.services['seaweedfs'].ports, ['127.0.0.1:9100:9100']);
  });

  for (const region of ['eu-west-1', 'us-east-1']) {
    it(`s3 (${region}): no local store, an aws-cli bucket job with the region's LocationConstraint`, async () => {
      const { r, doc, readme, tempo } = await render((s) => { os(s).kind = 's3'; os(s).endpoint = `https://s3.${region}.amazonaws.com`; os(s).region = region; os(s).insecure = false; });
      assert.deepEqual(r.findings.filter((f) => f.severity === 'error'), []);
      assert.ok(validate(doc as object), JSON.stringify(validate.errors));
      checkServices(doc);
      checkTools(doc);
      assert.equal(doc.services['seaweedfs'], undefined);
      assert.equal(doc.services['minio'], undefined);
      const job = doc.services['buckets-init'];
      assert.match(job.image, /^amazon\/aws-cli:\d/);
      assert.deepEqual(job.env_file, ['s3.env']);
      const script = job.command[0] as string;
      assert.match(script, new RegExp(`aws --endpoint-url https://s3\\.${region}\\.amazonaws\\.com s3api create-bucket --bucket "\\$\\$b" --region ${region}`));
      if (region === 'us-east-1') assert.doesNotMatch(script, /LocationConstraint/);
      else assert.match(script, /--create-bucket-configuration LocationConstraint=eu-west-1/);
      assert.match(script, /BucketAlreadyOwnedByYou/);
      for (const e of ['tempo', 'loki', 'mimir']) assert.deepEqual(Object.keys(doc.services[e].depends_on), ['buckets-init'], e);
      assert.match(tempo, new RegExp(`endpoint: s3\\.${region}\\.amazonaws\\.com`));
      assert.match(tempo, /insecure: false/);
      assert.match(readme, /no object store runs locally/);
      assert.deepEqual(Object.keys(doc.volumes).filter((v) => v.startsWith('seaweedfs') || v.startsWith('minio')), []);
    });
  }

  it('refuses what a local store cannot answer, with the plan rule\'s findings', async () => {
    const { r } = await render((s) => { os(s).kind = 'minio'; os(s).endpoint = 'https://127.0.0.1:9001'; });
    assert.equal(r.files.size, 0);
    assert.deepEqual(r.findings.map((f) => f.rule), ['compose-object-storage', 'compose-object-storage', 'compose-object-storage']);
    assert.ok(r.findings.every((f) => f.path === 'objectStorage.local-s3.endpoint' && f.severity === 'error'));
  });
});

describe('compose: several gateways without a Kafka buffer', () => {
  it('sit behind the otlp-lb HAProxy, which alone publishes OTLP', async () => {
    const i = await input('single-node', (s) => { s.ingestion!.environments!['local']!.gateway!.replicas = 3; });
    const r = renderCompose(i);
    const doc = parse(r.files.get('compose/local/docker-compose.yaml')!) as any;
    assert.ok(validate(doc as object), JSON.stringify(validate.errors));
    checkServices(doc);
    checkTools(doc);
    assert.deepEqual(doc.services['otlp-lb'].ports, ['4317:4317', '4318:4318', '12347:12347', '127.0.0.1:9999:9999'], 'OTLP and Faro for everyone; the HAProxy runtime API (deploy) on loopback only');
    for (const g of ['gateway-0', 'gateway-1', 'gateway-2']) {
      assert.equal(doc.services[g].ports, undefined, `${g} does not publish`);
      assert.equal(doc.services['otlp-lb'].depends_on[`${g}-ready`].condition, 'service_healthy');
    }
    const cfg = r.files.get('compose/local/haproxy.cfg')!;
    for (const g of ['gateway-0', 'gateway-1', 'gateway-2']) assert.match(cfg, new RegExp(`server ${g} ${g}:4317 proto h2 check port 13133`));
  });

  it('an engine runs the image of the version the definition pins (signals.<signal>.version), the pinned one by default', async () => {
    const img = async (mutate?: (s: Stack) => void) => (parse(renderCompose(await input('single-node', mutate)).files.get('compose/local/docker-compose.yaml')!) as any).services['mimir'].image;
    assert.equal(await img(), `${CATALOG.mimir.image}:${CATALOG.mimir.pinned}`);
    assert.equal(await img((s) => { s.signals.metrics!.version = '2.17.0'; }), `${CATALOG.mimir.image}:2.17.0`);
  });

  it('one gateway publishes OTLP itself, with no load balancer', async () => {
    const doc = parse(renderCompose(await input('single-node')).files.get('compose/local/docker-compose.yaml')!) as any;
    assert.equal(doc.services['otlp-lb'], undefined);
    assert.deepEqual(doc.services['gateway-0'].ports, ['4317:4317', '4318:4318', '12347:12347']);
  });
});

describe('compose: the Faro (browser) endpoint', () => {
  const faroPort = CATALOG.otelcol.ports['faro']!;
  const docOf = (r: ReturnType<typeof renderCompose>) => parse(r.files.get('compose/local/docker-compose.yaml')!) as any;

  it('one gateway publishes its Faro port on every interface and exposes it; the README says where browsers send and from which pages', async () => {
    const r = renderCompose(await input('single-node'));
    const doc = docOf(r);
    assert.ok(doc.services['gateway-0'].ports.includes(`${faroPort}:${faroPort}`));
    assert.ok(doc.services['gateway-0'].expose.includes(String(faroPort)));
    const readme = r.files.get('compose/local/README.md')!;
    assert.match(readme, new RegExp(`send to http://<this host>:${faroPort}/ on every interface, from pages served at http://localhost:5173`));
  });

  it('a port from the definition is the one published, exposed and listened on', async () => {
    const r = renderCompose(await input('single-node', (s) => { s.ingestion!.faro!.port = 13000; }));
    const doc = docOf(r);
    assert.deepEqual(doc.services['gateway-0'].ports, ['4317:4317', '4318:4318', '13000:13000']);
    assert.match(r.files.get('compose/local/otelcol-gateway.yaml')!, /endpoint: 0\.0\.0\.0:13000/);
  });

  it('load-balanced gateways: otlp-lb publishes Faro and balances it over every gateway (HTTP, health from the collectors)', async () => {
    const r = renderCompose(await input('single-node', (s) => { s.ingestion!.environments!['local']!.gateway!.replicas = 2; }));
    const doc = docOf(r);
    assert.ok(doc.services['otlp-lb'].ports.includes(`${faroPort}:${faroPort}`));
    for (const g of ['gateway-0', 'gateway-1']) {
      assert.equal(doc.services[g].ports, undefined);
      assert.ok(doc.services[g].expose.includes(String(faroPort)), `${g} exposes Faro to the balancer`);
    }
    const cfg = r.files.get('compose/local/haproxy.cfg')!;
    assert.match(cfg, new RegExp(`frontend faro\n  bind :${faroPort}\n  default_backend gateways_faro\n`));
    assert.match(cfg, /backend gateways_faro\n  balance roundrobin\n  option httpchk GET \/\n  server gateway-0 gateway-0:12347 check port 13133\n  server gateway-1 gateway-1:12347 check port 13133\n/);
  });

  it('Faro disabled: nothing published or balanced for it', async () => {
    const one = docOf(renderCompose(await input('single-node', (s) => { s.ingestion!.faro = undefined; })));
    assert.deepEqual(one.services['gateway-0'].ports, ['4317:4317', '4318:4318']);
    assert.ok(!one.services['gateway-0'].expose.includes(String(faroPort)));
    const lb = renderCompose(await input('single-node', (s) => { s.ingestion!.faro = undefined; s.ingestion!.environments!['local']!.gateway!.replicas = 2; }));
    assert.deepEqual(docOf(lb).services['otlp-lb'].ports, ['4317:4317', '4318:4318', '127.0.0.1:9999:9999']);
    assert.doesNotMatch(lb.files.get('compose/local/haproxy.cfg')!, /faro/);
  });
});

describe('compose: healthchecks', () => {
  it('Tempo probes itself with its -health flag; Loki and Mimir are probed from busybox', async () => {
    const doc = parse(renderCompose(await input('single-node')).files.get('compose/local/docker-compose.yaml')!) as any;
    assert.deepEqual(doc.services['tempo'].healthcheck.test, ['CMD', '/tempo', '-health', '-health.url=http://127.0.0.1:3200/ready']);
    assert.deepEqual(doc.services['loki-ready'].healthcheck.test, ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://loki:3100/ready']);
    assert.deepEqual(doc.services['mimir-ready'].healthcheck.test, ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://mimir:8080/ready']);
    assert.deepEqual(doc.services['gateway-0-ready'].healthcheck.test, ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://gateway-0:13133/']);
    assert.doesNotMatch(JSON.stringify(doc), /"components"/);
  });
});

describe('compose: the canary', () => {
  it('with checkStorage it reads the engines\' S3 identity (s3.env); without it, no secret at all', async () => {
    const on = parse(renderCompose(await input('single-node', (s) => { s.canary!.checkStorage = true; })).files.get('compose/local/docker-compose.yaml')!) as Record<string, any>;
    assert.deepEqual(on['services']['otelstack-canary'].env_file, ['s3.env']);
    const off = parse(renderCompose(await input('single-node')).files.get('compose/local/docker-compose.yaml')!) as Record<string, any>;
    assert.equal(off['services']['otelstack-canary'].env_file, undefined);
  });
});
