// Helpers that read rendered Kubernetes output back: objects, Helm values (wherever they sit), resources blocks.
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import assert from 'node:assert/strict';
import { Application, ApplicationSet } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import { DaemonSet, Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Service, ServiceAccount } from 'kubernetes-models/v1';
import { parse, parseAllDocuments } from 'yaml';
import { CHART_VALUE_KEYS, chartValueKeys, keyAllowed, valueKeyPaths } from '../../../src/catalog/charts/index.js';
import type { Stack } from '../../../src/model/schema.js';
import type { FileSet } from '../../../src/render/fileset.js';

export type Obj = Record<string, unknown>;

/** @kubernetes-models class per apiVersion/kind (Kubernetes OpenAPI schemas; ArgoCD CRD schemas). */
export const MODELS: Record<string, (o: Obj) => { validate(): void }> = {
  'argoproj.io/v1alpha1/Application': (o) => new Application(o as never),
  'argoproj.io/v1alpha1/ApplicationSet': (o) => new ApplicationSet(o as never),
  'batch/v1/Job': (o) => new Job(o as never),
  'policy/v1/PodDisruptionBudget': (o) => new PodDisruptionBudget(o as never),
  'networking.k8s.io/v1/NetworkPolicy': (o) => new NetworkPolicy(o as never),
  'v1/ConfigMap': (o) => new ConfigMap(o as never),
  'v1/Service': (o) => new Service(o as never),
  'v1/ServiceAccount': (o) => new ServiceAccount(o as never),
  'apps/v1/StatefulSet': (o) => new StatefulSet(o as never),
  'apps/v1/Deployment': (o) => new Deployment(o as never),
  'apps/v1/DaemonSet': (o) => new DaemonSet(o as never),
  'autoscaling/v2/HorizontalPodAutoscaler': (o) => new HorizontalPodAutoscaler(o as never),
  'keda.sh/v1alpha1/ScaledObject': (o) => new ScaledObject(o as never),
};

export const isValuesFile = (p: string): boolean => p.includes('/values/');

export function objectsOf(files: FileSet): Array<{ path: string; obj: Obj }> {
  const out: Array<{ path: string; obj: Obj }> = [];
  for (const [path, text] of files) {
    if (isValuesFile(path) || !path.startsWith('kubernetes/')) continue;
    for (const d of parseAllDocuments(text)) out.push({ path, obj: d.toJS() as Obj });
  }
  return out;
}

/** values objects with the chart they are for: from Applications' valuesObject, ApplicationSet elements and values/ files. */
export function valuesOf(files: FileSet): Array<{ where: string; chart: string; version?: string; values: Obj }> {
  const out: Array<{ where: string; chart: string; version?: string; values: Obj }> = [];
  for (const { path, obj } of objectsOf(files)) {
    if (obj['kind'] === 'Application') {
      const src = (obj['spec'] as Obj)['source'] as Obj;
      out.push({ where: path, chart: String(src['chart']), version: String(src['targetRevision']), values: (src['helm'] as Obj)['valuesObject'] as Obj });
    }
    if (obj['kind'] === 'ApplicationSet') {
      const spec = obj['spec'] as { generators: Array<{ list: { elements: Obj[] } }> };
      for (const el of spec.generators[0]!.list.elements) out.push({ where: `${path} (${String(el['env'])})`, chart: String(el['chart']), values: parse(String(el['values'])) as Obj });
    }
  }
  for (const [path, text] of files) {
    if (!isValuesFile(path)) continue;
    if (path.endsWith('/grafana-datasources.yaml')) out.push({ where: path, chart: 'grafana', values: parse(text) as Obj });
    else {
      const app = files.get(path.replace('/values/', '/applications/'));
      const src = app ? ((parse(app) as Obj)['spec'] as { source: { chart: string; targetRevision: string } }).source : undefined;
      if (src) out.push({ where: path, chart: String(src.chart), version: String(src.targetRevision), values: parse(text) as Obj });
    }
  }
  return out;
}

/** Every resources block: where, owner (container name, else the enclosing key), resources. */
export function resourcesBlocks(node: unknown, where: string, owner = ''): Array<{ where: string; owner: string; resources: Obj }> {
  const out: Array<{ where: string; owner: string; resources: Obj }> = [];
  if (Array.isArray(node)) node.forEach((x) => out.push(...resourcesBlocks(x, where, owner)));
  else if (node && typeof node === 'object') {
    const o = node as Obj;
    for (const [k, v] of Object.entries(o)) {
      if (k === 'resources' && v && typeof v === 'object' && ('requests' in (v as Obj) || 'limits' in (v as Obj))) {
        out.push({ where, owner: typeof o['name'] === 'string' ? String(o['name']) : owner, resources: v as Obj });
      } else out.push(...resourcesBlocks(v, where, k));
    }
  }
  return out;
}

export function withStack(s: Stack, patch: (s: Stack) => void): Stack {
  const c = structuredClone(s);
  patch(c);
  return c;
}

/** Every object validates with its @kubernetes-models class; returns how many were checked. */
export function assertObjectsValidate(files: FileSet): number {
  const objs = objectsOf(files);
  for (const { path, obj } of objs) {
    const make = MODELS[`${String(obj['apiVersion'])}/${String(obj['kind'])}`];
    assert.ok(make, `${path}: no model for ${String(obj['apiVersion'])} ${String(obj['kind'])}`);
    assert.doesNotThrow(() => make(obj).validate(), `${path} does not validate`);
  }
  return objs.length;
}

/** No values key outside the chart's documented key list; returns the values objects checked. */
export function assertKnownKeys(files: FileSet): Array<{ where: string; chart: string; version?: string; values: Obj }> {
  const all = valuesOf(files);
  for (const { where, chart, version, values } of all) {
    // the list of the chart version the Application installs (mimir-distributed 5.8.0 for Mimir 2.x), else the pinned one
    const list = version !== undefined ? (chartValueKeys({ name: chart, version }) ?? CHART_VALUE_KEYS[chart]) : CHART_VALUE_KEYS[chart];
    assert.ok(list, `${where}: no value-key list for chart ${chart}`);
    if (version !== undefined && chartValueKeys({ name: chart, version })) assert.equal(list.version, version, `${where}: the key list of ${chart} ${version}`);
    const bad = valueKeyPaths(values).filter((p) => !keyAllowed(p, list.keys));
    assert.deepEqual(bad, [], `${where}: keys not in ${chart} ${list.version}'s list`);
  }
  return all;
}
