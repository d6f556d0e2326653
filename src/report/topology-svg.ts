/**
 * The topology drawing of `otelstack report`: one environment's Topology as an SVG, generated (never drawn by hand).
 *
 * Why a layout of our own and no graph library: the allowed dependencies hold none (no dagre / elkjs / graphviz), and
 * the graph does not need one. Data always flows one way through fixed stages — applications → load balancer →
 * collectors → Kafka →
 * processors → engines → buckets → Grafana — so a layered layout is just "one column per stage, boxes stacked in
 * the column, arrows left to right". Arrows between neighbouring columns are curves through the gap between them;
 * an arrow that skips columns is routed orthogonally through the gaps and a lane above every box, so no arrow
 * crosses a box. Text width is estimated from a monospace font (0.6 em per character), so the same topology gives
 * the same bytes everywhere.
 */
import { composeLoadBalanced } from '../topology/loopback.js';
import type { Topology, TopoComponent } from '../topology/types.js';
import { esc } from './escape.js';

export type NodeKind = 'app' | 'lb' | 'collector' | 'kafka' | 'topic' | 'processor' | 'engine' | 'component' | 'store' | 'bucket' | 'grafana' | 'datasource';

/** A drawn rectangle: a group (a column's entry, with a title) or a child box inside a group. */
export interface LayoutNode {
  id: string;
  kind: NodeKind;
  x: number;
  y: number;
  w: number;
  h: number;
  /** text lines, the first one bold (already shortened to fit; `full` keeps the unshortened text for the tooltip) */
  lines: string[];
  full: string[];
  /** child boxes: the group's id */
  parent?: string;
  /** topology components: `engine/component` (each appears exactly once) */
  component?: string;
  /** a dimmed box: not deployed by otelstack, or of a later phase */
  muted?: boolean;
}

export interface LayoutEdge {
  from: string;
  to: string;
  /** dashed: a read (Grafana querying an engine, an engine consuming its own ingest topic) */
  dashed: boolean;
  /** SVG path data */
  d: string;
}

export interface TopologyLayout {
  width: number;
  height: number;
  columns: Array<{ title: string; x: number; w: number }>;
  groups: LayoutNode[];
  boxes: LayoutNode[];
  edges: LayoutEdge[];
}

const FONT = 12;
const CHAR = FONT * 0.6; // monospace advance
const LINE = 16;
const PAD = 8;
const CHILD_GAP = 6;
const GROUP_GAP = 16;
const COL_GAP = 72;
const MARGIN = 16;
const HEADER = 22;
const LANE_GAP = 8;
const MAX_CHARS = 44;
const MIN_COL = 150;
const ANCHOR = 18;

const COLLECTORS = new Set(['alloy', 'otelcol']);

interface Draft {
  kind: NodeKind;
  lines: string[];
  children: Array<{ kind: NodeKind; lines: string[]; component?: string; muted?: boolean; key: string }>;
  muted?: boolean;
  key: string;
}

const shorten = (s: string) => (s.length > MAX_CHARS ? `${s.slice(0, MAX_CHARS - 1)}…` : s);
const phaseTag = (phase: number) => (phase > 1 ? ` · phase ${phase}` : '');
const reps = (c: TopoComponent) => `×${c.replicas}`;
const componentChild = (c: TopoComponent) => ({
  kind: 'component' as const,
  // one line per component (`querier ×2`), a second only for what needs saying: keeps tall engines compact
  lines: c.sidecarOf || !c.known ? [`${c.component} ${reps(c)}`, `${c.known ? '' : 'unknown to the engine'}${c.sidecarOf && !c.known ? ' · ' : ''}${c.sidecarOf ? `sidecar of ${c.sidecarOf.component}` : ''}${phaseTag(c.phase)}`] : [`${c.component} ${reps(c)}${phaseTag(c.phase)}`],
  component: `${c.engine}/${c.component}`,
  muted: !c.budgeted || c.phase > 1,
  key: `c:${c.engine}/${c.component}`,
});

