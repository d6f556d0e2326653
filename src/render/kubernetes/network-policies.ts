/**
 * NetworkPolicies of one Kubernetes environment (environments[].networkPolicies, default on): a default-deny
 * ingress policy over the namespace, then one policy per destination (an engine release, the Kafka brokers, the
 * Alloy, Grafana) allowing exactly the flows of the topology (src/topology/network-flows.ts flowsOf). Ingress only:
 * egress is not restricted, since object storage (and an existing Kafka or Grafana) may be outside the cluster.
 * Built as networking.k8s.io/v1 NetworkPolicy models and validated.
 */
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy'; // one model's module, not the group's index (start-up time)
import type { Stack } from '../../model/schema.js';
import { flowsOf, NAMESPACE_NAME_LABEL, type Flow, type FlowSource } from '../../topology/network-flows.js';
import type { Topology } from '../../topology/types.js';
import { alloyListenPorts, alloyScopes } from '../configs/alloy.js';
import { toYaml } from '../fileset.js';

const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'otelstack' };
const WAVE = 'argocd.argoproj.io/sync-wave';

type Peer = { podSelector: { matchLabels: Record<string, string> }; namespaceSelector?: { matchLabels?: Record<string, string> } };

function peerOf(from: FlowSource, namespace: string): Peer[] | undefined {
  if (from.kind === 'anywhere') return undefined;
  const podSelector = { matchLabels: { ...from.labels } };
  if (from.namespace === namespace) return [{ podSelector }];
  if (from.namespace === '*') return [{ podSelector, namespaceSelector: {} }];
  return [{ podSelector, namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: from.namespace } } }];
}

/** Policy name part for a destination: its release, plus the chart name where the release does not say it. */
function slug(labels: Readonly<Record<string, string>>): string {
  const name = labels['app.kubernetes.io/name'] ?? 'pods';
  const instance = labels['app.kubernetes.io/instance'] ?? name;
  if (instance === name || instance.startsWith(`${name}-`)) return instance;
  return `${instance}-${name}`;
}

/** flowsOf with what the topology does not carry: the receiver ports of the environment's own Alloy (Faro, profiles). */
export function environmentFlows(stack: Stack, t: Topology): Flow[] {
  const scope = alloyScopes(stack, [t]).find((s) => s.routing === 'per-environment');
  return flowsOf(t, scope ? { collectorPorts: alloyListenPorts(scope).map((p) => p.port) } : {});
}

export interface NetworkPoliciesOptions {
  wave: number;
}

/** The NetworkPolicies of an environment, as validated models with the flows each allows (empty when switched off). */
export function networkPolicies(stack: Stack, t: Topology, opts: NetworkPoliciesOptions): Array<{ policy: NetworkPolicy; flows: Flow[] }> {
  if (t.env.target !== 'kubernetes' || !t.env.networkPolicies) return [];
  const ns = t.env.namespace;
  const flows = environmentFlows(stack, t);
  const metadata = (name: string) => ({
    name: `${stack.name}-${name}`,
    namespace: ns,
    labels: { ...MANAGED_BY, 'otelstack.io/environment': t.env.name },
    annotations: { [WAVE]: String(opts.wave) },
  });
  const out: Array<{ policy: NetworkPolicy; flows: Flow[] }> = [
    { policy: new NetworkPolicy({ metadata: metadata('default-deny-ingress'), spec: { podSelector: {}, policyTypes: ['Ingress'] } }), flows: [] },
  ];
  const byDest = new Map<string, Flow[]>();
  for (const f of flows) {
    const key = JSON.stringify(Object.entries(f.to.labels).sort());
    byDest.set(key, [...(byDest.get(key) ?? []), f]);
  }
  const groups = [...byDest.values()].sort((a, b) => (slug(a[0]!.to.labels) < slug(b[0]!.to.labels) ? -1 : 1));
  for (const group of groups) {
    const rules = new Map<string, Record<string, unknown>>();
    for (const f of group) {
      const from = peerOf(f.from, ns);
      const rule: Record<string, unknown> = {
        ...(from ? { from } : {}),
        ...(f.ports.length > 0 ? { ports: [...f.ports].map((port) => ({ protocol: 'TCP', port })) } : {}),
      };
      rules.set(JSON.stringify(rule), rule);
    }
    const policy = new NetworkPolicy({
      metadata: metadata(`allow-${slug(group[0]!.to.labels)}`),
      spec: { podSelector: { matchLabels: { ...group[0]!.to.labels } }, policyTypes: ['Ingress'], ingress: [...rules.values()] as never },
    });
    out.push({ policy, flows: group });
  }
  for (const { policy } of out) policy.validate();
  return out;
}

function describeSource(f: Flow): string {
  return f.from.what;
}

/** kubernetes/<env>/network-policies.yaml: every policy, each preceded by the flows it allows. Undefined when off. */
export function renderNetworkPolicies(stack: Stack, t: Topology, opts: NetworkPoliciesOptions): string | undefined {
  const ps = networkPolicies(stack, t, opts);
  if (ps.length === 0) return undefined;
  const header = [
    `# NetworkPolicies of ${stack.name}/${t.env.name} (namespace ${t.env.namespace}) — rendered by otelstack.`,
    '# Ingress: denied by default, then exactly the flows of the topology (listed above each policy).',
    '# Egress is not restricted: object storage (and an existing Kafka or Grafana) may be outside the cluster.',
    '# Engines are selected per release (app.kubernetes.io/name + instance), not per component.',
  ];
  const docs = ps.map(({ policy, flows }) => {
    const lines = flows.length === 0 ? ['# every pod of the namespace: no ingress unless a policy below allows it'] : flows.map((f) => `# ${describeSource(f)} → ${f.to.what}${f.ports.length ? ` :${f.ports.join(',')}` : ''} — ${f.why}`);
    return `${lines.join('\n')}\n${toYaml(policy.toJSON())}`;
  });
  return `${header.join('\n')}\n${docs.join('---\n')}`;
}
