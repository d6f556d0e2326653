/**
 * Follows targets and series through a parsed Alloy configuration (test/support/alloy-parser.ts), with Prometheus
 * relabelling semantics (Alloy v1.12 discovery.relabel / prometheus.relabel `rule`: source_labels joined by
 * `separator` (default ";"), fully anchored RE2 `regex` (default "(.*)"), `replacement` (default "$1"), actions
 * replace (default), keep, drop). Enough to prove that a synthetic pod, node or Alloy target reaches a
 * prometheus.scrape, and that the series it scrapes reach a prometheus.remote_write endpoint.
 */
import { AlloyRef, type AlloyBody, type AlloyValue, type ComponentGraph, type ComponentNode } from './alloy-parser.js';

export type Labels = Record<string, string>;

function strOf(v: AlloyValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Applies the `rule` blocks of a relabel body; undefined = dropped. */
export function relabel(body: AlloyBody, input: Labels): Labels | undefined {
  let labels: Labels = { ...input };
  for (const r of body.blocks.filter((b) => b.name === 'rule')) {
    const src = (r.attrs.get('source_labels') as AlloyValue[] | undefined)?.map((x) => String(x)) ?? [];
    const sep = strOf(r.attrs.get('separator')) ?? ';';
    const re = new RegExp(`^(?:${strOf(r.attrs.get('regex')) ?? '(.*)'})$`);
    const action = strOf(r.attrs.get('action')) ?? 'replace';
    const value = src.map((l) => labels[l] ?? '').join(sep);
    const m = re.exec(value);
    if (action === 'keep') {
      if (!m) return undefined;
    } else if (action === 'drop') {
      if (m) return undefined;
    } else if (action === 'replace') {
      const target = strOf(r.attrs.get('target_label'));
      if (!m || !target) continue;
      const out = (strOf(r.attrs.get('replacement')) ?? '$1').replace(/\$(\d+)/g, (_, i: string) => m[Number(i)] ?? '');
      labels = { ...labels };
      if (out === '') delete labels[target];
      else labels[target] = out;
    } else throw new Error(`relabel action ${action} is not simulated`);
  }
  return labels;
}

const refOf = (v: AlloyValue | undefined): AlloyRef | undefined => (v instanceof AlloyRef ? v : undefined);
const idOf = (r: AlloyRef) => r.path.slice(0, -1).join('.');

/**
 * The targets a `targets` reference yields, given the synthetic targets of each source component (discovery.kubernetes,
 * prometheus.exporter.*), through every discovery.relabel in between.
 */
export function targetsVia(g: ComponentGraph, ref: AlloyRef, source: (c: ComponentNode) => Labels[]): Labels[] {
  const c = g.components.get(idOf(ref));
  if (!c) throw new Error(`no component ${idOf(ref)}`);
  if (c.type === 'discovery.relabel') {
    const up = refOf(c.block.attrs.get('targets'));
    if (!up) throw new Error(`${c.id}: targets is not a reference`);
    return targetsVia(g, up, source).flatMap((t) => {
      const out = relabel(c.block, t);
      return out ? [out] : [];
    });
  }
  return source(c);
}

/** Remote-write URLs (with their headers) a series sent to `receivers` reaches, through prometheus.relabel chains. */
export function deliveries(g: ComponentGraph, receivers: AlloyValue | undefined, series: Labels): Array<{ url: string; headers: Labels; labels: Labels }> {
  const out: Array<{ url: string; headers: Labels; labels: Labels }> = [];
  for (const v of (receivers as AlloyValue[] | undefined) ?? []) {
    const r = refOf(v);
    if (!r) continue;
    const c = g.components.get(idOf(r))!;
    if (c.type === 'prometheus.remote_write') {
      for (const e of c.block.blocks.filter((b) => b.name === 'endpoint')) {
        out.push({ url: String(e.attrs.get('url')), headers: (e.attrs.get('headers') as Labels | undefined) ?? {}, labels: series });
      }
    } else if (c.type === 'prometheus.relabel') {
      const kept = relabel(c.block, series);
      if (kept) out.push(...deliveries(g, c.block.attrs.get('forward_to'), kept));
    } else throw new Error(`${c.id}: not a metrics receiver this simulation follows`);
  }
  return out;
}

/**
 * Every series `metric` scraped by any prometheus.scrape from the synthetic sources, as delivered to remote_write:
 * target labels (without `__` labels) plus `job` (the scrape's job_name when relabelling set none) and `__name__`.
 * `accept` filters scrapes (e.g. by metrics_path / scheme); `own` are labels the exposed series carries itself (the
 * kubelet's `namespace`), which target labels override (honor_labels false).
 */
export function scrapedSeries(
  g: ComponentGraph,
  metric: string,
  source: (c: ComponentNode) => Labels[],
  accept: (scrape: ComponentNode) => boolean = () => true,
  own: Labels = {},
): Array<{ scrape: string; url: string; headers: Labels; labels: Labels }> {
  const out: Array<{ scrape: string; url: string; headers: Labels; labels: Labels }> = [];
  for (const c of g.components.values()) {
    if (c.type !== 'prometheus.scrape' || !accept(c)) continue;
    const t = refOf(c.block.attrs.get('targets'));
    if (!t) continue;
    for (const target of targetsVia(g, t, source)) {
      const labels: Labels = { ...own, ...Object.fromEntries(Object.entries(target).filter(([k]) => !k.startsWith('__'))) };
      labels['job'] ??= strOf(c.block.attrs.get('job_name')) ?? `prometheus.scrape.${c.label}`;
      labels['__name__'] = metric;
      for (const d of deliveries(g, c.block.attrs.get('forward_to'), labels)) out.push({ scrape: c.id, ...d });
    }
  }
  return out;
}
