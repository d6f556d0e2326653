// The Alloy configuration (seed 000's shared Alloy, seed 003's Faro and per-tenant limits) is checked by parsing the
// rendered text with our own Alloy-syntax parser and asserting the component graph.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { loadStack } from '../../../src/model/load.js';
import type { Stack } from '../../../src/model/schema.js';
import { alloyScopes, renderAlloyConfig, renderAlloyConfigs } from '../../../src/render/configs/alloy.js';
import { collectorMemory } from '../../../src/topology/collector-memory.js';
import { expandAll } from '../../../src/topology/expand.js';
import type { Topology } from '../../../src/topology/types.js';
import { stackOf } from '../../fixtures/stacks.js';
import { AlloyRef, blockAt, componentGraph, parseAlloy, type AlloyBody, type ComponentGraph } from '../../support/alloy-parser.js';

const example = (name: string) => fileURLToPath(new URL(`../../../../examples/${name}`, import.meta.url));

function withStack(s: Stack, patch: (s: Stack) => void): Stack {
  const c = structuredClone(s);
  patch(c);
  return c;
}

function hostPort(url: string): string {
  return url.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
}

/** ids of components of a type */
const ofType = (g: ComponentGraph, type: string) => [...g.components.values()].filter((c) => c.type === type).map((c) => c.id).sort();
/** targets of `from`'s references at a place (e.g. output.traces) */
const targets = (g: ComponentGraph, from: string, at: string) => g.edges.filter((e) => e.from === from && e.at === at).map((e) => e.to).sort();
const attrOf = (b: AlloyBody | undefined, name: string) => b?.attrs.get(name);

function renderOne(stack: Stack): { text: string; body: AlloyBody; graph: ComponentGraph; topologies: Topology[]; findings: ReturnType<typeof renderAlloyConfigs>['findings'] } {
  const topologies = expandAll(stack);
  const r = renderAlloyConfigs(stack, topologies);
  const text = r.files.get('configs/alloy/config.alloy');
  assert.ok(text, `rendered: ${[...r.files.keys()].join(', ')}`);
  const body = parseAlloy(text);
  return { text, body, graph: componentGraph(body), topologies, findings: r.findings };
}

