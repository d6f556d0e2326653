/**
 * The Helm releases ArgoCD will install, read back from the rendered files (not recomputed from the topology): each
 * Application's `spec.source` (chart, targetRevision, helm.releaseName, helm.valuesObject) and destination namespace,
 * or each ApplicationSet list element (env, namespace, release, chart, targetRevision, values as a YAML string).
 * What is hydrated is exactly what the cluster would be given. Pure.
 */
import type { IApplication, IApplicationSet } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import { parse } from 'yaml';
import type { FileSet } from '../fileset.js';
import { toYaml } from '../fileset.js';

export interface HelmRelease {
  /** environment (label otelstack.io/environment or the ApplicationSet element's env); undefined: a stack-wide release */
  env?: string;
  /** otelstack engine id (label otelstack.io/engine) */
  engine: string;
  release: string;
  repository: string;
  chart: string;
  version: string;
  namespace: string;
  /** the values ArgoCD hands to helm, as YAML */
  values: string;
  /** the rendered file this release was read from */
  source: string;
  /** where its hydrated manifests go: beside the values, kubernetes/<env|shared>/hydrated/<engine>.yaml */
  hydratedPath: string;
}

export interface ReleaseProblem {
  source: string;
  message: string;
}

const ENV_LABEL = 'otelstack.io/environment';
const ENGINE_LABEL = 'otelstack.io/engine';

function hydratedPath(env: string | undefined, engine: string): string {
  return `kubernetes/${env ?? 'shared'}/hydrated/${engine}.yaml`;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function fromApplication(path: string, app: IApplication, problems: ReleaseProblem[]): HelmRelease | undefined {
  const src = app.spec?.source;
  const labels = app.metadata?.labels ?? {};
  const engine = str(labels[ENGINE_LABEL]);
  const env = str(labels[ENV_LABEL]);
  const chart = str(src?.chart);
  const version = str(src?.targetRevision);
  const namespace = str(app.spec?.destination?.namespace);
  const release = str(src?.helm?.releaseName) ?? str(app.metadata?.name);
  if (!engine || !chart || !version || !namespace || !release || !src) {
    problems.push({ source: path, message: `Application ${app.metadata?.name ?? '?'} lacks ${[!engine && `label ${ENGINE_LABEL}`, !chart && 'spec.source.chart', !version && 'spec.source.targetRevision', !namespace && 'spec.destination.namespace', !release && 'a release name'].filter(Boolean).join(', ')}` });
    return undefined;
  }
  const helm = src.helm;
  const values = helm?.valuesObject !== undefined ? toYaml(helm.valuesObject) : (helm?.values ?? '');
  return { ...(env ? { env } : {}), engine, release, repository: src.repoURL, chart, version, namespace, values, source: path, hydratedPath: hydratedPath(env, engine) };
}

function fromApplicationSet(path: string, set: IApplicationSet, problems: ReleaseProblem[]): HelmRelease[] {
  const engine = str(set.metadata?.labels?.[ENGINE_LABEL]);
  if (!engine) {
    problems.push({ source: path, message: `ApplicationSet ${set.metadata?.name ?? '?'} lacks label ${ENGINE_LABEL}` });
    return [];
  }
  const out: HelmRelease[] = [];
  for (const g of set.spec.generators) {
    for (const [i, el] of ((g.list?.elements ?? []) as Array<Record<string, unknown>>).entries()) {
      const env = str(el['env']);
      const release = str(el['release']);
      const chart = str(el['chart']);
      const version = str(el['targetRevision']);
      const namespace = str(el['namespace']);
      const repository = str(el['repoURL']) ?? '';
      if (!env || !release || !chart || !version || !namespace) {
        problems.push({ source: path, message: `ApplicationSet ${set.metadata?.name ?? '?'} list element ${i} lacks one of env, release, chart, targetRevision, namespace` });
        continue;
      }
      const values = typeof el['values'] === 'string' ? el['values'] : toYaml(el['values'] ?? {});
      out.push({ env, engine, release, repository, chart, version, namespace, values, source: path, hydratedPath: hydratedPath(env, engine) });
    }
  }
  return out;
}

/** Every Helm release in the rendered Kubernetes files, sorted by hydrated path. */
export function releasesOf(files: FileSet): { releases: HelmRelease[]; problems: ReleaseProblem[] } {
  const releases: HelmRelease[] = [];
  const problems: ReleaseProblem[] = [];
  for (const [path, text] of files) {
    if (!path.startsWith('kubernetes/') || !/\.ya?ml$/.test(path)) continue;
    // cheap pre-filter: most rendered files are values, dashboards and rules
    if (!/^kind: (Application|ApplicationSet)$/m.test(text)) continue;
    const doc: unknown = parse(text);
    if (!doc || typeof doc !== 'object') continue;
    const kind = (doc as { kind?: unknown }).kind;
    if (kind === 'Application') {
      const r = fromApplication(path, doc as IApplication, problems);
      if (r) releases.push(r);
    } else if (kind === 'ApplicationSet') {
      releases.push(...fromApplicationSet(path, doc as IApplicationSet, problems));
    }
  }
  releases.sort((a, b) => (a.hydratedPath < b.hydratedPath ? -1 : a.hydratedPath > b.hydratedPath ? 1 : 0));
  return { releases, problems };
}
