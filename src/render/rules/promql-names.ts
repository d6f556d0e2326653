/**
 * Metric names a PromQL expression reads, found by parsing it with @prometheus-io/lezer-promql (the grammar the
 * Prometheus web UI uses; 0.315 covers Prometheus 3.x syntax): every `Identifier` that is the metric name of a
 * `VectorSelector`. Grafana's template variables are replaced before parsing (`$__rate_interval` and friends by a
 * duration; `$var` only ever appears inside label-matcher strings here). Grafana's `label_values(selector, label)`
 * variable function is unwrapped to its selector.
 */
import { parser } from '@prometheus-io/lezer-promql';

export interface ParsedNames {
  names: string[];
  /** syntax errors (positions) — a query otelstack renders must have none */
  errors: string[];
}

const GRAFANA_DURATIONS = /\$\{?__(?:rate_interval|interval|range)(?:_ms|_s)?\}?/g;

function prepare(query: string): string {
  return query.replace(GRAFANA_DURATIONS, '5m');
}

/** Parsed queries, by text: dashboards repeat across environments and renders (bounded; cleared when full). */
const MEMO = new Map<string, ParsedNames>();
const MEMO_LIMIT = 4096;

/** Metric names read by one PromQL expression (or Grafana `label_values(...)` variable query). */
export function metricNamesOf(query: string): ParsedNames {
  const hit = MEMO.get(query);
  if (hit) return { names: [...hit.names], errors: [...hit.errors] };
  const r = parseNames(query);
  if (MEMO.size >= MEMO_LIMIT) MEMO.clear();
  MEMO.set(query, r);
  return { names: [...r.names], errors: [...r.errors] };
}

function parseNames(query: string): ParsedNames {
  let q = prepare(query.trim());
  if (q.startsWith('label_values(')) {
    // label_values(selector, label) reads the selector; label_values(label) reads no metric
    const two = /^label_values\(\s*(.+?)\s*,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)$/s.exec(q);
    if (!two) return { names: [], errors: /^label_values\(\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)$/.test(q) ? [] : [`unreadable variable query ${JSON.stringify(query)}`] };
    q = two[1]!;
  }
  const tree = parser.parse(q);
  const names = new Set<string>();
  const errors: string[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) errors.push(`syntax error at ${node.from} in ${JSON.stringify(query)}`);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') names.add(q.slice(node.from, node.to));
    },
  });
  return { names: [...names].sort(), errors };
}
