/**
 * Where an ansible (VM) environment runs each process: the definition's hosts per group (environments[].hosts)
 * matched with what the topology decided (collector pool replicas, Kafka brokers, the engines, Grafana replicas).
 * One process per VM and group: gateway-i, processor-i, kafka-i, grafana-i on the i-th host of their group; the
 * storage group carries the local object store and every managed engine, each monolithic engine on one host, spread
 * over the group in start-up order (object store first). The plan rule ansible-hosts reports what does not fit and
 * the renderer renders only a placement without problems, so plan, render and diff agree.
 *
 * Service names: the configs name their peers as the compose target does (kafka-0, tempo, seaweedfs …, one home
 * of those bytes: src/render/configs); `names` maps each such name to the inventory host it runs on, and the common
 * role writes them into /etc/hosts from the inventory.
 */
import { CATALOG } from '../catalog/index.js';
import type { HostGroup, Stack } from '../model/schema.js';
import type { Finding } from '../plan/findings.js';
import type { Topology } from './types.js';
import { vmFaroProxy } from './vm-faro-proxy.js';

export interface VmHost {
  /** inventory host name (the process's service name where it has one: gateway-0, kafka-1 …) */
  readonly name: string;
  /** ansible_host */
  readonly address: string;
}

export interface VmPlacement {
  readonly gateway: VmHost[];
  readonly processor: VmHost[];
  readonly kafka: VmHost[];
  readonly storage: VmHost[];
  /** engine group (seaweedfs, tempo, mimir, loki, prometheus) → the storage host it runs on */
  readonly engines: ReadonlyArray<{ readonly group: string; readonly host: VmHost }>;
  readonly grafana: VmHost[];
  /** service name the configs use → inventory host name */
  readonly names: ReadonlyArray<readonly [string, string]>;
  readonly problems: Finding[];
}

/** Engines the ansible target runs (monolithic, one process each), by the name of their inventory group. */
export const VM_ENGINES: ReadonlySet<string> = new Set(['tempo', 'mimir', 'loki', 'prometheus']);

/** Grafana replicas of an environment: grafana.deploy.<env>.replicas (HA on its PostgreSQL), else one. */
export function vmGrafanaReplicas(stack: Stack, env: string): number {
  return stack.grafana.deploy?.[env]?.replicas ?? 1;
}

/** The inventory name of the i-th host of a group (gateway-0, kafka-2, …): the name the configs and /etc/hosts use. */
export const vmHostName = (prefix: string, i: number): string => `${prefix}-${i}`;