describe('alloy config: examples/dts (one shared Alloy, routing by namespace)', async () => {
  const { stack } = await loadStack(example('dts'));
  const { text, body, graph, topologies, findings } = renderOne(stack);
  const envs = topologies.map((t) => t.env.name);

  it('parses, and every reference names a component that exists', () => {
    assert.ok(graph.components.size > 10);
    assert.deepEqual(findings.filter((f) => f.severity === 'error'), []);
  });

  it('OTLP receiver on 4317/4318 → memory_limiter (explicit limits) → batch → one filter per environment', () => {
    const [rx] = ofType(graph, 'otelcol.receiver.otlp');
    assert.ok(rx);
    const rb = graph.components.get(rx)!.block;
    assert.equal(attrOf(blockAt(rb, 'grpc'), 'endpoint'), '0.0.0.0:4317');
    assert.equal(attrOf(blockAt(rb, 'http'), 'endpoint'), '0.0.0.0:4318');
    const [ml] = ofType(graph, 'otelcol.processor.memory_limiter');
    for (const s of ['traces', 'metrics']) assert.deepEqual(targets(graph, rx, `output.${s}`), [ml], `receiver ${s} → memory_limiter`);
    assert.deepEqual(targets(graph, rx, 'output.logs'), [], 'no OTLP logs: Loki is not managed');
    const gw = topologies[0]!.components.find((c) => c.engine === 'alloy' && c.component === 'gateway')!;
    const mem = collectorMemory(gw.perReplica);
    const mlb = graph.components.get(ml!)!.block;
    assert.equal(mlb.attrs.get('limit'), `${mem.limitMib}MiB`);
    assert.equal(mlb.attrs.get('spike_limit'), `${mem.spikeLimitMib}MiB`);
    assert.ok(!text.includes('percentage'));
    const [batch] = ofType(graph, 'otelcol.processor.batch');
    assert.deepEqual(targets(graph, ml!, 'output.traces'), [batch]);
    const filters = ofType(graph, 'otelcol.processor.filter');
    assert.equal(filters.length, envs.length);
    assert.deepEqual(targets(graph, batch!, 'output.traces'), filters);
    assert.deepEqual(targets(graph, batch!, 'output.metrics'), filters);
  });

  it('each filter keeps only its namespace and leads to that environment\'s Tempo exporter and Mimir remote_write', () => {
    for (const t of topologies) {
      const filter = `otelcol.processor.filter.otelstack_${t.env.name}`;
      const fb = graph.components.get(filter)?.block;
      assert.ok(fb, filter);
      const cond = `resource.attributes["k8s.namespace.name"] != "${t.env.namespace}"`;
      assert.deepEqual(attrOf(blockAt(fb, 'traces'), 'span'), [cond]);
      assert.deepEqual(attrOf(blockAt(fb, 'metrics'), 'metric'), [cond]);
      // traces → otlp exporter with this environment's Tempo endpoint
      const tempo = t.engines.find((e) => e.signal === 'traces')!;
      const exp = targets(graph, filter, 'output.traces')[0]!;
      assert.ok(exp?.startsWith('otelcol.exporter.otlp.'), exp);
      const client = blockAt(graph.components.get(exp)!.block, 'client');
      assert.equal(attrOf(client, 'endpoint'), hostPort(tempo.endpoints.push!));
      assert.equal(attrOf(blockAt(client!, 'tls'), 'insecure'), true);
      const queue = blockAt(graph.components.get(exp)!.block, 'sending_queue')!;
      assert.ok(queue.attrs.get('storage') instanceof AlloyRef, 'persistent queue');
      assert.equal(attrOf(blockAt(graph.components.get(exp)!.block, 'retry_on_failure'), 'max_elapsed_time'), stack.ingestion!.retry.maxElapsedTime);
      // metrics → otelcol.exporter.prometheus → prometheus.remote_write with this environment's Mimir push URL
      const mimir = t.engines.find((e) => e.signal === 'metrics')!;
      const conv = targets(graph, filter, 'output.metrics')[0]!;
      assert.ok(conv?.startsWith('otelcol.exporter.prometheus.'), conv);
      const rw = targets(graph, conv, 'forward_to')[0]!;
      assert.ok(rw?.startsWith('prometheus.remote_write.'), rw);
      assert.equal(attrOf(blockAt(graph.components.get(rw)!.block, 'endpoint'), 'url'), mimir.endpoints.push);
      // scraped metrics of this namespace → the same remote_write
      const relabel = `prometheus.relabel.otelstack_scraped_${t.env.name}`;
      assert.deepEqual(targets(graph, relabel, 'forward_to'), [rw]);
      assert.equal(attrOf(blockAt(graph.components.get(relabel)!.block, 'rule'), 'regex'), t.env.namespace);
    }
    assert.equal(ofType(graph, 'otelcol.exporter.otlp').length, envs.length);
    assert.equal(ofType(graph, 'prometheus.remote_write').length, envs.length);
  });

  it('no Loki components (Loki is managed: false), and the file says so', () => {
    assert.deepEqual([...graph.components.keys()].filter((id) => id.startsWith('loki.') || id.includes('otlphttp') || id.includes('receiver.loki')), []);
    assert.match(text, /^\/\/ Loki: nothing is rendered for Loki — Loki is managed: false/m);
    assert.match(text, /existing Loki log\n\/\/ forwarding .* is left untouched/);
  });

  it('no Faro receiver unless enabled; labels are otelstack-prefixed; no singleton blocks', () => {
    assert.deepEqual(ofType(graph, 'faro.receiver'), []);
    for (const c of graph.components.values()) assert.match(c.label, /^otelstack/);
    assert.deepEqual(body.blocks.filter((b) => b.label === undefined).map((b) => b.name), []);
    assert.equal(body.attrs.size, 0);
  });

  it('is deterministic', () => {
    assert.equal(renderOne(stack).text, text);
  });
});

