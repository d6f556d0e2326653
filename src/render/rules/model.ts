/**
 * Prometheus rule files as data (Prometheus 3.7 documentation, "Alerting rules" / "Recording rules": a file holds
 * `groups`, each with a name, an optional evaluation interval and its rules). The same file is what
 * `promtool check rules` checks and what Mimir's ruler accepts per tenant and namespace (`mimirtool rules load`).
 */
import { stringify } from 'yaml';

export interface AlertingRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: 'critical' | 'warning' | 'info' } & Record<string, string>;
  annotations: { summary: string; description: string } & Record<string, string>;
}

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export type Rule = AlertingRule | RecordingRule;

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Rule[];
}

export interface RuleFile {
  groups: RuleGroup[];
}

export function isAlert(r: Rule): r is AlertingRule {
  return 'alert' in r;
}

/** Every PromQL expression of a rule file, with where it is (for tests and lints). */
export function expressionsOf(file: RuleFile): Array<{ where: string; expr: string }> {
  return file.groups.flatMap((g) => g.rules.map((r) => ({ where: `${g.name}/${isAlert(r) ? r.alert : r.record}`, expr: r.expr })));
}

/** Names the recording rules of a file define (series a query may use besides the catalog's families). */
export function recordedNames(file: RuleFile): Set<string> {
  return new Set(file.groups.flatMap((g) => g.rules.filter((r): r is RecordingRule => !isAlert(r)).map((r) => r.record)));
}

/**
 * YAML in the rule-file field order a reader expects (group: name, interval, rules; rule: alert|record, expr, for,
 * labels, annotations) — not sorted alphabetically, but deterministic: order comes from the code, label and
 * annotation maps are sorted.
 */
export function ruleFileYaml(file: RuleFile, header: string): string {
  const sortMap = (m: Record<string, string> | undefined) => (m ? Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : undefined);
  const doc = {
    groups: file.groups.map((g) => ({
      name: g.name,
      ...(g.interval ? { interval: g.interval } : {}),
      rules: g.rules.map((r) =>
        isAlert(r)
          ? { alert: r.alert, expr: r.expr, for: r.for, labels: sortMap(r.labels), annotations: sortMap(r.annotations) }
          : { record: r.record, expr: r.expr, ...(r.labels ? { labels: sortMap(r.labels) } : {}) },
      ),
    })),
  };
  const body = stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
  return `${header
    .split('\n')
    .map((l) => `# ${l}`.trimEnd())
    .join('\n')}\n${body}`;
}
