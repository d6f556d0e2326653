/**
 * The plan's checks on what the cluster will really get: the workloads a chart renders from our values, compared
 * with the topology's budget for that engine in that environment. Pure: parsed manifests + topology → findings.
 *
 * Matching a workload to a planned component uses the catalog's component names (the topology's `component`) and
 * the naming every chart otelstack deploys follows (seen in tempo-distributed 3.0.3, pyroscope 1.16.0 and
 * mimir-distributed 6.0.x): the `app.kubernetes.io/component` label, else the name `<release>-<component>` (with a
 * `-<zone>` suffix for zone-aware StatefulSets, summed over zones), else the name `<release>` for an engine with a
 * single component (monolithic). Anything left over is a workload the plan does not budget.
 */
import { formatBytes, formatCpu } from '../../model/quantity.js';
import type { Finding } from '../../plan/findings.js';
import type { TopoComponent, Topology } from '../../topology/types.js';
import { policyNames } from '../../topology/resources.js';
import type { ContainerResources, Quantity, Workload } from './manifests.js';

export const HYDRATE_RULES = {
  unbudgeted: 'hydrate-unbudgeted-workload',
  missing: 'hydrate-missing-workload',
  replicas: 'hydrate-replicas',
  requests: 'hydrate-requests',
  cpuLimit: 'hydrate-cpu-limit',
  memoryLimit: 'hydrate-memory-limit',
  storage: 'hydrate-storage',
  container: 'hydrate-unbudgeted-container',
  template: 'hydrate-template',
} as const;

/** A finding about one workload of one hydrated release, with what the plan expected and what the chart renders. */
export interface HydrateFinding extends Finding {
  engine: string;
  /** Kind/name of the workload (or the release, for findings about the whole chart) */
  workload: string;
  expected: string;
  found: string;
}

export interface CheckInput {
  /** the environment's topology; undefined for a stack-wide release (e.g. one Alloy for every environment) */
  topology: Topology | undefined;
  /** resource policy (stack-wide) */
  policy: Topology['policy'];
  engine: string;
  release: string;
  env?: string;
  /** path inside the definition to report when no component is concerned */
  definitionPath: string;
  workloads: Workload[];
}

const LABEL_COMPONENT = 'app.kubernetes.io/component';

/**
 * Definition path of a component's overrides: a signal engine's component without overrides carries its
 * environment's path (signals.<s>.environments.<env>), where the override would go under components.<name>.
 */
function pathOf(c: TopoComponent, key?: string): string {
  const base = /^signals\.[^.]+\.environments\.[^.]+$/.test(c.definitionPath) ? `${c.definitionPath}.components.${c.component}` : c.definitionPath;
  return key ? `${base}.${key}` : base;
}

function ref(w: Workload): string {
  return `${w.kind}/${w.name}`;
}

function q(x: Quantity | undefined, fmt: (n: number) => string): string {
  if (!x) return 'none';
  return x.value === undefined ? `${x.raw} (unparseable)` : fmt(x.value);
}

function describe(c: ContainerResources | undefined): string {
  if (!c) return 'no containers';
  return `requests cpu ${q(c.requests.cpu, formatCpu)} memory ${q(c.requests.memory, formatBytes)}, limits cpu ${q(c.limits.cpu, formatCpu)} memory ${q(c.limits.memory, formatBytes)}`;
}

/** The container a component's budget is for: the one named like the component, the engine or the release, else the first. */
export function mainContainer(w: Workload, names: string[]): ContainerResources | undefined {
  for (const n of names) {
    const c = w.containers.find((x) => x.name === n);
    if (c) return c;
  }
  return w.containers[0];
}

/** Which planned component a workload belongs to, by the conventions above; undefined = not in the plan. */
export function componentOf(w: Workload, components: readonly TopoComponent[], release: string, zones: readonly string[]): TopoComponent | undefined {
  const label = w.labels[LABEL_COMPONENT];
  const byLabel = label ? components.find((c) => c.component === label) : undefined;
  if (byLabel) return byLabel;
  const exact = components.find((c) => w.name === `${release}-${c.component}`);
  if (exact) return exact;
  const zoned = components.find((c) => zones.some((z) => w.name === `${release}-${c.component}-${z}`));
  if (zoned) return zoned;
  if (w.name === release && components.length === 1) return components[0];
  return undefined;
}

