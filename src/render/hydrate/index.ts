/**
 * `render --hydrate`: for every Helm release the rendered ArgoCD objects install, run the real `helm template` on
 * the chart the Application pins (from a local charts directory or Helm's repository cache), keep the final
 * manifests beside the values (kubernetes/<env>/hydrated/<engine>.yaml, in the same FileSet, so they are written
 * atomically with the rest or diffed by --check), and check what the cluster will really get against the plan.
 *
 * Bad input (no helm, a chart missing or at another version, a chart whose dependencies are not vendored) is
 * returned in `inputErrors`, all of them at once, before anything is templated: the CLI exits 2 and writes nothing.
 * A chart refusing our values, or deploying other than planned, is a finding.
 */
import type { Stack } from '../../model/schema.js';
import type { Topology } from '../../topology/types.js';
import type { FileSet } from '../fileset.js';
import { describeLookupFailure, helmRepositoryCache, locateChart, type ChartLocation } from './charts.js';
import { checkWorkloads, HYDRATE_RULES, type HydrateFinding } from './checks.js';
import { DEFAULT_KUBE_VERSION, findHelm, helmTemplate } from './helm.js';
import { parseManifests } from './manifests.js';
import { releasesOf, type HelmRelease } from './releases.js';

export { checkWorkloads, componentOf, HYDRATE_RULES, type HydrateFinding } from './checks.js';
export { parseManifests, type Workload } from './manifests.js';
export { releasesOf, type HelmRelease } from './releases.js';
export { locateChart, helmRepositoryCache } from './charts.js';
export { findHelm, helmTemplate, DEFAULT_KUBE_VERSION } from './helm.js';

export interface HydrateOptions {
  /** a directory of `<chart>/` or `<chart>-<version>.tgz`; default: Helm's repository cache */
  chartsDir?: string;
  /** environment for HELM_BIN / PATH / Helm's cache variables (default process.env) */
  env?: NodeJS.ProcessEnv;
  kubeVersion?: string;
}

export interface HydratedRelease {
  env?: string;
  engine: string;
  release: string;
  chart: string;
  version: string;
  namespace: string;
  /** where the chart was found */
  chartPath: string;
  /** the hydrated manifests' path in the FileSet; undefined when helm refused the values */
  path?: string;
  workloads: number;
  findings: number;
}

export interface HydrateInputError {
  message: string;
  suggestion: string;
}

export interface HydrateResult {
  files: FileSet;
  findings: HydrateFinding[];
  releases: HydratedRelease[];
  inputErrors: HydrateInputError[];
}

function header(r: HelmRelease, kubeVersion: string): string {
  return (
    `# Hydrated by otelstack render --hydrate: helm template ${r.release} ${r.chart} --version ${r.version} ` +
    `--namespace ${r.namespace} --kube-version ${kubeVersion} -f <values of ${r.source}>\n`
  );
}

/** Dependencies declared in Chart.yaml but not vendored under charts/: the chart on disk is incomplete (bad input). */
const MISSING_DEPENDENCIES = /found in Chart\.yaml, but missing in charts\/ directory/;

