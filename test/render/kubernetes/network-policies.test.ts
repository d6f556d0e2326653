// NetworkPolicies: the rendered kubernetes/<env>/network-policies.yaml is evaluated as a cluster would (a small
// evaluator below: source pod + namespace, destination pod labels, port → allowed?) and must allow exactly the
// flows the topology has — listed by hand for a small fixture, and flowsOf's list for the bundled examples — and
// nothing else.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { renderKubernetes } from '../../../src/render/kubernetes/index.js';
import { environmentFlows } from '../../../src/render/kubernetes/network-policies.js';
import { expand, expandAll } from '../../../src/topology/expand.js';
import { flowsOf, type Flow, type FlowPort } from '../../../src/topology/network-flows.js';
import type { Topology } from '../../../src/topology/types.js';
import type { Stack } from '../../../src/model/schema.js';
import { renderTopology } from '../../../src/render/topology.js';
import { stackOf } from '../../fixtures/stacks.js';
import { join } from 'node:path';
import { loadStack } from '../../../src/model/load.js';
import { ROOT, exampleStack, productionStack } from './support.js';

type Labels = Record<string, string>;
interface Policy {
  metadata: { name: string; namespace: string };
  spec: {
    podSelector: { matchLabels?: Labels };
    policyTypes: string[];
    ingress?: Array<{ from?: Array<{ podSelector?: { matchLabels?: Labels }; namespaceSelector?: { matchLabels?: Labels } }>; ports?: Array<{ port: FlowPort; protocol: string }> }>;
  };
}
/** a connection's source: a pod (labels, namespace), or a client outside the cluster (the API server, users) */
type Source = { pod: Labels; namespace: string } | 'external';

const NAME = 'app.kubernetes.io/name';
const INSTANCE = 'app.kubernetes.io/instance';
const subset = (sel: Labels | undefined, labels: Labels) => Object.entries(sel ?? {}).every(([k, v]) => labels[k] === v);

/** Kubernetes NetworkPolicy ingress semantics (TCP; named ports compared by name). */
function allowed(policies: Policy[], src: Source, dst: { labels: Labels; namespace: string }, port: FlowPort): boolean {
  const selecting = policies.filter((p) => p.metadata.namespace === dst.namespace && p.spec.policyTypes.includes('Ingress') && subset(p.spec.podSelector.matchLabels, dst.labels));
  if (selecting.length === 0) return true; // not isolated
  return selecting.some((p) =>
    (p.spec.ingress ?? []).some((r) => {
      const fromOk =
        r.from === undefined ||
        (src !== 'external' &&
          r.from.some((peer) => {
            const nsOk = peer.namespaceSelector === undefined ? src.namespace === p.metadata.namespace : subset(peer.namespaceSelector.matchLabels, { 'kubernetes.io/metadata.name': src.namespace });
            return nsOk && subset(peer.podSelector?.matchLabels, src.pod);
          }));
      const portOk = r.ports === undefined || r.ports.some((x) => x.protocol === 'TCP' && x.port === port);
      return fromOk && portOk;
    }),
  );
}

function policiesOf(stack: Stack, t: Topology): Policy[] {
  const text = renderKubernetes({ stack, topology: t }).files.get(`kubernetes/${t.env.name}/network-policies.yaml`);
  assert.ok(text, `kubernetes/${t.env.name}/network-policies.yaml rendered`);
  const docs = parseAllDocuments(text).map((d) => d.toJS() as Policy & { apiVersion: string; kind: string });
  for (const d of docs) {
    assert.equal(`${d.apiVersion}/${d.kind}`, 'networking.k8s.io/v1/NetworkPolicy');
    new NetworkPolicy(d as never).validate();
  }
  assert.match(text, /Egress is not restricted/);
  return docs;
}

/** A flow as the test writes it: source pods (namespace '*': any namespace) or 'any' client; destination pod labels; [] = every port. */
interface Expected {
  from: { pod: Labels; namespace: string } | 'any';
  to: Labels;
  ports: FlowPort[];
}

