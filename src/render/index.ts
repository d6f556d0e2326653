import type { Stack, Target } from '../model/schema.js';
import type { Finding } from '../plan/findings.js';
import type { Topology } from '../topology/types.js';
import { renderAnsible } from './ansible/index.js';
import { renderCompose } from './compose/index.js';
import { renderAlloyConfigs } from './configs/alloy.js';
import { renderFaroSdkSnippets } from './configs/faro-sdk.js';
import { mergeFileSets, type FileSet } from './fileset.js';
import { renderKubernetes, renderKubernetesAll } from './kubernetes/index.js';
import { renderTopology } from './topology.js';
import type { Renderer } from './types.js';

/**
 * One renderer per deployment target. The plan's target-renderer rule refuses a target without one (its
 * RENDERED_TARGETS names the keys here); the finding below is only the renderer's internal guard.
 */
export const RENDERERS: Partial<Record<Target, Renderer>> = {
  kubernetes: renderKubernetes,
  compose: renderCompose,
  ansible: renderAnsible,
};

export interface RenderAllResult {
  files: FileSet;
  findings: Finding[];
  environments: string[];
  /**
   * Which selected environments produce each file, for the manifest: a file of dev's render is dev's; a file every
   * environment renders (kubernetes/shared/…, an ApplicationSet, the shared Alloy's config) is theirs together; a
   * file only the combined render produces belongs to every selected environment. The same answer as rendering
   * each environment alone (src/render/output/owners.ts), without rendering twice.
   */
  owners: Map<string, string[]>;
  /** `--phase N` when given (every environment rendered at phase N); undefined = each environment's currentPhase */
  phase?: number;
}

/**
 * Renders every selected environment with the renderer of its own target (each environment says where it runs);
 * `target` narrows to environments of that target; each environment renders only the phases it has reached
 * (`phase`, else its currentPhase: src/render/topology.ts). Pure: nothing touches the disk here.
 */
export function renderStack(stack: Stack, opts: { target?: Target | 'all'; env?: string; phase?: number } = {}): RenderAllResult {
  const envs = stack.environments.filter((e) => (!opts.env || e.name === opts.env) && (!opts.target || opts.target === 'all' || e.target === opts.target));
  const sets: FileSet[] = [];
  const findings: Finding[] = [];
  const owned = new Map<string, Set<string>>();
  const own = (env: string, files: Iterable<string>) => {
    for (const p of files) owned.set(p, (owned.get(p) ?? new Set()).add(env));
  };
  // ApplicationSet style: one ApplicationSet per engine across the selected Kubernetes environments, rendered once
  const appSets = stack.kubernetes.argocd.style === 'applicationset';
  const kubernetesTopologies: Topology[] = [];
  for (const e of envs) {
    if (appSets && e.target === 'kubernetes') {
      kubernetesTopologies.push(renderTopology(stack, e.name, opts.phase));
      continue;
    }
    const renderer = RENDERERS[e.target];
    if (!renderer) {
      findings.push({ severity: 'error', rule: 'target-renderer', env: e.name, path: `environments[${stack.environments.indexOf(e)}].target`, message: `the ${e.target} target has no renderer`, suggestion: 'use target kubernetes, compose or ansible' });
      continue;
    }
    const r = renderer({ stack, topology: renderTopology(stack, e.name, opts.phase), ...(opts.phase !== undefined ? { phase: opts.phase } : {}) });
    own(e.name, r.files.keys());
    sets.push(r.files);
    findings.push(...r.findings);
  }
  // the parts rendered over several environments at once: each environment owns what it renders alone
  const byEnvironment = (topologies: Topology[], combined: FileSet, alone: (t: Topology) => FileSet): void => {
    for (const t of topologies) own(t.env.name, (topologies.length === 1 ? combined : alone(t)).keys());
  };
  if (kubernetesTopologies.length > 0) {
    const r = renderKubernetesAll(stack, kubernetesTopologies, opts.phase);
    sets.push(r.files);
    findings.push(...r.findings);
    byEnvironment(kubernetesTopologies, r.files, (t) => renderKubernetesAll(stack, [t], opts.phase).files);
  }
  // The shared Alloy's config as a plain file too, for review (seed 000: "Alloy config diff reviewed and merged").
  if (stack.ingestion?.collector === 'alloy' && envs.length > 0) {
    const topologies = envs.map((e) => renderTopology(stack, e.name, opts.phase));
    const r = renderAlloyConfigs(stack, topologies);
    sets.push(r.files);
    byEnvironment(topologies, r.files, (t) => renderAlloyConfigs(stack, [t]).files);
  }
  // the tenants' Faro SDK configuration snippets (seed 003 level 1), one per tenant and environment
  for (const e of envs) {
    const snippets = renderFaroSdkSnippets(stack, renderTopology(stack, e.name, opts.phase));
    own(e.name, snippets.keys());
    sets.push(snippets);
  }
  const files = mergeFileSets(...sets);
  const environments = envs.map((e) => e.name);
  const owners = new Map<string, string[]>();
  for (const p of files.keys()) {
    const o = owned.get(p);
    owners.set(p, o ? environments.filter((e) => o.has(e)) : [...environments]);
  }
  return { files, findings, environments, owners, ...(opts.phase !== undefined ? { phase: opts.phase } : {}) };
}
