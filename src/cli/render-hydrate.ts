import pc from 'picocolors';
import type { Stack } from '../model/schema.js';
import { mergeFileSets } from '../render/fileset.js';
import { hydrate, type HydratedRelease, type HydrateFinding } from '../render/hydrate/index.js';
import type { RenderAllResult } from '../render/index.js';
import { renderTopology } from '../render/topology.js';
import { UsageError } from './errors.js';

export interface HydrateCliResult {
  /** error findings: the command exits 1 (files are still written, so the hydrated manifests can be read) */
  failed: boolean;
  /** merged into the command's --json object */
  json: { hydrate: { releases: HydratedRelease[]; findings: HydrateFinding[] } };
}

/**
 * `render --hydrate [--charts <dir>]`: templates every rendered Application with the real helm and adds the
 * manifests to `r.files` (so they are written, or checked, with everything else). Bad input → UsageError (exit 2,
 * nothing written). Findings go to stderr like the renderers' findings, with what was expected and found.
 */
export async function hydrateForCli(stack: Stack, r: RenderAllResult, opts: { hydrate?: boolean; charts?: string }): Promise<HydrateCliResult | undefined> {
  if (!opts.hydrate) {
    if (opts.charts) throw new UsageError('--charts is only used with --hydrate', 'add --hydrate, or drop --charts');
    return undefined;
  }
  const h = await hydrate(stack, r.files, r.environments.map((e) => renderTopology(stack, e, r.phase)), opts.charts ? { chartsDir: opts.charts } : {});
  if (h.inputErrors.length > 0) {
    throw new UsageError(`render --hydrate cannot run; nothing was written:\n${h.inputErrors.map((e) => `- ${e.message}`).join('\n')}`, h.inputErrors.map((e) => e.suggestion).join('\n  suggestion: '));
  }
  r.files = mergeFileSets(r.files, h.files);
  for (const f of h.findings) {
    process.stderr.write(`${f.severity} [${f.rule}]${f.env ? ` ${f.env}` : ''} ${f.engine} ${f.workload} at ${f.path}: ${f.message}\n  expected: ${f.expected}\n  found:    ${f.found}\n  → ${f.suggestion}\n`);
  }
  const errors = h.findings.filter((f) => f.severity === 'error').length;
  process.stderr.write(`${errors ? pc.red('hydrate') : pc.green('hydrate')}: helm template of ${h.releases.length} release(s), ${h.releases.reduce((s, x) => s + x.workloads, 0)} workload(s) checked against the plan: ${errors} error finding(s), ${h.findings.length - errors} other\n`);
  return { failed: errors > 0, json: { hydrate: { releases: h.releases, findings: h.findings } } };
}
