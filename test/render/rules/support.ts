// Shared by the rules and grafana tests: the examples rendered through renderStack, the rule files they contain,
// and the real promtool.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadStack } from '../../../src/model/load.js';
import type { Stack } from '../../../src/model/schema.js';
import { renderStack, type RenderAllResult } from '../../../src/render/index.js';
import { ROOT } from '../../support/paths.js';

export const EXAMPLES = ['dts', 'single-node', 'scalable'] as const;

export async function example(name: string): Promise<Stack> {
  return (await loadStack(join(ROOT, 'examples', name))).stack;
}

export function render(stack: Stack): RenderAllResult {
  return renderStack(stack, { target: 'all' });
}

/** Rule files of a render: compose files as they are, Kubernetes ones out of their ConfigMaps. Key: env. */
export function ruleFiles(r: RenderAllResult): Map<string, { path: string; text: string }> {
  const out = new Map<string, { path: string; text: string }>();
  for (const [path, text] of r.files) {
    let m = /^compose\/([^/]+)\/rules\/[^/]+\.rules\.yaml$/.exec(path);
    if (m) {
      out.set(m[1]!, { path, text });
      continue;
    }
    m = /^kubernetes\/([^/]+)\/rules\/configmap\.yaml$/.exec(path);
    if (m) {
      const cm = parse(text) as { data: Record<string, string> };
      const keys = Object.keys(cm.data);
      assert.equal(keys.length, 1, `${path}: one rule file per ConfigMap`);
      out.set(m[1]!, { path: `${path}#${keys[0]}`, text: cm.data[keys[0]!]! });
    }
  }
  return out;
}

/** The real promtool (Debian's prometheus package, linked by scripts/peers/prometheus.sh); fails when missing. */
export function promtool(): string {
  const cache = process.env['OTELSTACK_CACHE'] ?? join(homedir(), '.cache', 'otelstack');
  const candidates = [process.env['PROMTOOL_BIN'], join(cache, 'bin', 'promtool')].filter((x): x is string => !!x);
  const found = candidates.find((p) => existsSync(p));
  assert.ok(found, `promtool not found (looked at ${candidates.join(', ')}): run scripts/peers/install-all.sh (or scripts/peers/prometheus.sh), or set PROMTOOL_BIN`);
  return found;
}
