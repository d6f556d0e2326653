/**
 * Small PromQL text helpers shared by the rules and the dashboards. Queries are short and built from catalog names;
 * a builder library (e.g. @grafana/promql-builder) would add a dependency for what is string assembly of three
 * shapes (selector, rate, ratio), so they are written here with label values escaped as PromQL strings.
 */

export type Matchers = Record<string, string | { re: string } | { ne: string } | { nre: string }>;

/** A PromQL string literal (double quotes; JSON escaping is a subset of PromQL's Go-style escapes). */
export function str(value: string): string {
  return JSON.stringify(value);
}

/** `metric{a="x",b=~"y"}` with matchers in key order (deterministic). */
export function sel(metric: string, matchers: Matchers = {}): string {
  const parts = Object.keys(matchers)
    .sort()
    .map((k) => {
      const m = matchers[k]!;
      if (typeof m === 'string') return `${k}=${str(m)}`;
      if ('re' in m) return `${k}=~${str(m.re)}`;
      if ('ne' in m) return `${k}!=${str(m.ne)}`;
      return `${k}!~${str(m.nre)}`;
    });
  return parts.length ? `${metric}{${parts.join(',')}}` : metric;
}

/** `sum by (l1, l2) (expr)`; no labels → `sum(expr)`. */
export function sumBy(labels: readonly string[], expr: string, op = 'sum'): string {
  return labels.length ? `${op} by (${labels.join(', ')}) (${expr})` : `${op}(${expr})`;
}

export function rate(selector: string, window: string): string {
  return `rate(${selector}[${window}])`;
}

/** Regex alternation matching any of the values exactly (regex metacharacters escaped). */
export function anyOf(values: readonly string[]): string {
  return values.map((v) => v.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|');
}