/** The stages and their entries, in drawing order; edges by entry key. */
function drafts(t: Topology): { columns: Array<{ title: string; items: Draft[] }>; edges: Array<{ from: string; to: string; dashed: boolean }> } {
  const edges: Array<{ from: string; to: string; dashed: boolean }> = [];
  const placed = new Set<TopoComponent>();
  const take = (pred: (c: TopoComponent) => boolean) => {
    const cs = t.components.filter((c) => !placed.has(c) && pred(c));
    for (const c of cs) placed.add(c);
    return cs.map(componentChild);
  };
  const ing = t.ingestion;
  const apps: Draft = { kind: 'app', key: 'apps', lines: ['applications', `OTLP · ${ing ? `routing ${ing.routing}` : 'straight to the engines'}`, `namespace ${t.env.namespace}`], children: [] };

  const collectors: Draft[] = [];
  const processors: Draft[] = [];
  const collectorEngines = [...new Set(t.components.filter((c) => COLLECTORS.has(c.engine)).map((c) => c.engine))];
  for (const engine of collectorEngines) {
    const shared = ing?.shared && ing.collector === engine ? ' (shared)' : '';
    const gw = take((c) => c.engine === engine && c.component !== 'processor' && c.sidecarOf?.component !== 'processor');
    if (gw.length) collectors.push({ kind: 'collector', key: `col:${engine}`, lines: [`${engine} gateway${shared}`, ing?.kafkaBuffer ? 'OTLP in → Kafka' : 'OTLP in → engines'], children: gw });
    const pr = take((c) => c.engine === engine);
    if (pr.length) processors.push({ kind: 'processor', key: `proc:${engine}`, lines: [`${engine} processors`, 'Kafka → engines'], children: pr });
  }

  // What spreads OTLP over the gateway pool: on Kubernetes the collector's Service; on compose the HAProxy `otlp-lb`
  // the compose renderer adds where composeLoadBalanced says so (several gateways, or the Kafka-buffered pipeline).
  const lbs: Draft[] = [];
  if (ing && collectors.length) {
    const gateways = ing.gatewayReplicas;
    if (t.env.target === 'kubernetes') lbs.push({ kind: 'lb', key: 'lb', lines: [`Service ${ing.collector}`, `OTLP → ${gateways} gateway${gateways === 1 ? '' : 's'}`], children: [] });
    else if (t.env.target === 'compose' && composeLoadBalanced(t)) lbs.push({ kind: 'lb', key: 'lb', lines: ['HAProxy otlp-lb', `OTLP → ${gateways} gateway${gateways === 1 ? '' : 's'}`], children: [] });
  }

  const kafka: Draft[] = [];
  if (t.kafka) {
    const k = t.kafka;
    const topics = k.topics.map((tp) => ({
      kind: 'topic' as const,
      key: `t:${tp.name}`,
      lines: [tp.name, `${tp.partitions} partition${tp.partitions === 1 ? '' : 's'} · RF ${tp.replication}`, tp.owner.startsWith('collector:') ? `buffer: ${tp.owner.slice('collector:'.length)}` : `ingest of ${tp.owner}`],
    }));
    kafka.push({ kind: 'kafka', key: 'kafka', lines: [`Kafka${k.managed ? '' : ' (existing)'}`, `${k.brokers} broker${k.brokers === 1 ? '' : 's'}`], children: [...take((c) => c.engine === 'kafka'), ...topics], muted: !k.managed });
  }

  const engines: Draft[] = t.engines.map((e) => ({
    kind: 'engine',
    key: `e:${e.engine}`,
    lines: [`${e.title} ${e.version}`, `${e.signal} · ${e.mode}${e.managed ? '' : ' · existing'}${phaseTag(e.phase)}`],
    children: take((c) => c.engine === e.engine),
    muted: !e.managed,
  }));
  const grafanaChildren = take((c) => c.engine === 'grafana');
  const rest = take(() => true);
  if (rest.length) engines.push({ kind: 'engine', key: 'e:other', lines: ['other components', 'not tied to an engine'], children: rest });

  const stores = [...new Set(t.buckets.map((b) => b.objectStorage))];
  const buckets: Draft[] = stores.map((s) => ({
    kind: 'store',
    key: `s:${s}`,
    lines: [s, s === t.objectStorage.name ? `${t.objectStorage.kind} object storage` : 'object storage'],
    children: t.buckets.filter((b) => b.objectStorage === s).map((b) => ({ kind: 'bucket' as const, key: `b:${b.name}`, lines: [b.name, `${b.engine} · ${b.purpose}${phaseTag(b.phase)}`], muted: b.phase > 1 })),
  }));

  const datasources = t.engines.filter((e) => e.datasource).map((e) => ({ kind: 'datasource' as const, key: `d:${e.engine}`, lines: [e.datasource!.name, `${e.datasource!.type} · uid ${e.datasource!.uid}`] }));
  const grafana: Draft[] = [{ kind: 'grafana', key: 'grafana', lines: ['Grafana', grafanaChildren.length ? 'deployed by otelstack' : 'existing · provisioning only'], children: [...grafanaChildren, ...datasources] }];

  // edges: ingestion path
  const collectorKeys = collectors.map((c) => c.key);
  const bySignal = (signal: string) => t.engines.filter((e) => e.signal === signal).map((e) => `e:${e.engine}`);
  if (collectorKeys.length === 0) for (const e of engines) edges.push({ from: 'apps', to: e.key, dashed: false });
  for (const l of lbs) edges.push({ from: 'apps', to: l.key, dashed: false });
  for (const c of collectorKeys) {
    edges.push({ from: lbs.length ? 'lb' : 'apps', to: c, dashed: false });
    if (ing?.kafkaBuffer && processors.length) {
      for (const tp of t.kafka?.topics.filter((x) => x.owner.startsWith('collector:')) ?? []) edges.push({ from: c, to: `t:${tp.name}`, dashed: false });
    } else for (const e of t.engines) edges.push({ from: c, to: `e:${e.engine}`, dashed: false });
  }
  for (const tp of t.kafka?.topics ?? []) {
    if (tp.owner.startsWith('collector:')) {
      for (const p of processors) edges.push({ from: `t:${tp.name}`, to: p.key, dashed: false });
    } else if (t.engines.some((e) => e.engine === tp.owner)) edges.push({ from: `t:${tp.name}`, to: `e:${tp.owner}`, dashed: true });
  }
  for (const p of processors) {
    const signals = (t.kafka?.topics ?? []).filter((x) => x.owner.startsWith('collector:')).map((x) => x.owner.slice('collector:'.length));
    const targets = signals.length ? signals.flatMap(bySignal) : t.engines.map((e) => `e:${e.engine}`);
    for (const e of [...new Set(targets)]) edges.push({ from: p.key, to: e, dashed: false });
  }
  for (const b of t.buckets) if (t.engines.some((e) => e.engine === b.engine)) edges.push({ from: `e:${b.engine}`, to: `b:${b.name}`, dashed: false });
  for (const d of datasources) edges.push({ from: `e:${d.key.slice(2)}`, to: d.key, dashed: true });

  const columns = [
    { title: 'Applications', items: [apps] },
    { title: 'Load balancer', items: lbs },
    { title: 'Collectors', items: collectors },
    { title: 'Kafka', items: kafka },
    { title: 'Processors', items: processors },
    { title: 'Engines', items: engines },
    { title: 'Buckets', items: buckets },
    { title: 'Grafana', items: grafana },
  ].filter((c) => c.items.length > 0);
  return { columns, edges };
}