export function checkWorkloads(input: CheckInput): HydrateFinding[] {
  const { topology: t, policy, engine, release, env } = input;
  const out: HydrateFinding[] = [];
  const push = (f: Omit<HydrateFinding, 'engine' | 'env' | 'severity'> & { severity?: Finding['severity'] }) =>
    out.push({ severity: f.severity ?? 'error', ...(env ? { env } : {}), engine, ...f });
  const where = env ? `${engine} (${env})` : engine;

  // sidecar components (sidecarOf) are containers inside another component's pods, checked with that component
  const all = t ? t.components.filter((c) => c.engine === engine && c.known) : [];
  const components = all.filter((c) => !c.sidecarOf);
  const sidecars = all.filter((c) => c.sidecarOf);
  const zones = t?.engines.find((e) => e.engine === engine)?.zones ?? [];
  const matched = new Map<TopoComponent, Workload[]>();
  const owner = new Map<Workload, TopoComponent>();

  for (const w of input.workloads) {
    const c = t ? componentOf(w, components, release, zones) : undefined;
    if (c) {
      matched.set(c, [...(matched.get(c) ?? []), w]);
      owner.set(w, c);
      continue;
    }
    if (t) {
      const main = w.containers[0];
      push({
        rule: HYDRATE_RULES.unbudgeted,
        path: input.definitionPath,
        workload: ref(w),
        message: `${where}: the chart deploys ${ref(w)} (${w.replicas ?? 'one per node'} × ${describe(main)}), which the plan does not budget`,
        suggestion: `switch it off in the ${engine} values, or budget it as a component of the plan`,
        expected: 'no such workload (not in the plan)',
        found: `${w.replicas ?? 'DaemonSet'} replica(s), ${describe(main)}`,
      });
    }
  }

  // every container of every workload, planned or not, follows the limit policy (limits only on the components it names)
  for (const w of input.workloads) {
    const c = owner.get(w);
    const name = c?.component;
    for (const k of w.containers) {
      const allowCpu = c !== undefined && policyNames(policy.cpuLimits, c);
      if (k.limits.cpu && !allowCpu) {
        push({
          rule: HYDRATE_RULES.cpuLimit,
          path: c ? pathOf(c, 'cpuLimit') : input.definitionPath,
          workload: ref(w),
          message: `${where}: container ${k.name} of ${ref(w)} has a CPU limit of ${q(k.limits.cpu, formatCpu)}, which the policy forbids${name ? ` for ${name}` : ''} (CFS throttling)`,
          suggestion: `override ${name ?? 'its'} resources.limits.cpu in the ${engine} values (set limits without cpu), or add "${name ?? '<component>'}" to policy.cpuLimits`,
          expected: 'no CPU limit',
          found: `limits.cpu ${q(k.limits.cpu, formatCpu)}`,
        });
      }
      const allowMem = c !== undefined && policyNames(policy.memoryLimits, c);
      if (k.limits.memory && !allowMem) {
        push({
          rule: HYDRATE_RULES.memoryLimit,
          path: c ? pathOf(c, 'memoryLimit') : input.definitionPath,
          workload: ref(w),
          message: `${where}: container ${k.name} of ${ref(w)} has a memory limit of ${q(k.limits.memory, formatBytes)}, but the policy limits memory only on ${policy.memoryLimits.join(', ') || 'nothing'}`,
          suggestion: `override its resources.limits.memory in the ${engine} values, or add "${name ?? '<component>'}" to policy.memoryLimits`,
          expected: 'no memory limit',
          found: `limits.memory ${q(k.limits.memory, formatBytes)}`,
        });
      }
    }
  }

  for (const c of components) {
    if (!c.budgeted) continue;
    const ws = matched.get(c) ?? [];
    const who = `${where} ${c.component}`;
    if (ws.length === 0) {
      push({
        rule: HYDRATE_RULES.missing,
        path: pathOf(c),
        workload: `${release}-${c.component}`,
        message: `${who}: the plan budgets ${c.replicas} replica(s) but the chart deploys no workload for it`,
        suggestion: `check the ${engine} values switch ${c.component} on, or drop it from the plan`,
        expected: `${c.replicas} replica(s)`,
        found: 'no workload',
      });
      continue;
    }
    const counted = ws.filter((w) => w.replicas !== undefined);
    if (counted.length > 0) {
      const total = counted.reduce((s, w) => s + (w.replicas ?? 0), 0);
      if (total !== c.replicas) {
        push({
          rule: HYDRATE_RULES.replicas,
          path: pathOf(c, 'replicas'),
          workload: counted.map(ref).join(', '),
          message: `${who}: the plan has ${c.replicas} replica(s), the chart deploys ${total}${counted.length > 1 ? ` (${counted.map((w) => `${w.name}: ${w.replicas}`).join(', ')})` : ''}`,
          suggestion: `set ${c.component}'s replicas in the ${engine} values (the chart may ignore or lack the key)`,
          expected: `${c.replicas} replica(s)`,
          found: `${total} replica(s)`,
        });
      }
    }
    const p = c.perReplica;
    for (const w of ws) {
      const main = mainContainer(w, [c.component, engine, release]);
      if (!main) continue;
      const checks: Array<[string, Quantity | undefined, number | undefined, (n: number) => string]> = [
        ['requests.cpu', main.requests.cpu, p.cpuRequestMillicores, formatCpu],
        ['requests.memory', main.requests.memory, p.memoryRequestBytes, formatBytes],
      ];
      for (const [key, got, want, fmt] of checks) {
        if (got?.value === want) continue;
        push({
          rule: HYDRATE_RULES.requests,
          path: pathOf(c),
          workload: ref(w),
          message: `${who}: container ${main.name} of ${ref(w)} has ${key} ${q(got, fmt)}, the plan budgets ${want === undefined ? 'none' : fmt(want)}`,
          suggestion: `set ${c.component}'s resources.${key} in the ${engine} values`,
          expected: `${key} ${want === undefined ? 'none' : fmt(want)}`,
          found: `${key} ${q(got, fmt)}`,
        });
      }
      // limits the plan asks for (policy.memoryLimits components; cpuLimit where allowed) must be there, at that size
      const planned: Array<[string, Quantity | undefined, number | undefined, (n: number) => string, string]> = [
        ['limits.memory', main.limits.memory, p.memoryLimitBytes, formatBytes, HYDRATE_RULES.memoryLimit],
        ['limits.cpu', main.limits.cpu, p.cpuLimitMillicores, formatCpu, HYDRATE_RULES.cpuLimit],
      ];
      for (const [key, got, want, fmt, rule] of planned) {
        if (want === undefined || got?.value === want) continue;
        push({
          rule,
          path: pathOf(c, key === 'limits.memory' ? 'memoryLimit' : 'cpuLimit'),
          workload: ref(w),
          message: `${who}: container ${main.name} of ${ref(w)} has ${key} ${q(got, fmt)}, the plan sets ${fmt(want)}`,
          suggestion: `set ${c.component}'s resources.${key} in the ${engine} values`,
          expected: `${key} ${fmt(want)}`,
          found: `${key} ${q(got, fmt)}`,
        });
      }
      for (const k of w.containers) {
        if (k === main) continue;
        const sc = sidecars.find((x) => x.sidecarOf!.component === c.component && x.sidecarOf!.containers.includes(k.name));
        if (sc) {
          for (const [key, got, want, fmt] of [
            ['requests.cpu', k.requests.cpu, sc.perReplica.cpuRequestMillicores, formatCpu],
            ['requests.memory', k.requests.memory, sc.perReplica.memoryRequestBytes, formatBytes],
          ] as const) {
            if (got?.value === want) continue;
            push({
              rule: HYDRATE_RULES.requests,
              path: pathOf(sc),
              workload: ref(w),
              message: `${where} ${sc.component}: container ${k.name} of ${ref(w)} has ${key} ${q(got, fmt)}, the plan budgets ${fmt(want)}`,
              suggestion: `set the ${sc.component} resources.${key} in the ${engine} values`,
              expected: `${key} ${fmt(want)}`,
              found: `${key} ${q(got, fmt)}`,
            });
          }
          continue;
        }
        if (!k.requests.cpu && !k.requests.memory) continue;
        push({
          severity: 'warning',
          rule: HYDRATE_RULES.container,
          path: pathOf(c),
          workload: ref(w),
          message: `${who}: ${ref(w)} also runs container ${k.name} (${describe(k)}), which the plan's per-replica budget does not count`,
          suggestion: `switch the sidecar off in the ${engine} values, or raise ${c.component}'s budget by its requests`,
          expected: `only container ${main.name}`,
          found: `container ${k.name}: ${describe(k)}`,
        });
      }
      if (w.kind === 'StatefulSet' || p.storageBytes > 0) {
        const claims = w.volumeClaims;
        const size = claims.reduce((s, v) => s + (v.storage?.value ?? 0), 0);
        if (size !== p.storageBytes) {
          push({
            rule: HYDRATE_RULES.storage,
            path: pathOf(c, 'storage'),
            workload: ref(w),
            message: `${who}: the plan budgets ${p.storageBytes ? `${formatBytes(p.storageBytes)} of persistent volume` : 'no persistent volume'} per replica, ${ref(w)} claims ${claims.length ? claims.map((v) => `${v.name} ${q(v.storage, formatBytes)}`).join(', ') : 'none'}`,
            suggestion: p.storageBytes ? `turn ${c.component}'s persistence on in the ${engine} values at ${formatBytes(p.storageBytes)}, or drop storage from the plan if the chart cannot create it` : `budget the claim as ${c.component}'s storage, or switch persistence off in the values`,
            expected: p.storageBytes ? `${formatBytes(p.storageBytes)} per replica` : 'no volume claims',
            found: claims.length ? `${formatBytes(size)} per replica` : 'no volume claims',
          });
        }
      }
    }
  }
  return out;
}