export async function hydrate(stack: Stack, files: FileSet, topologies: readonly Topology[], opts: HydrateOptions = {}): Promise<HydrateResult> {
  const env = opts.env ?? process.env;
  const kubeVersion = opts.kubeVersion ?? DEFAULT_KUBE_VERSION;
  const out: HydrateResult = { files: new Map(), findings: [], releases: [], inputErrors: [] };
  const { releases, problems } = releasesOf(files);
  for (const p of problems) out.inputErrors.push({ message: `${p.source}: ${p.message}`, suggestion: 'render again without editing the output; this is an otelstack bug if it persists' });
  if (releases.length === 0 && problems.length === 0) {
    out.inputErrors.push({ message: '--hydrate: no ArgoCD Application or ApplicationSet was rendered, so there is no Helm release to template', suggestion: 'use --hydrate with Kubernetes environments whose engines are managed by otelstack' });
  }

  const helm = findHelm(env);
  if (!helm.ok) out.inputErrors.push({ message: `--hydrate needs the helm binary; looked at ${helm.looked.join(', ')}`, suggestion: 'install Helm 3 (for this repository: bash scripts/peers/install-all.sh helm && source scripts/peers/env.sh), or set HELM_BIN' });

  // locate every chart first: all missing ones are reported together, and nothing is templated with one missing
  const where = opts.chartsDir ?? helmRepositoryCache(env);
  const located = new Map<string, ChartLocation>();
  for (const key of [...new Set(releases.map((r) => `${r.chart}@${r.version}`))].sort()) {
    const [chart, version] = key.split('@') as [string, string];
    const found = await locateChart(chart, version, { ...(opts.chartsDir ? { chartsDir: opts.chartsDir } : {}), env });
    if (found.ok) located.set(key, found.location);
    else {
      const users = releases.filter((r) => r.chart === chart && r.version === version).map((r) => r.source);
      out.inputErrors.push({
        message: `${describeLookupFailure(found)}\n  (needed by ${users.join(', ')})`,
        suggestion: found.wrongVersions.length
          ? `put ${chart} ${version} there (helm pull <repo>/${chart} --version ${version} -d ${where}); otelstack's values are written for ${version} only`
          : opts.chartsDir
            ? `put the chart at ${opts.chartsDir}/${chart}/ or ${opts.chartsDir}/${chart}-${version}.tgz`
            : `helm pull <repo>/${chart} --version ${version} -d ${where}, or pass --charts <dir> with ${chart}/ or ${chart}-${version}.tgz`,
      });
    }
  }
  if (out.inputErrors.length > 0 || !helm.ok) return out;

  for (const r of releases) {
    const loc = located.get(`${r.chart}@${r.version}`)!;
    const t = r.env ? topologies.find((x) => x.env.name === r.env) : undefined;
    const deployment = t?.engines.find((e) => e.engine === r.engine);
    const definitionPath = deployment?.definitionPath ?? `signals (${r.engine})`;
    const summary: HydratedRelease = { ...(r.env ? { env: r.env } : {}), engine: r.engine, release: r.release, chart: r.chart, version: r.version, namespace: r.namespace, chartPath: loc.path, workloads: 0, findings: 0 };
    out.releases.push(summary);
    const res = await helmTemplate(helm.bin, { release: r.release, chartPath: loc.path, version: r.version, namespace: r.namespace, values: r.values, kubeVersion });
    if (!res.ok) {
      if (MISSING_DEPENDENCIES.test(res.stderr)) {
        out.inputErrors.push({ message: `chart ${r.chart} ${r.version} at ${loc.path} is incomplete: ${res.stderr}`, suggestion: `run \`helm dependency build ${loc.path}\`, or use the packaged chart (${r.chart}-${r.version}.tgz) which carries its dependencies` });
        continue;
      }
      // helm's own words, without its generic "Use --debug flag to render out invalid YAML" hint
      const said = res.stderr.replace(/\n+Use --debug flag to render out invalid YAML\s*$/, '');
      out.findings.push({
        severity: 'error',
        rule: HYDRATE_RULES.template,
        ...(r.env ? { env: r.env } : {}),
        path: definitionPath,
        engine: r.engine,
        workload: `release ${r.release}`,
        message: `${r.engine}${r.env ? ` (${r.env})` : ''}: helm template of ${r.chart} ${r.version} refuses the rendered values (${r.source}): ${said}`,
        suggestion: 'ArgoCD cannot sync this Application; fix the values (a key the chart dereferences may be missing)',
        expected: 'the chart templates the values',
        found: said.split('\n')[0] ?? said,
      });
      summary.findings = 1;
      continue;
    }
    const parsed = parseManifests(res.manifests);
    out.files.set(r.hydratedPath, header(r, kubeVersion) + res.manifests);
    summary.path = r.hydratedPath;
    summary.workloads = parsed.workloads.length;
    const fs = checkWorkloads({
      topology: t,
      policy: t?.policy ?? { cpuLimits: [...stack.policy.cpuLimits], memoryLimits: [...stack.policy.memoryLimits] },
      engine: r.engine,
      release: r.release,
      ...(r.env ? { env: r.env } : {}),
      definitionPath,
      workloads: parsed.workloads,
    });
    for (const e of parsed.errors) {
      fs.push({ severity: 'error', rule: HYDRATE_RULES.template, ...(r.env ? { env: r.env } : {}), path: definitionPath, engine: r.engine, workload: `release ${r.release}`, message: `helm template output of ${r.chart} ${r.version} is not valid YAML: ${e}`, suggestion: 'inspect the hydrated file', expected: 'valid YAML', found: e });
    }
    summary.findings = fs.length;
    out.findings.push(...fs);
  }
  return out;
}