const textWidth = (lines: string[]) => Math.max(...lines.map((l) => l.length)) * CHAR;
const boxHeight = (lines: number) => lines * LINE + PAD;

/** Places every stage's entries in columns and routes the arrows. */
export function layoutTopology(t: Topology): TopologyLayout {
  const { columns, edges } = drafts(t);
  const colOf = new Map<string, number>();
  columns.forEach((c, i) => {
    for (const g of c.items) {
      colOf.set(g.key, i);
      for (const ch of g.children) colOf.set(ch.key, i);
    }
  });
  const drawn = edges.filter((e) => colOf.has(e.from) && colOf.has(e.to) && colOf.get(e.to)! > colOf.get(e.from)!);
  // one lane above the boxes per source of column-skipping arrows
  const laneSources = [...new Set(drawn.filter((e) => colOf.get(e.to)! - colOf.get(e.from)! > 1).map((e) => e.from))];
  const top = MARGIN + HEADER + laneSources.length * LANE_GAP + (laneSources.length ? LANE_GAP : 0);

  const groups: LayoutNode[] = [];
  const boxes: LayoutNode[] = [];
  const byKey = new Map<string, LayoutNode>();
  const outColumns: TopologyLayout['columns'] = [];
  let x = MARGIN;
  let height = 0;
  let n = 0;
  for (const col of columns) {
    const short = (ls: string[]) => ls.map(shorten);
    const w = Math.ceil(Math.max(MIN_COL, col.title.length * CHAR, ...col.items.flatMap((g) => [textWidth(short(g.lines)) + 2 * PAD, ...g.children.map((c) => textWidth(short(c.lines)) + 4 * PAD)])));
    outColumns.push({ title: col.title, x, w });
    let y = top;
    for (const g of col.items) {
      const gh = boxHeight(g.lines.length) + g.children.reduce((a, c) => a + boxHeight(c.lines.length) + CHILD_GAP, 0) + (g.children.length ? PAD : 0);
      const group: LayoutNode = { id: `n${n++}`, kind: g.kind, x, y, w, h: gh, lines: short(g.lines), full: g.lines, ...(g.muted ? { muted: true } : {}) };
      groups.push(group);
      byKey.set(g.key, group);
      let cy = y + boxHeight(g.lines.length);
      for (const c of g.children) {
        const ch = boxHeight(c.lines.length);
        const box: LayoutNode = { id: `n${n++}`, kind: c.kind, x: x + PAD, y: cy, w: w - 2 * PAD, h: ch, lines: short(c.lines), full: c.lines, parent: group.id, ...(c.component ? { component: c.component } : {}), ...(c.muted ? { muted: true } : {}) };
        boxes.push(box);
        byKey.set(c.key, box);
        cy += ch + CHILD_GAP;
      }
      y += gh + GROUP_GAP;
    }
    height = Math.max(height, y - GROUP_GAP);
    x += w + COL_GAP;
  }
  const width = x - COL_GAP + MARGIN;

  const outEdges: LayoutEdge[] = drawn.map((e) => {
    const a = byKey.get(e.from)!;
    const b = byKey.get(e.to)!;
    const ca = colOf.get(e.from)!;
    const cb = colOf.get(e.to)!;
    // leave from the source column's right edge, arrive at the target's left edge, level with the first text lines
    const x1 = outColumns[ca]!.x + outColumns[ca]!.w;
    const y1 = a.y + Math.min(a.h / 2, ANCHOR);
    const x2 = b.x;
    const y2 = b.y + Math.min(b.h / 2, ANCHOR);
    const ax = a.x + a.w;
    if (cb - ca === 1) {
      const mid = (x1 + x2) / 2;
      return { from: e.from, to: e.to, dashed: e.dashed, d: `M${ax} ${y1} H${x1} C${mid} ${y1} ${mid} ${y2} ${x2} ${y2}` };
    }
    const lane = laneSources.indexOf(e.from);
    const ly = MARGIN + HEADER + lane * LANE_GAP + LANE_GAP / 2;
    const off = 10 + (lane % 6) * 6;
    const up = x1 + off;
    const down = x2 - off;
    return { from: e.from, to: e.to, dashed: e.dashed, d: `M${ax} ${y1} H${up} V${ly} H${down} V${y2} H${x2}` };
  });
  return { width: Math.ceil(width), height: Math.ceil(height + MARGIN), columns: outColumns, groups, boxes, edges: outEdges };
}

