/**
 * `migrate render --step N`: what one step of a runbook deploys, in the environment's target's terms, under
 * migrate/<env>/step-<NN>-<id>/:
 *  - README.md: the step (change, actions outside any file, the gate before the next step, what to do when it fails,
 *    how to roll back, the replicas once applied);
 *  - overlay.libsonnet: the step's jsonnet overlay for Tanka / jsonnet users of Mimir, shaped as seed 004 (Mimir's
 *    migration guide) shapes it, to merge over the environment's main.jsonnet;
 *  - on Kubernetes: values/<engine>.yaml, the environment's rendered chart values (from the running definition) with
 *    the Helm changes of every step up to N applied in order — the values file to commit at this step — and, with
 *    ArgoCD Applications, applications/<engine>.yaml carrying them. What the chart cannot express is in the README
 *    (the step's Helm gap), never silently dropped;
 *  - on Kubernetes with mimir-distributed (the Mimir read-write runbooks): kubernetes/mimir-read-write/, the
 *    read-write components as Kubernetes objects with the step's replicas (render/kubernetes/mimir-read-write.ts),
 *    built from the step's values — the chart has no read-write mode (grafana/mimir#8903).
 * Files come from the plan and the renderers (one-way: definition → topology → render); nothing here queries a cluster.
 */
import { parse } from 'yaml';
import { MIMIR_READ_WRITE_MIGRATION } from '../../catalog/migrations.js';
import type { Stack } from '../../model/schema.js';
import { toYaml, type FileSet } from '../../render/fileset.js';
import { renderKubernetes } from '../../render/kubernetes/index.js';
import { MIMIR_READ_WRITE_DIR, mimirReadWriteObjects } from '../../render/kubernetes/mimir-read-write.js';
import { setPath } from '../../render/kubernetes/values.js';
import { renderTopology } from '../../render/topology.js';
import { addKafkaManifests } from './add-kafka-kubernetes.js';
import { stepLines } from './report.js';
import type { HelmChange, MigrationPlan, Step } from './types.js';

/** The directory of one step's files, relative to --out. */
export function stepDir(plan: MigrationPlan, step: Step): string {
  return `migrate/${plan.env}/step-${String(step.n).padStart(2, '0')}-${step.id}`;
}

/**
 * A Helm change's key as a values path. Keys are dotted, except under `extraArgs`, whose keys are the engine's own
 * flag names and keep their dots (store_gateway.extraArgs."store-gateway.sharding-ring.unregister-on-shutdown").
 */
export function helmPath(key: string): string[] {
  const segs = key.split('.');
  const i = segs.indexOf('extraArgs');
  return i >= 0 && i < segs.length - 1 ? [...segs.slice(0, i + 1), segs.slice(i + 1).join('.')] : segs;
}

type Values = Record<string, unknown>;

/**
 * A step's overlay as a file of its own: the snippets call `deployment.mixin…` / `statefulSet.mixin…`, which a
 * main.jsonnet has in scope; the file binds them from the same library, so it evaluates where it is imported.
 */
export function overlayFile(jsonnet: string): string {
  const lib = MIMIR_READ_WRITE_MIGRATION.jsonnet.k8sLibrary;
  const uses = (name: string) => new RegExp(`\\b${name}\\.mixin\\.`).test(jsonnet);
  const locals = [
    ...(uses('deployment') || uses('statefulSet') ? [`local k = import '${lib.import}';`] : []),
    ...(uses('deployment') ? [`local deployment = ${lib.deployment};`] : []),
    ...(uses('statefulSet') ? [`local statefulSet = ${lib.statefulSet};`] : []),
  ];
  return locals.length ? `${locals.join('\n')}\n\n${jsonnet}` : jsonnet;
}


/** The Helm changes of steps 1..n, in order (a later step's value for a key wins). */
export function cumulativeHelm(plan: MigrationPlan, n: number): HelmChange[] {
  const out = new Map<string, HelmChange>();
  for (const s of plan.runbook?.steps ?? []) if (s.n <= n) for (const c of s.change.helm ?? []) out.set(c.key, c);
  return [...out.values()];
}

