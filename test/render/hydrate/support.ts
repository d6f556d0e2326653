// The real helm for the --hydrate tests, and our own chart fixture staged under the name and version an Application
// pins. A missing helm FAILS the tests (like test/e2e/support/peers.ts), naming the installer to run.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ROOT } from '../../support/paths.js';

export const FIXTURE_CHART = join(ROOT, 'test', 'fixtures', 'charts', 'otelstack-fixture');

function executable(p: string | undefined): p is string {
  if (!p) return false;
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** HELM_BIN, else the installer's location ($OTELSTACK_CACHE/bin/helm), else helm on PATH; throws when none. */
export function helmBin(): string {
  const env = process.env['HELM_BIN'];
  const dflt = join(process.env['OTELSTACK_CACHE'] || join(homedir(), '.cache', 'otelstack'), 'bin', 'helm');
  if (executable(env)) return env;
  if (executable(dflt)) return dflt;
  const onPath = (process.env['PATH'] ?? '').split(delimiter).map((d) => join(d, 'helm')).find(executable);
  if (onPath) return onPath;
  throw new Error(
    `render --hydrate tests: no helm binary (HELM_BIN=${env ? JSON.stringify(env) : 'unset'}; ${dflt} missing; none on PATH) — ` +
      'these tests run the real `helm template`. Install it with `bash scripts/peers/install-all.sh helm`, then `source scripts/peers/env.sh` and run the tests again.',
  );
}

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