describe('alloy config: Faro and per-tenant rate limits (seed 003)', async () => {
  const { stack } = await loadStack(example('dts'));

  it('one Faro receiver per environment, ports from the faro base, rate limits for the matching tenant, traces to that environment\'s Tempo', () => {
    const s = withStack(stack, (x) => {
      x.ingestion!.faro = { enabled: true, port: 12347, allowedOrigins: ['https://app.example.com'] };
      x.ingestion!.rateLimits = [{ tenant: 'prod', requestsPerSecond: 150, burst: 300 }];
    });
    const { graph, topologies, findings } = renderOne(s);
    assert.deepEqual(findings.filter((f) => f.severity === 'error'), []);
    const faros = ofType(graph, 'faro.receiver');
    assert.equal(faros.length, topologies.length);
    topologies.forEach((t, i) => {
      const id = `faro.receiver.otelstack_${t.env.name}`;
      const server = blockAt(graph.components.get(id)!.block, 'server')!;
      assert.equal(server.attrs.get('listen_port'), 12347 + i);
      assert.equal(server.attrs.get('listen_address'), '0.0.0.0');
      // the same field as the OpenTelemetry Collector's cors.allowed_origins, never an open "*" by default
      assert.deepEqual(server.attrs.get('cors_allowed_origins'), ['https://app.example.com']);
      const rl = blockAt(server, 'rate_limiting');
      if (t.env.name === 'prod') {
        assert.equal(rl?.attrs.get('rate'), 150);
        assert.equal(rl?.attrs.get('burst_size'), 300);
        assert.equal(rl?.attrs.get('enabled'), true);
      } else assert.equal(rl, undefined);
      assert.deepEqual(targets(graph, id, 'output.traces'), [`otelcol.exporter.otlp.otelstack_tempo_${t.env.name}`]);
      assert.deepEqual(targets(graph, id, 'output.logs'), []);
    });
  });

  it('cors_allowed_origins is ingestion.faro.allowedOrigins, sorted and each once; the comment says when it is "*" or empty', () => {
    const render = (allowedOrigins: string[]) => renderOne(withStack(stack, (x) => { x.ingestion!.faro = { enabled: true, allowedOrigins }; }));
    const listed = render(['https://b.example.com', 'https://a.example.com', 'https://a.example.com']);
    for (const id of ofType(listed.graph, 'faro.receiver')) {
      assert.deepEqual(blockAt(listed.graph.components.get(id)!.block, 'server')!.attrs.get('cors_allowed_origins'), ['https://a.example.com', 'https://b.example.com']);
    }
    assert.match(listed.text, /Browsers may send from: https:\/\/a\.example\.com, https:\/\/b\.example\.com/);
    assert.match(render(['*']).text, /cors_allowed_origins is "\*": any site can post telemetry here/);
    assert.match(render([]).text, /cors_allowed_origins is empty: browsers refuse to send from any page/);
  });

  it('a rate limit for an unknown tenant is an error finding; rate limits without Faro are a warning', () => {
    const unknown = withStack(stack, (x) => {
      x.ingestion!.faro = { enabled: true, port: 12347, allowedOrigins: ['https://app.example.com'] };
      x.ingestion!.rateLimits = [{ tenant: 'nobody', requestsPerSecond: 10 }];
    });
    const f = renderAlloyConfigs(unknown, expandAll(unknown)).findings.find((x) => x.severity === 'error');
    assert.equal(f?.path, 'ingestion.rateLimits[0].tenant');
    const noFaro = withStack(stack, (x) => {
      x.ingestion!.rateLimits = [{ tenant: 'prod', requestsPerSecond: 10 }];
    });
    const w = renderAlloyConfigs(noFaro, expandAll(noFaro)).findings;
    assert.ok(w.some((x) => x.severity === 'warning' && x.path === 'ingestion.rateLimits'), JSON.stringify(w));
  });
});