/** The step as its README: the plan's own text for this step, plus how to apply the files beside it. */
function readme(plan: MigrationPlan, step: Step, files: string[], helmKeys: HelmChange[]): string {
  const rb = plan.runbook!;
  const head = [`# ${plan.stack} (${plan.env}): ${rb.title} — step ${step.n} of ${rb.steps.length}`, '', `Source: ${rb.source}`, ''];
  const body = [...head, ...stepLines(step, 'markdown')].join('\n');
  const apply: string[] = ['## Files of this step', ''];
  if (files.includes('overlay.libsonnet')) apply.push("- `overlay.libsonnet`: merge it over the environment's jsonnet (`(import 'main.jsonnet') + (import 'overlay.libsonnet')`), then `tk apply`.");
  const values = files.find((f) => f.startsWith('values/'));
  if (values) {
    apply.push(`- \`${values}\`: the chart values to commit at this step: the running definition's rendered values with the Helm changes of steps 1–${step.n} applied (${helmKeys.length} key${helmKeys.length === 1 ? '' : 's'}${helmKeys.some((k) => !k.verified) ? ', unverified against the pinned chart: review them' : ''}).`);
  }
  const app = files.find((f) => f.startsWith('applications/'));
  if (app) apply.push(`- \`${app}\`: the ArgoCD Application with those values; commit it where ArgoCD reads the environment's Applications.`);
  const objects = files.filter((f) => f.startsWith(`${MIMIR_READ_WRITE_DIR}/`));
  if (objects.length) {
    const rw = plan.runbook!.readWriteObjects!;
    const counts = ['mimir-read', 'mimir-write', 'mimir-backend'].filter((k) => k in rw.components).map((k) => `${k} ${step.replicas[k] ?? 0}`).join(', ');
    apply.push(
      `- \`${MIMIR_READ_WRITE_DIR}/\` (${objects.length} objects: ${counts} replicas): the read-write components as Kubernetes objects — mimir-distributed has no read-write mode (grafana/mimir#8903; read-write is experimental in Mimir). They mount the release's config and join its memberlist ring. Apply them after the values above: \`kubectl apply -n ${rw.namespace} -f ${MIMIR_READ_WRITE_DIR}/\`, or commit the directory where an ArgoCD Application with a directory source (\`spec.source.path\` = that directory, \`directory.recurse: false\`) syncs it into ${rw.namespace}. Objects at 0 replicas stay in place (seed 004 deploys the read-write components at 0 first).`,
    );
  }
  const manifests = files.filter((f) => /^kubernetes\/[^/]+\/(kafka|otelcol)\//.test(f));
  if (manifests.length && step.change.manifests) {
    const m = step.change.manifests;
    const what = [m.kafka ? 'the brokers and the topics Job' : '', m.processor ? 'the processor pool' : '', `the gateways on ${m.gateway === 'running' ? 'their running config' : m.gateway === 'drain' ? 'the drain config (Kafka exporters, plus the direct exporters until their queues are empty)' : 'the target config'}`].filter(Boolean).join(', ');
    apply.push(`- \`kubernetes/${plan.env}/kafka/\` and \`kubernetes/${plan.env}/otelcol/\` (${manifests.length} files): those manifests as they must be at this step — ${what}. Commit them in place of the environment's (its ArgoCD Application syncs the directory; the topics Job is a Sync hook there), or \`kubectl apply -R -f kubernetes/${plan.env}/\` (the Job then runs as a plain Job). A workload whose config changed rolls one pod at a time (its config hash is in the pod template).`);
  }
  for (const f of Object.keys(step.change.files ?? {}).sort()) apply.push(`- \`${f}\`: the file this step deploys (see the actions above for where it goes).`);
  if (!step.change.jsonnet && !values && !step.change.files && !objects.length && !manifests.length) apply.push('- nothing to deploy: this step is the actions above and its gate.');
  apply.push('', `Then run the gate: \`otelstack migrate check <from> <to> --env ${plan.env} --step ${step.n} --prometheus-url …\`.`);
  return `${body.trimEnd()}\n\n${apply.join('\n')}\n`;
}

export class MigrationRenderError extends Error {
  constructor(
    message: string,
    readonly suggestion: string,
  ) {
    super(message);
  }
}

/** Files of step n (relative to --out). `from` is the running definition: its rendered values are the base. */
export function renderMigrationStep(plan: MigrationPlan, n: number, from: Stack, to?: Stack): FileSet {
  const rb = plan.runbook;
  if (!rb) throw new MigrationRenderError(`nothing to migrate: the topologies of ${plan.env} in both definitions are the same`, 'nothing to render');
  const step = rb.steps.find((s) => s.n === n);
  if (!step) throw new MigrationRenderError(`the runbook ${rb.id} has steps 1–${rb.steps.length}, not ${n}`, 'see the step numbers in `otelstack migrate plan`');
  const dir = stepDir(plan, step);
  const files: FileSet = new Map();
  const names: string[] = [];
  if (step.change.jsonnet) {
    files.set(`${dir}/overlay.libsonnet`, `// ${rb.title}, step ${step.n}: ${step.title} (${step.source}) — rendered by otelstack.\n${overlayFile(step.change.jsonnet)}\n`);
    names.push('overlay.libsonnet');
  }
  for (const [name, content] of Object.entries(step.change.files ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    files.set(`${dir}/${name}`, content);
    names.push(name);
  }
  if (step.change.manifests) {
    if (!to) throw new MigrationRenderError(`step ${n} of ${rb.id} renders manifests from both definitions`, 'pass the target definition too');
    for (const [path, content] of addKafkaManifests(step.change.manifests, plan.env, from, to)) {
      files.set(`${dir}/${path}`, content);
      names.push(path);
    }
  }
  const helmKeys = cumulativeHelm(plan, n);
  const objects = plan.target === 'kubernetes' ? rb.readWriteObjects : undefined;
  if (plan.target === 'kubernetes' && (helmKeys.length > 0 || objects)) {
    const topology = renderTopology(from, plan.env);
    const rendered = renderKubernetes({ stack: from, topology }).files;
    const base = `kubernetes/${plan.env}`;
    const valuesText = rendered.get(`${base}/values/${rb.engine}.yaml`);
    if (!valuesText) throw new MigrationRenderError(`the running definition renders no ${rb.engine} values for ${plan.env}`, `check that ${rb.engine} is managed in ${plan.env} of the running definition`);
    const values = (parse(valuesText) ?? {}) as Values;
    for (const c of helmKeys) setPath(values, helmPath(c.key), c.value);
    if (objects) {
      // the read-write objects of this step, from the step's values (image tag, extraArgs, extraEnv, zones)
      for (const [path, content] of [...mimirReadWriteObjects(objects, step.replicas, values)].sort(([a], [b]) => (a < b ? -1 : 1))) {
        files.set(`${dir}/${path}`, content);
        names.push(path);
      }
    }
    if (helmKeys.length === 0) {
      files.set(`${dir}/README.md`, readme(plan, step, names, helmKeys));
      return files;
    }
    const header = `# ${rb.engine} chart values for ${plan.stack}/${plan.env} at step ${step.n} of ${rb.id} (${step.id}) — rendered by otelstack.\n# The running definition's values with the Helm changes of steps 1-${step.n}: ${helmKeys.map((k) => k.key).join(', ')}\n`;
    files.set(`${dir}/values/${rb.engine}.yaml`, header + toYaml(values));
    names.push(`values/${rb.engine}.yaml`);
    const appText = rendered.get(`${base}/applications/${rb.engine}.yaml`);
    if (appText) {
      const app = parse(appText) as { spec: { source: { helm: { valuesObject?: Values } } } };
      app.spec.source.helm.valuesObject = values;
      files.set(`${dir}/applications/${rb.engine}.yaml`, toYaml(app));
      names.push(`applications/${rb.engine}.yaml`);
    }
  }
  files.set(`${dir}/README.md`, readme(plan, step, names, helmKeys));
  return files;
}
