// The real helm for the --hydrate tests, and our own chart fixture staged under the name and version an Application
// pins. A missing helm FAILS the tests (like test/e2e/support/peers.ts), naming the installer to run.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ROOT } from '../../support/paths.js';
import { helmBin } from '../../e2e/support/peers.js';

export const FIXTURE_CHART = join(ROOT, 'test', 'fixtures', 'charts', 'otelstack-fixture');


export { helmBin };

/** Copies the fixture to `<dir>/<name>/` with Chart.yaml saying `name` and `version`; returns the chart directory. */
export function stageChart(dir: string, name: string, version: string): string {
  const dest = join(dir, name);
  mkdirSync(dir, { recursive: true });
  cpSync(FIXTURE_CHART, dest, { recursive: true });
  const meta = parse(readFileSync(join(dest, 'Chart.yaml'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dest, 'Chart.yaml'), stringify({ ...meta, name, version }));
  return dest;
}

/** `helm package` of a staged chart into `dest` (→ <name>-<version>.tgz, the layout of Helm's repository cache). */
export function packageChart(chartDir: string, dest: string): void {
  mkdirSync(dest, { recursive: true });
  const r = spawnSync(helmBin(), ['package', chartDir, '-d', dest], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`helm package ${chartDir} failed: ${r.stderr}`);
}