describe('alloy config: tenants, managed Loki, per-environment routing', () => {
  const base = () =>
    stackOf((s) => {
      s.signals = {
        traces: { engine: 'tempo', environments: { dev: { mode: 'monolithic', tenant: 'team-dev' }, prod: { mode: 'monolithic' } } },
        metrics: { engine: 'mimir', environments: { dev: { mode: 'microservices', ingestStorage: false, tenant: 'team-dev' }, prod: { mode: 'microservices', ingestStorage: false } } },
        logs: { engine: 'loki', environments: { dev: { mode: 'simple-scalable' }, prod: { mode: 'simple-scalable' } } },
      };
      s.ingestion = { collector: 'alloy', routing: 'by-namespace', faro: { enabled: true, port: 12347, allowedOrigins: ['https://app.example.com'] } };
    });

  it('X-Scope-OrgID headers where a tenant is set; a managed Loki gets OTLP logs through the namespace filters', () => {
    const { graph, topologies } = renderOne(base());
    const client = blockAt(graph.components.get('otelcol.exporter.otlp.otelstack_tempo_dev')!.block, 'client')!;
    assert.deepEqual(client.attrs.get('headers'), { 'X-Scope-OrgID': 'team-dev' });
    assert.equal(blockAt(graph.components.get('otelcol.exporter.otlp.otelstack_tempo_prod')!.block, 'client')!.attrs.get('headers'), undefined);
    assert.deepEqual(attrOf(blockAt(graph.components.get('prometheus.remote_write.otelstack_mimir_dev')!.block, 'endpoint'), 'headers'), { 'X-Scope-OrgID': 'team-dev' });
    for (const t of topologies) {
      const filter = `otelcol.processor.filter.otelstack_${t.env.name}`;
      const [logs] = targets(graph, filter, 'output.logs');
      assert.equal(logs, `otelcol.exporter.otlphttp.otelstack_loki_${t.env.name}`);
      const loki = t.engines.find((e) => e.signal === 'logs')!;
      assert.equal(attrOf(blockAt(graph.components.get(logs)!.block, 'client'), 'endpoint'), loki.endpoints.push);
      // Faro logs reach the same Loki through otelcol.receiver.loki
      const lr = `otelcol.receiver.loki.otelstack_faro_${t.env.name}`;
      assert.deepEqual(targets(graph, `faro.receiver.otelstack_${t.env.name}`, 'output.logs'), [lr]);
      assert.deepEqual(targets(graph, lr, 'output.logs'), [logs]);
    }
    assert.deepEqual(targets(graph, 'otelcol.receiver.otlp.otelstack', 'output.logs'), ['otelcol.processor.memory_limiter.otelstack']);
  });

  it('per-environment routing: one configuration per environment, no filters, straight to its own backends', () => {
    const s = withStack(base(), (x) => {
      x.ingestion!.routing = 'per-environment';
      x.ingestion!.faro = undefined;
    });
    const topologies = expandAll(s);
    const r = renderAlloyConfigs(s, topologies);
    assert.deepEqual([...r.files.keys()], ['configs/alloy/dev/config.alloy', 'configs/alloy/prod/config.alloy']);
    for (const t of topologies) {
      const g = componentGraph(parseAlloy(r.files.get(`configs/alloy/${t.env.name}/config.alloy`)!));
      assert.deepEqual(ofType(g, 'otelcol.processor.filter'), []);
      assert.deepEqual(targets(g, 'otelcol.processor.batch.otelstack', 'output.traces'), [`otelcol.exporter.otlp.otelstack_tempo_${t.env.name}`]);
      assert.deepEqual(ofType(g, 'prometheus.remote_write'), [`prometheus.remote_write.otelstack_mimir_${t.env.name}`]);
      assert.deepEqual(ofType(g, 'faro.receiver'), []);
    }
  });

  it('persistentQueue disabled: in-memory queues, no storage component', () => {
    const s = withStack(base(), (x) => {
      x.ingestion!.persistentQueue = { enabled: false, fsync: false, queueSize: 100 };
    });
    const { graph } = renderOne(s);
    assert.deepEqual(ofType(graph, 'otelcol.storage.file'), []);
    const q = blockAt(graph.components.get('otelcol.exporter.otlp.otelstack_tempo_dev')!.block, 'sending_queue')!;
    assert.equal(q.attrs.get('queue_size'), 100);
    assert.equal(q.attrs.get('storage'), undefined);
  });

  it('nothing for an otelcol collection layer', () => {
    const s = withStack(base(), (x) => {
      x.ingestion!.collector = 'otelcol';
    });
    assert.equal(renderAlloyConfigs(s, expandAll(s)).files.size, 0);
    assert.deepEqual(alloyScopes(s, expandAll(s)), []);
  });

  it('renderAlloyConfig and renderAlloyConfigs agree', () => {
    const s = base();
    const ts = expandAll(s);
    assert.equal(renderAlloyConfigs(s, ts).files.get('configs/alloy/config.alloy'), renderAlloyConfig(s, alloyScopes(s, ts)[0]!));
  });
});