export function vmPlacement(stack: Stack, t: Topology): VmPlacement {
  const env = stack.environments[t.env.index]!;
  const hosts = env.hosts ?? {};
  const problems: Finding[] = [];
  const base = `environments[${t.env.index}].hosts`;
  const err = (path: string, message: string, suggestion: string) => problems.push({ severity: 'error', rule: 'ansible-hosts', env: t.env.name, path, message, suggestion });

  const take = (group: HostGroup, prefix: string, needed: number, why: string): VmHost[] => {
    const list = hosts[group] ?? [];
    if (needed === 0) {
      if (list.length > 0) problems.push({ severity: 'warning', rule: 'ansible-hosts', env: t.env.name, path: `${base}.${group}`, message: `${list.length} ${group} host(s) given, but ${t.env.name} runs no ${why}: they stay unused`, suggestion: `remove hosts.${group}` });
      return [];
    }
    if (list.length < needed) {
      err(`${base}.${group}`, `${t.env.name} runs ${needed} ${why} (one per VM), but hosts.${group} lists ${list.length}`, `add ${needed - list.length} address(es) to hosts.${group}, or lower the replicas to ${list.length}`);
    } else if (list.length > needed) {
      problems.push({ severity: 'warning', rule: 'ansible-hosts', env: t.env.name, path: `${base}.${group}`, message: `hosts.${group} lists ${list.length} hosts for ${needed} ${why}: the last ${list.length - needed} stay unused`, suggestion: `raise the replicas to ${list.length}, or remove the extra hosts` });
    }
    return list.slice(0, needed).map((address, i) => ({ name: vmHostName(prefix, i), address }));
  };

  const ing = t.ingestion;
  if (ing && stack.ingestion?.collector !== 'otelcol') err('ingestion.collector', 'the ansible target renders OpenTelemetry Collector pools only', 'set ingestion.collector: otelcol');
  const gateway = take('gateway', 'gateway', ing?.gatewayReplicas ?? 0, 'gateway collector(s)');
  const processor = take('processor', 'processor', ing?.processorReplicas ?? 0, 'processor collector(s)');

  let kafka: VmHost[] = [];
  if (t.kafka && !t.kafka.managed) kafka = take('kafka', 'kafka', 0, 'managed Kafka broker');
  else if (t.kafka) {
    kafka = take('kafka', 'kafka', t.kafka.brokers, 'Kafka broker(s)');
    const given = (hosts.kafka ?? []).length;
    for (const tp of t.kafka.topics) {
      if (tp.replication > given) err(tp.definitionPath, `topic "${tp.name}" keeps ${tp.replication} replicas, one per broker VM, but hosts.kafka lists ${given}`, `add hosts to hosts.kafka, or lower replication to ${Math.max(given, 1)}`);
    }
    // KRaft: every broker is also a controller (combined mode, as on compose); a majority of voters must be up
    if (t.kafka.brokers > 1 && t.kafka.brokers % 2 === 0) {
      problems.push({ severity: 'warning', rule: 'ansible-hosts', env: t.env.name, path: t.kafka.definitionPath, message: `${t.kafka.brokers} KRaft voters tolerate as few lost brokers as ${t.kafka.brokers - 1}: the controller quorum needs a majority (${t.kafka.brokers / 2 + 1})`, suggestion: `use an odd broker count (${t.kafka.brokers + 1})` });
    }
  } else take('kafka', 'kafka', 0, 'Kafka');

  // the storage group: the local object store, then the engines (start-up order)
  const storageGroups: string[] = [];
  if (t.objectStorage.kind === 'seaweedfs') storageGroups.push('seaweedfs');
  else if (t.objectStorage.kind === 'minio') err(`objectStorage.${t.objectStorage.name}.kind`, 'the ansible target runs SeaweedFS as its local object store (MinIO is not rendered yet)', 'use kind: seaweedfs, or an external s3');
  for (const e of t.engines.filter((x) => x.managed)) {
    if (!VM_ENGINES.has(e.engine)) {
      err(e.definitionPath, `the ansible target does not run ${e.title} yet`, `leave ${e.signal} out of ${t.env.name}, or mark it managed: false`);
      continue;
    }
    if (e.mode !== 'monolithic') {
      err(e.definitionPath, `the ansible target runs ${e.title} monolithic (one process, the config the compose target runs), not ${e.mode}`, 'set mode: monolithic');
      continue;
    }
    const c = t.components.find((x) => x.engine === e.engine);
    if (c && c.replicas !== 1) err(c.definitionPath, `the ansible target runs one ${e.title} process (monolithic, in-memory ring as on compose), not ${c.replicas}`, 'set replicas: 1');
    storageGroups.push(e.engine);
  }
  const storageList = hosts.storage ?? [];
  if (storageGroups.length > 0 && storageList.length === 0) {
    err(`${base}.storage`, `${t.env.name} runs ${storageGroups.join(', ')} on the storage group, but hosts.storage lists no host`, 'add hosts.storage: [<address>, …]');
  } else if (storageGroups.length === 0 && storageList.length > 0) {
    problems.push({ severity: 'warning', rule: 'ansible-hosts', env: t.env.name, path: `${base}.storage`, message: `hosts.storage is given but ${t.env.name} runs no engine`, suggestion: 'remove hosts.storage' });
  } else if (storageList.length > storageGroups.length) {
    problems.push({ severity: 'warning', rule: 'ansible-hosts', env: t.env.name, path: `${base}.storage`, message: `hosts.storage lists ${storageList.length} hosts for ${storageGroups.length} engine process(es): the last ${storageList.length - storageGroups.length} stay unused`, suggestion: 'remove the extra hosts' });
  }
  const storage: VmHost[] = storageList.slice(0, storageGroups.length).map((address, i) => ({ name: `storage-${i}`, address }));
  const engines = storage.length > 0 ? storageGroups.map((group, i) => ({ group, host: storage[i % storage.length]! })) : [];
  // two engines on one VM must not listen on the same port (their configs are the compose target's: fixed ports)
  const listening = (group: string): number[] => {
    const ports = Object.entries(CATALOG[group as keyof typeof CATALOG].ports).filter(([k]) => k !== 'memberlist').map(([, v]) => v);
    if (group === 'seaweedfs') {
      const u = new URL(t.objectStorage.endpoint);
      return [...ports.filter((_, i) => Object.keys(CATALOG.seaweedfs.ports)[i] !== 's3'), Number(u.port || 80)];
    }
    return ports;
  };
  for (const h of storage) {
    const on = engines.filter((x) => x.host === h).map((x) => x.group);
    for (let i = 0; i < on.length; i++) {
      for (let j = i + 1; j < on.length; j++) {
        const shared = listening(on[i]!).filter((p) => listening(on[j]!).includes(p));
        if (shared.length > 0) err(`${base}.storage`, `${on[i]} and ${on[j]} would share ${h.name} (${h.address}) and port(s) ${[...new Set(shared)].sort((a, b) => a - b).join(', ')}`, `give hosts.storage ${storageGroups.length} addresses (one per engine: ${storageGroups.join(', ')})`);
      }
    }
  }

  const grafana = take('grafana', 'grafana', vmGrafanaReplicas(stack, t.env.name), 'Grafana replica(s)');

  const names: Array<[string, string]> = [];
  for (const h of [...gateway, ...processor, ...kafka, ...grafana]) names.push([h.name, h.name]);
  for (const { group, host } of engines) {
    if (group === 'seaweedfs') {
      const u = new URL(t.objectStorage.endpoint);
      names.push([u.hostname, host.name]);
      if (u.hostname !== 'seaweedfs') names.push(['seaweedfs', host.name]);
    } else names.push([group, host.name]);
  }
  names.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // the gateway hosts' HAProxy in front of the tenants' Faro receivers: its backend ports must fit beside the rest
  problems.push(...(vmFaroProxy(t)?.problems ?? []));
  return { gateway, processor, kafka, storage, engines, grafana, names, problems };
}
