import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadStack } from '../../src/model/load.js';
import { buildPlan } from '../../src/plan/index.js';
import { reportHtml } from '../../src/report/html.js';
import { layoutTopology, topologySvg, type LayoutNode } from '../../src/report/topology-svg.js';
import { expand } from '../../src/topology/expand.js';
import type { Topology } from '../../src/topology/types.js';
import { stackOf } from '../fixtures/stacks.js';
import { ROOT } from '../support/paths.js';

const EXAMPLES = ['examples/dts', 'examples/production', 'examples/scalable', 'examples/single-node', 'examples/dts/as-written'];

async function topologies(): Promise<Topology[]> {
  const out: Topology[] = [];
  for (const ex of EXAMPLES) {
    const { stack } = await loadStack(`${ROOT}${ex}`);
    for (const e of stack.environments) out.push(expand(stack, e.name));
  }
  return out;
}

const overlap = (a: LayoutNode, b: LayoutNode) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
const inside = (c: LayoutNode, p: LayoutNode) => c.x >= p.x && c.y >= p.y && c.x + c.w <= p.x + p.w && c.y + c.h <= p.y + p.h;
const count = (s: string, sub: string) => s.split(sub).length - 1;

describe('report: topology layout', async () => {
  const all = await topologies();

  it('draws every component of the topology exactly once, in every example environment', () => {
    for (const t of all) {
      const l = layoutTopology(t);
      const drawn = l.boxes.filter((b) => b.component).map((b) => b.component!).sort();
      const expected = t.components.map((c) => `${c.engine}/${c.component}`).sort();
      assert.deepEqual(drawn, expected, `${t.stack}/${t.env.name}`);
      const svg = topologySvg(t);
      for (const c of expected) assert.equal(count(svg, `data-component="${c}"`), 1, `${t.stack}/${t.env.name}: ${c} in the SVG`);
    }
  });

  it('draws each engine, Kafka topic, bucket and datasource, with the replica counts and partitions', () => {
    for (const t of all) {
      const l = layoutTopology(t);
      const text = [...l.groups, ...l.boxes].map((n) => n.full.join('\n')).join('\n');
      for (const e of t.engines) assert.ok(l.groups.some((g) => g.kind === 'engine' && g.full[0] === `${e.title} ${e.version}`), `${t.env.name}: engine ${e.engine}`);
      for (const tp of t.kafka?.topics ?? []) assert.ok(l.boxes.some((b) => b.kind === 'topic' && b.full[0] === tp.name && b.full[1]!.startsWith(`${tp.partitions} partition`)), `topic ${tp.name}`);
      for (const b of t.buckets) assert.equal(l.boxes.filter((x) => x.kind === 'bucket' && x.full[0] === b.name).length, 1, `bucket ${b.name}`);
      for (const e of t.engines.filter((x) => x.datasource)) assert.ok(l.boxes.some((b) => b.kind === 'datasource' && b.full[0] === e.datasource!.name));
      for (const c of t.components) assert.ok(text.includes(`${c.component} ×${c.replicas}`), `${c.engine}/${c.component} ×${c.replicas}`);
      assert.equal(l.groups.filter((g) => g.kind === 'app').length, 1);
      assert.equal(l.groups.filter((g) => g.kind === 'grafana').length, 1);
    }
  });

  it('places no box over another: groups apart, child boxes apart and inside their group, all inside the drawing', () => {
    for (const t of all) {
      const l = layoutTopology(t);
      const where = `${t.stack}/${t.env.name}`;
      for (let i = 0; i < l.groups.length; i++) for (let j = i + 1; j < l.groups.length; j++) assert.ok(!overlap(l.groups[i]!, l.groups[j]!), `${where}: groups ${l.groups[i]!.full[0]} / ${l.groups[j]!.full[0]}`);
      for (let i = 0; i < l.boxes.length; i++) for (let j = i + 1; j < l.boxes.length; j++) assert.ok(!overlap(l.boxes[i]!, l.boxes[j]!), `${where}: boxes ${l.boxes[i]!.full[0]} / ${l.boxes[j]!.full[0]}`);
      for (const b of l.boxes) {
        const p = l.groups.find((g) => g.id === b.parent);
        assert.ok(p && inside(b, p), `${where}: ${b.full[0]} inside its group`);
      }
      for (const n of [...l.groups, ...l.boxes]) assert.ok(n.x >= 0 && n.y >= 0 && n.x + n.w <= l.width && n.y + n.h <= l.height, `${where}: ${n.full[0]} inside the drawing`);
    }
  });

  it('connects applications → collectors → engines → buckets, and engines to their Grafana datasources', () => {
    const dts = all.find((t) => t.stack === 'dts' && t.env.name === 'prod')!;
    const l = layoutTopology(dts);
    const has = (from: string, to: string) => l.edges.some((e) => e.from === from && e.to === to);
    const edgeKeys = new Set(l.edges.map((e) => `${e.from}>${e.to}`));
    assert.equal(edgeKeys.size, l.edges.length, 'no duplicate arrows');
    assert.ok(l.edges.length > 0 && l.edges.every((e) => /^M[\d.]+ [\d.]+ /.test(e.d)));
    // arrows name what they join (apps, col:<collector>, e:<engine>, b:<bucket>, d:<engine's datasource>, t:<topic>)
    assert.ok(has('apps', 'lb') && has('lb', 'col:alloy'), 'applications → the collector Service → the gateway');
    for (const e of dts.engines) assert.ok(has('col:alloy', `e:${e.engine}`), `gateway → ${e.engine}`);
    for (const b of dts.buckets) assert.ok(has(`e:${b.engine}`, `b:${b.name}`), `${b.engine} → ${b.name}`);
    for (const e of dts.engines) assert.ok(has(`e:${e.engine}`, `d:${e.engine}`), `${e.engine} → its datasource`);
    assert.ok(l.edges.some((e) => e.from === 't:tempo-ingest' && e.to === 'e:tempo' && e.dashed));
  });

  it('routes the scalable example through Kafka: gateway → buffer topics → processors → engines', async () => {
    const t = all.find((x) => x.stack === 'scalable')!;
    const l = layoutTopology(t);
    assert.deepEqual(l.columns.map((c) => c.title), ['Applications', 'Load balancer', 'Collectors', 'Kafka', 'Processors', 'Engines', 'Buckets', 'Grafana']);
    for (const tp of t.kafka!.topics) {
      assert.ok(l.edges.some((e) => e.from === 'col:otelcol' && e.to === `t:${tp.name}`));
      assert.ok(l.edges.some((e) => e.from === `t:${tp.name}` && e.to === 'proc:otelcol'));
    }
    for (const e of t.engines) assert.ok(l.edges.some((x) => x.from === 'proc:otelcol' && x.to === `e:${e.engine}`));
    assert.equal(l.groups.find((g) => g.kind === 'lb')!.full[0], 'HAProxy otlp-lb');
    assert.ok(l.edges.some((e) => e.from === 'apps' && e.to === 'lb') && l.edges.some((e) => e.from === 'lb' && e.to === 'col:otelcol'));
    assert.equal(l.boxes.find((b) => b.component === 'otelcol/processor')!.full[0], `processor ×${t.ingestion!.processorReplicas}`);
  });

  it('draws no load balancer in front of a single compose gateway (it publishes OTLP itself)', () => {
    const t = all.find((x) => x.stack === 'single' && x.env.name === 'local')!;
    const l = layoutTopology(t);
    assert.ok(!l.groups.some((g) => g.kind === 'lb'));
    assert.ok(l.edges.some((e) => e.from === 'apps' && e.to === 'col:otelcol'));
  });

  it('escapes every text it draws (names come from the definition)', () => {
    const evil = `<script>alert("x")</script>&'`;
    const stack = stackOf((s) => {
      s['grafana'] = { datasourceName: `${evil} {Engine} {env}` };
    });
    const t = expand(stack, 'dev');
    t.buckets[0]!.name = evil;
    const svg = topologySvg(t, 'p');
    assert.ok(!svg.includes('<script>'), 'no raw markup from names');
    assert.ok(svg.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;'));
    const html = reportHtml({ plan: buildPlan(stack, 'x.yaml'), topologies: [t], definition: `${evil}.yaml`, diffs: [{ from: 'dev', to: evil, files: [{ file: evil, change: 'changed', text: false, keys: [{ change: 'changed', path: evil, from: evil, to: 1 }] }] }] });
    assert.ok(!html.includes('<script'), 'the page holds no script at all');
    assert.ok(html.includes('&lt;script&gt;'));
  });

  it('is deterministic: the same topology gives the same bytes, and the layout does not depend on call order', async () => {
    const t = all.find((x) => x.stack === 'dts' && x.env.name === 'prod')!;
    const first = topologySvg(t, 'a');
    for (const other of all) topologySvg(other, 'a');
    assert.equal(topologySvg(t, 'a'), first);
    const { stack, file } = await loadStack(`${ROOT}examples/dts`);
    const make = () => reportHtml({ plan: buildPlan(stack, file), topologies: stack.environments.map((e) => expand(stack, e.name)), definition: 'examples/dts/stack.ts', diffs: [] });
    assert.equal(make(), make());
  });
});