const r = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/** The SVG of one environment's topology; `idPrefix` keeps marker ids unique when several share a page. */
export function topologySvg(t: Topology, idPrefix = 'topo'): string {
  const l = layoutTopology(t);
  const marker = `${idPrefix}-arrow`;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="topology" width="${l.width}" height="${l.height}" viewBox="0 0 ${l.width} ${l.height}" role="img" aria-label="${esc(`topology of ${t.stack} in ${t.env.name}`)}" font-family="ui-monospace, Menlo, Consolas, 'DejaVu Sans Mono', monospace" font-size="${FONT}">`);
  out.push(`<defs><marker id="${marker}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" class="arrowhead"/></marker></defs>`);
  for (const c of l.columns) out.push(`<text class="col-title" x="${r(c.x)}" y="${MARGIN + FONT}">${esc(c.title)}</text>`);
  const node = (b: LayoutNode, cls: string) => {
    const attrs = `class="${cls} k-${b.kind}${b.muted ? ' muted' : ''}" data-kind="${b.kind}"${b.component ? ` data-component="${esc(b.component)}"` : ''}`;
    const text = b.lines.map((line, i) => `<text x="${r(b.x + PAD)}" y="${r(b.y + PAD / 2 + LINE * i + FONT)}"${i === 0 ? ' class="t1"' : ''}>${esc(line)}</text>`).join('');
    return `<g ${attrs}><title>${esc(b.full.join(' — '))}</title><rect x="${r(b.x)}" y="${r(b.y)}" width="${r(b.w)}" height="${r(b.h)}" rx="4"/>${text}</g>`;
  };
  for (const g of l.groups) out.push(node(g, 'group'));
  for (const b of l.boxes) out.push(node(b, 'box'));
  for (const e of l.edges) out.push(`<path class="edge${e.dashed ? ' dashed' : ''}" d="${e.d}" marker-end="url(#${marker})"/>`);
  out.push('</svg>');
  return out.join('\n');
}