function covers(from: Expected['from'], src: Source): boolean {
  if (from === 'any') return true;
  if (src === 'external') return false;
  return (from.namespace === '*' || from.namespace === src.namespace) && subset(from.pod, src.pod);
}

/**
 * Every (source, destination, port) of a universe: the pods of the expected flows, pods with the same labels in
 * another namespace, an intruder pod in the namespace, an outside client; ports of the flows plus unrelated ones.
 * allowed ⇔ some expected flow covers it (a flow's destination labels are a subset of the pod's).
 */
function assertExactly(policies: Policy[], ns: string, expected: Expected[], extraDestinations: Labels[] = []) {
  const key = (s: Source) => (s === 'external' ? 'external' : `${s.namespace}/${JSON.stringify(Object.entries(s.pod).sort())}`);
  const sources = new Map<string, Source>([['external', 'external']]);
  const add = (s: Source) => sources.set(key(s), s);
  for (const e of expected) {
    if (e.from === 'any') continue;
    for (const n of new Set([ns, 'elsewhere', ...(e.from.namespace === '*' ? [] : [e.from.namespace])])) {
      add({ pod: e.from.pod, namespace: n });
      add({ pod: { ...e.from.pod, 'app.kubernetes.io/component': 'some-component' }, namespace: n });
    }
  }
  // and everything the policies name, so that a rule beyond the expected flows is found
  for (const p of policies) {
    for (const r of p.spec.ingress ?? []) {
      for (const peer of r.from ?? []) {
        const n = peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'];
        for (const m of new Set([ns, 'elsewhere', ...(n ? [n] : [])])) add({ pod: { ...(peer.podSelector?.matchLabels ?? {}) }, namespace: m });
      }
    }
  }
  add({ pod: { [NAME]: 'intruder', [INSTANCE]: 'intruder' }, namespace: ns });
  add({ pod: { [NAME]: 'intruder', [INSTANCE]: 'intruder' }, namespace: 'elsewhere' });
  const dests = [...new Map([...expected.map((e) => e.to), ...policies.map((p) => p.spec.podSelector.matchLabels ?? {}), ...extraDestinations, { [NAME]: 'unrelated', [INSTANCE]: 'unrelated' }].map((l) => [JSON.stringify(Object.entries(l).sort()), l])).values()];
  const ports = [...new Set<FlowPort>([...expected.flatMap((e) => e.ports), ...policies.flatMap((p) => (p.spec.ingress ?? []).flatMap((r) => (r.ports ?? []).map((x) => x.port))), 22, 'unrelated-port'])];
  let checked = 0;
  for (const src of sources.values()) {
    for (const dst of dests) {
      for (const port of ports) {
        const want = expected.some((e) => covers(e.from, src) && subset(e.to, dst) && (e.ports.length === 0 || e.ports.includes(port)));
        const got = allowed(policies, src, { labels: dst, namespace: ns }, port);
        assert.equal(got, want, `${key(src)} → ${JSON.stringify(dst)} :${port}: ${want ? 'must be allowed' : 'must be denied'}`);
        checked++;
      }
    }
  }
  assert.ok(checked > 100, `a real universe was checked (${checked})`);
}

/** flowsOf's list, made concrete the way assertExactly reads it ('*' namespaces: any namespace — here 'elsewhere'). */
function concrete(flows: Flow[]): Expected[] {
  return flows.map((f): Expected => ({
    from: f.from.kind === 'anywhere' ? 'any' : { pod: { ...f.from.labels }, namespace: f.from.namespace },
    to: { ...f.to.labels },
    ports: [...f.ports],
  }));
}

