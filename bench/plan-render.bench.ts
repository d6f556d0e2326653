/**
 * `npm run bench`: median wall time of planning every environment of examples/dts, repeated in-process; then the
 * CLI's cold start as processes: `otelstack --version` and `otelstack render examples/dts --target kubernetes`
 * (with the code cache an earlier run left, and as the first run with an empty one) against a cold `node -e ''`
 * measured in the same run (interleaved, so machine load hits all alike), as medians and ratios. Targets (issue 14 §5): --version under 0.15 s, the render under 0.5 s on an idle machine.
 * Prints figures; asserts nothing (speed targets live here, never in tests).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadStack } from '../src/model/load.js';
import { buildPlan } from '../src/plan/index.js';
import { renderPlan } from '../src/plan/report.js';
import { renderStack } from '../src/render/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const runs = Number(process.env['BENCH_RUNS'] ?? 200);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function bench(name: string, fn: () => unknown): Promise<void> {
  for (let i = 0; i < 10; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  const p = (q: number) => [...times].sort((a, b) => a - b)[Math.floor(times.length * q)]!;
  console.log(`${name.padEnd(44)} median ${median(times).toFixed(2)} ms   p90 ${p(0.9).toFixed(2)} ms   (${runs} runs)`);
}

const t0 = performance.now();
const dts = await loadStack(`${root}examples/dts`);
console.log(`${'load examples/dts/stack.ts (esbuild, first load)'.padEnd(44)} ${(performance.now() - t0).toFixed(1)} ms`);
const asWritten = await loadStack(`${root}examples/dts/as-written`);

await bench('plan examples/dts (all environments)', () => buildPlan(dts.stack, dts.file));
await bench('plan + table report examples/dts', () => renderPlan(buildPlan(dts.stack, dts.file), 'table'));
await bench('plan examples/dts/as-written', () => buildPlan(asWritten.stack, asWritten.file));

const single = await loadStack(`${root}examples/single-node`);
const scalable = await loadStack(`${root}examples/scalable`);
await bench('render examples/dts (all environments, kubernetes)', () => renderStack(dts.stack));
await bench('render examples/single-node + scalable (compose)', () => { renderStack(single.stack); renderStack(scalable.stack); });

// cold starts, as a user meets them: a new process each time; the render once with an empty code cache (the first
// run of a command after installing or building: src/cli/code-cache.ts) and once with the cache its first run left
const coldRuns = Number(process.env['BENCH_COLD_RUNS'] ?? 10);
const bin = `${root}bin/otelstack.js`;
const out = mkdtempSync(join(tmpdir(), 'otelstack-bench-'));
const wall = (args: string[], codeCache: string): number => {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'ignore', env: { ...process.env, OTELSTACK_CODE_CACHE: codeCache } });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  return performance.now() - t;
};
const render = (i: number | string) => [bin, 'render', 'examples/dts', '--target', 'kubernetes', '--out', join(out, `out-${i}`)];
const cold: Record<'node' | 'version' | 'first' | 'cached', number[]> = { node: [], version: [], first: [], cached: [] };
try {
  const warm = join(out, 'cache-warm');
  wall(render('warm'), warm);
  for (let i = 0; i < coldRuns; i++) {
    cold.node.push(wall(['-e', ''], 'off'));
    cold.version.push(wall([bin, '--version'], 'off'));
    cold.first.push(wall(render(`first-${i}`), join(out, `cache-empty-${i}`)));
    cold.cached.push(wall(render(`cached-${i}`), warm));
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
const base = median(cold.node);
console.log(`${"cold node -e ''".padEnd(56)} median ${base.toFixed(0)} ms   (${coldRuns} runs)`);
for (const [name, xs] of [
  ['cold otelstack --version', cold.version],
  ['cold otelstack render examples/dts (kubernetes), code cache', cold.cached],
  ['  … its first run (empty code cache)', cold.first],
] as const) {
  console.log(`${name.padEnd(56)} median ${median(xs).toFixed(0)} ms   ${(median(xs) / base).toFixed(1)}× node -e ''`);
}
