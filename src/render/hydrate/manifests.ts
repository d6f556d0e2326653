/**
 * What a cluster will really run, read from `helm template` output: every Deployment, StatefulSet and DaemonSet
 * with its replicas, each container's requests and limits (parsed to millicores / bytes) and its volume claim
 * templates. Pure: text in, objects out.
 */
import type { IDaemonSet, IDeployment, IStatefulSet } from 'kubernetes-models/apps/v1';
import type { IContainer } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { parseBytes, parseCpu } from '../../model/quantity.js';

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** A quantity as written in the manifest and its value in base units (millicores, bytes); value undefined = unparseable. */
export interface Quantity {
  raw: string;
  value: number | undefined;
}

export interface ContainerResources {
  name: string;
  requests: { cpu?: Quantity; memory?: Quantity };
  limits: { cpu?: Quantity; memory?: Quantity };
}

export interface Workload {
  kind: WorkloadKind;
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  /** spec.replicas; Kubernetes' default 1 when the manifest leaves it out; undefined for a DaemonSet (one per node) */
  replicas: number | undefined;
  containers: ContainerResources[];
  /** volumeClaimTemplates (StatefulSet) with their requested storage */
  volumeClaims: Array<{ name: string; storage?: Quantity }>;
}

export interface ParsedManifests {
  /** every object, in helm's order */
  objects: Array<Record<string, unknown>>;
  workloads: Workload[];
  /** YAML documents that did not parse (index and message) */
  errors: string[];
}

function quantity(raw: unknown, parse: (v: string | number) => { ok: true; value: number } | { ok: false }): Quantity | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw !== 'string' && typeof raw !== 'number') return { raw: JSON.stringify(raw), value: undefined };
  const r = parse(raw);
  return { raw: String(raw), value: r.ok ? r.value : undefined };
}

function resourcesOf(c: IContainer): ContainerResources {
  const req = (c.resources?.requests ?? {}) as Record<string, unknown>;
  const lim = (c.resources?.limits ?? {}) as Record<string, unknown>;
  const pick = (o: Record<string, unknown>) => {
    const cpu = quantity(o['cpu'], parseCpu);
    const memory = quantity(o['memory'], parseBytes);
    return { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) };
  };
  return { name: c.name, requests: pick(req), limits: pick(lim) };
}

function isWorkloadKind(k: unknown): k is WorkloadKind {
  return typeof k === 'string' && (WORKLOAD_KINDS as readonly string[]).includes(k);
}

function workloadOf(o: Record<string, unknown>): Workload | undefined {
  if (!isWorkloadKind(o['kind'])) return undefined;
  const w = o as unknown as IDeployment | IStatefulSet | IDaemonSet;
  const kind = o['kind'];
  const spec = w.spec;
  const containers = (spec?.template?.spec?.containers ?? []).map(resourcesOf);
  const replicas = kind === 'DaemonSet' ? undefined : ((spec as IDeployment['spec'] | IStatefulSet['spec'])?.replicas ?? 1);
  const claims = kind === 'StatefulSet' ? ((spec as IStatefulSet['spec'])?.volumeClaimTemplates ?? []) : [];
  return {
    kind,
    name: w.metadata?.name ?? '',
    ...(w.metadata?.namespace ? { namespace: w.metadata.namespace } : {}),
    labels: { ...(w.metadata?.labels ?? {}) },
    replicas,
    containers,
    volumeClaims: claims.map((c) => {
      const storage = quantity((c.spec?.resources?.requests as Record<string, unknown> | undefined)?.['storage'], parseBytes);
      return { name: c.metadata?.name ?? '', ...(storage ? { storage } : {}) };
    }),
  };
}

/** Parses multi-document YAML as `helm template` prints it. */
export function parseManifests(text: string): ParsedManifests {
  const objects: Array<Record<string, unknown>> = [];
  const errors: string[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    if (doc.errors.length > 0) {
      errors.push(`document ${i + 1}: ${doc.errors.map((e) => e.message).join('; ')}`);
      return;
    }
    const v: unknown = doc.toJS();
    if (v && typeof v === 'object' && !Array.isArray(v)) objects.push(v as Record<string, unknown>);
  });
  const workloads = objects.map(workloadOf).filter((w): w is Workload => w !== undefined);
  return { objects, workloads, errors };
}