describe('NetworkPolicies', () => {
  // a small fixture: Mimir microservices (classic ingesters, zone-aware in HA prod), an Alloy per environment
  const stack = stackOf((s) => {
    s.ingestion = { collector: 'alloy', environments: { prod: { gateway: { replicas: 2 } } } };
  });
  const t = expand(stack, 'prod');
  const ns = 'demo-prod';
  const mimir = { [NAME]: 'mimir', [INSTANCE]: 'mimir' };
  const alloy = { [NAME]: 'alloy', [INSTANCE]: 'alloy' };
  // listed by hand from the fixture, not from flowsOf
  const byHand: Expected[] = [
    // collectors → Mimir's push endpoint (the gateway's HTTP port) and the scraper → every /metrics port (the same named port)
    { from: { pod: alloy, namespace: ns }, to: mimir, ports: ['http-metrics'] },
    // inside Mimir: distributor → ingester, query-frontend → querier → store-gateway / ingester on gRPC and HTTP; memberlist
    { from: { pod: mimir, namespace: ns }, to: mimir, ports: ['http-metrics', 9095, 7946] },
    // Grafana exists elsewhere: any namespace, by its chart's name label
    { from: { pod: { [NAME]: 'grafana' }, namespace: '*' }, to: mimir, ports: ['http-metrics'] },
    // applications anywhere → the Alloy's OTLP receivers; Alloy peers cluster over HTTP
    { from: 'any', to: alloy, ports: [4317, 4318] },
    { from: { pod: alloy, namespace: ns }, to: alloy, ports: [12345] },
    // zone-aware Mimir: the API server calls the rollout-operator's webhooks (any source, any port)
    { from: 'any', to: { [NAME]: 'rollout-operator', [INSTANCE]: 'mimir' }, ports: [] },
  ];

  it('the fixture is what the hand-written list assumes', () => {
    assert.ok(t.components.some((c) => c.component === 'rollout-operator'), 'zone-aware Mimir budgets the rollout-operator');
    assert.equal(t.ingestion?.routing, 'per-environment');
  });
  it('allows exactly the hand-listed flows of the fixture, nothing else (a Mimir ingester pod is selected by its release labels)', () => {
    const policies = policiesOf(stack, t);
    assert.equal(policies[0]!.metadata.name, 'demo-default-deny-ingress');
    assert.deepEqual(policies[0]!.spec, { podSelector: {}, policyTypes: ['Ingress'] });
    assertExactly(policies, ns, byHand, [{ ...mimir, 'app.kubernetes.io/component': 'ingester' }]);
  });
  it('every pod outside the flows is denied by default: dev (no collectors) has only Mimir-internal, Grafana and webhook flows', () => {
    const dev = expand(stack, 'dev');
    const flows = flowsOf(dev);
    assert.ok(!flows.some((f) => f.from.kind === 'pods' && f.from.labels[NAME] === 'alloy'), 'no Alloy in dev');
    assertExactly(policiesOf(stack, dev), 'demo-dev', concrete(flows));
  });
  it('networkPolicies: false renders none; compose environments have none', () => {
    const off = stackOf((s) => { s.environments[1]!.networkPolicies = false; });
    assert.equal(renderKubernetes({ stack: off, topology: expand(off, 'prod') }).files.has('kubernetes/prod/network-policies.yaml'), false);
    const compose = stackOf((s) => { s.environments[1]!.target = 'compose'; });
    assert.deepEqual(flowsOf(expand(compose, 'prod')), []);
  });

  describe('bundled examples: the rendered policies allow exactly flowsOf', async () => {
    for (const [name, load] of [['dts', async () => exampleStack()], ['production', async () => (await productionStack()).stack], ['buffered', async () => (await loadStack(join(ROOT, 'examples/buffered'))).stack]] as const) {
      const s = await load();
      for (const topo of expandAll(s).filter((x) => x.env.target === 'kubernetes')) {
        const shown = renderTopology(s, topo.env.name, 99);
        it(`${name}/${topo.env.name}`, () => {
          const flows = environmentFlows(s, shown);
          assert.ok(flows.length > 0);
          assertExactly(policiesOf(s, shown), topo.env.namespace, concrete(flows));
        });
      }
    }
  });
  it('examples/buffered prod (OTel Collector pools, Kafka buffer, KEDA): gateways and processors → brokers, KEDA → brokers, processors → engines, applications → gateways only', async () => {
    const s = (await loadStack(join(ROOT, 'examples/buffered'))).stack;
    const prod = renderTopology(s, 'prod', 99);
    const policies = policiesOf(s, prod);
    const ns = prod.env.namespace;
    const kafka = { labels: { [NAME]: 'kafka', [INSTANCE]: 'kafka-prod' }, namespace: ns };
    const tempo = { labels: { [NAME]: 'tempo', [INSTANCE]: 'tempo', 'app.kubernetes.io/component': 'distributor' }, namespace: ns };
    const gateway = { [NAME]: 'otelcol', [INSTANCE]: 'otelcol-gateway', 'app.kubernetes.io/component': 'gateway' };
    const processor = { [NAME]: 'otelcol', [INSTANCE]: 'otelcol-processor', 'app.kubernetes.io/component': 'processor' };
    const keda = { pod: { [NAME]: 'keda-operator', [INSTANCE]: 'keda' }, namespace: 'keda' };
    assert.ok(allowed(policies, { pod: gateway, namespace: ns }, kafka, 9092), 'gateway → Kafka');
    assert.ok(allowed(policies, { pod: processor, namespace: ns }, kafka, 9092), 'processor → Kafka');
    assert.ok(allowed(policies, keda, kafka, 9092), 'the KEDA operator reads the consumer lag');
    assert.ok(!allowed(policies, keda, tempo, 4317), 'KEDA does not reach the engines');
    assert.ok(allowed(policies, { pod: processor, namespace: ns }, tempo, 4317), 'processor → Tempo OTLP');
    assert.ok(!allowed(policies, { pod: gateway, namespace: ns }, tempo, 4317), 'the gateway writes to Kafka only');
    for (const port of [4317, 4318]) {
      assert.ok(allowed(policies, 'external', { labels: gateway, namespace: ns }, port), `applications → gateway :${port}`);
      assert.ok(!allowed(policies, 'external', { labels: processor, namespace: ns }, port), `nothing sends to a processor :${port}`);
    }
  });
  it('examples/dts prod: Kafka clients → brokers :9092 and brokers ↔ brokers on the controller port; the collectors (no Kafka buffer) may not', async () => {
    const s = await exampleStack();
    const prod = renderTopology(s, 'prod', 1);
    const policies = policiesOf(s, prod);
    const ns = prod.env.namespace;
    const kafka = { [NAME]: 'kafka', [INSTANCE]: 'kafka-prod' };
    assert.equal(prod.ingestion?.kafkaBuffer, false);
    assert.ok(allowed(policies, { pod: { [NAME]: 'tempo', [INSTANCE]: 'tempo', 'app.kubernetes.io/component': 'distributor' }, namespace: ns }, { labels: kafka, namespace: ns }, 9092));
    assert.ok(!allowed(policies, { pod: { [NAME]: 'tempo', [INSTANCE]: 'tempo' }, namespace: ns }, { labels: kafka, namespace: ns }, 9093));
    assert.ok(allowed(policies, { pod: kafka, namespace: ns }, { labels: kafka, namespace: ns }, 9093));
    assert.ok(!allowed(policies, { pod: { [NAME]: 'alloy', [INSTANCE]: 'alloy' }, namespace: 'elsewhere' }, { labels: kafka, namespace: ns }, 9092));
    // the distributor's OTLP gRPC port from the collectors (any namespace: the shared Alloy), and not from an intruder
    assert.ok(allowed(policies, { pod: { [NAME]: 'alloy', [INSTANCE]: 'alloy' }, namespace: 'monitoring' }, { labels: { [NAME]: 'tempo', [INSTANCE]: 'tempo' }, namespace: ns }, 4317));
    assert.ok(!allowed(policies, { pod: { [NAME]: 'intruder' }, namespace: ns }, { labels: { [NAME]: 'tempo', [INSTANCE]: 'tempo' }, namespace: ns }, 4317));
  });
});
