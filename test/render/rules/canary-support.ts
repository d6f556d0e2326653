// Shared by the canary rule tests and the canary's real-engine test: a definition with the canary on, promtool
// runs, and the alerts a rule file holds with what promtool expects of them when they fire.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { parse } from 'yaml';

import type { Stack } from '../../../src/model/schema.js';

export function withCanary(stack: Stack, o: Partial<NonNullable<Stack['canary']>> = {}): Stack {
  return { ...stack, canary: { enabled: true, interval: '30s', deadline: '2m', checkStorage: false, ...o } };
}

export function run(bin: string, args: string[]): { code: number; out: string } {
  try {
    return { code: 0, out: execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 }) };
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    return { code: err.status ?? 1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

type AlertRule = { alert: string; annotations: Record<string, string>; labels: Record<string, string> };

export function alertsOf(text: string): Map<string, AlertRule> {
  const doc = parse(text) as { groups: Array<{ rules: Array<Partial<AlertRule>> }> };
  return new Map(doc.groups.flatMap((g) => g.rules).filter((r): r is AlertRule => r.alert !== undefined).map((r) => [r.alert, r]));
}

/** What promtool expects of a firing alert: the rule's labels plus the series', annotations with $labels filled in. */
export function expected(rules: Map<string, AlertRule>, alert: string, labels: Record<string, string>) {
  const r = rules.get(alert);
  assert.ok(r, `rule ${alert} rendered`);
  const fill = (s: string) => s.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, k: string) => labels[k] ?? '');
  return { exp_labels: { ...r.labels, ...labels }, exp_annotations: Object.fromEntries(Object.entries(r.annotations).map(([k, v]) => [k, fill(v)])) };
}

