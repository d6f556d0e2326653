/**
 * Sizing the collection layer from an expected load: how many gateway and processor replicas, how many partitions per
 * buffer topic and how many Kafka brokers the load needs, against what the definition has. Pure arithmetic over the
 * topology and a SizingBasis (a calibration file from `npm run bench:pipeline`, or seed 002's figures).
 *
 *  - a pool: cores needed = Σ over signals of load × (1 + headroom) / events-per-core of the role; replicas needed =
 *    ⌈cores needed / CPU request per replica⌉, at least 1. One replica handles every signal, so the signals' CPU adds.
 *  - a buffer topic: one partition is read by one processor replica at a time, so partitions ≥ ⌈load × (1 + headroom)
 *    / what one processor replica handles of that signal alone⌉, and ≥ the processor replicas needed (each replica
 *    takes a share of every signal, which is what the pool arithmetic assumes).
 *  - brokers: seed 002's Kafka tiers by the total events/s with headroom (the bench does not measure brokers: one
 *    broker on a shared loopback says nothing about a cluster's disks and network).
 */
import { SEED_002_EVENTS_PER_BROKER_BEYOND, SEED_002_KAFKA_TIERS, SEED_003_ALLOY, type KafkaTier } from '../catalog/capacity.js';
import type { Topology } from '../topology/types.js';
import { SIZED_SIGNALS, seedBasis, type CalibrationRole, type PerCoreFigure, type SizedSignal, type SizingBasis } from './calibration.js';

export type LoadPerSignal = Partial<Record<SizedSignal, number>>;

/** Σ load × (1 + headroom/100) / per-core, in cores. */
export function coresNeeded(load: LoadPerSignal, headroomPercent: number, perCore: Readonly<Record<SizedSignal, number>>): number {
  let cores = 0;
  for (const s of SIZED_SIGNALS) {
    const l = load[s];
    if (l !== undefined && l > 0) cores += (l * (1 + headroomPercent / 100)) / perCore[s];
  }
  return cores;
}

/** ⌈x⌉ that forgives floating-point dust (3.0000000000000004 → 3). */
function ceil(x: number): number {
  return Math.ceil(x - 1e-9);
}

/** Replicas of `cpuMillicores` each that cover `cores`; at least 1. */
export function replicasFor(cores: number, cpuMillicores: number): number {
  return Math.max(1, ceil(cores / (Math.max(1, cpuMillicores) / 1000)));
}

/** Partitions one signal's topic needs: enough that no partition carries more than one replica handles, and one per replica. */
export function partitionsFor(load: number, headroomPercent: number, perReplicaEventsPerSecond: number, replicas: number): number {
  const byRate = load > 0 ? ceil((load * (1 + headroomPercent / 100)) / perReplicaEventsPerSecond) : 1;
  return Math.max(1, byRate, replicas);
}

/** seed 002's Kafka tier for a total load (with headroom), and the brokers it asks for. */
export function brokersFor(eventsPerSecond: number): { brokers: number; tier: KafkaTier } {
  const tier = SEED_002_KAFKA_TIERS.find((t) => eventsPerSecond <= t.upToEventsPerSecond) ?? SEED_002_KAFKA_TIERS[SEED_002_KAFKA_TIERS.length - 1]!;
  const brokers = tier.upToEventsPerSecond === Infinity ? Math.max(tier.brokers, ceil(eventsPerSecond / SEED_002_EVENTS_PER_BROKER_BEYOND)) : tier.brokers;
  return { brokers, tier };
}

export interface PoolSizing {
  readonly pool: 'gateway' | 'processor';
  readonly role: CalibrationRole;
  readonly cpuPerReplicaMillicores: number;
  /** replicas the definition gives */
  readonly replicas: number;
  readonly needed: number;
  readonly coresNeeded: number;
  /** events/s one replica handles of each signal alone (per-core figure × CPU request) */
  readonly perReplica: Readonly<Record<SizedSignal, number>>;
  /** where each signal's per-core figure came from */
  readonly sources: Readonly<Record<SizedSignal, PerCoreFigure['source']>>;
  /** definition path of the replicas to change */
  readonly path: string;
}

export interface TopicSizing {
  readonly signal: SizedSignal;
  readonly topic: string;
  readonly partitions: number;
  readonly needed: number;
  readonly path: string;
}

export interface BrokerSizing {
  readonly brokers: number;
  readonly needed: number;
  readonly tier: string;
  readonly tierSource: string;
  readonly managed: boolean;
  readonly path: string;
}

export interface EnvironmentSizing {
  readonly source: SizingBasis['source'];
  readonly basis: string;
  readonly headroomPercent: number;
  readonly load: LoadPerSignal;
  /** Σ load × (1 + headroom), events/s */
  readonly totalWithHeadroom: number;
  readonly pools: readonly PoolSizing[];
  readonly topics: readonly TopicSizing[];
  readonly kafka?: BrokerSizing;
  /** what the sizing could not take into account */
  readonly notes: readonly string[];
}

function perCoreOf(basis: SizingBasis, role: CalibrationRole): { perCore: Record<SizedSignal, number>; sources: Record<SizedSignal, PerCoreFigure['source']> } {
  const perCore = {} as Record<SizedSignal, number>;
  const sources = {} as Record<SizedSignal, PerCoreFigure['source']>;
  for (const s of SIZED_SIGNALS) {
    const f = basis.perCore(role, s);
    perCore[s] = f.eventsPerSecondPerCore;
    sources[s] = f.source;
  }
  return { perCore, sources };
}

/** The sizing of one environment's collection layer, or undefined when the definition gives it no load. */
export function sizeEnvironment(t: Topology, given: SizingBasis): EnvironmentSizing | undefined {
  const ing = t.ingestion;
  const l = ing?.load;
  if (!ing || !l) return undefined;
  const notes: string[] = [];
  let basis = given;
  if (ing.collector !== 'otelcol' && given.source === 'calibration') {
    basis = seedBasis(`the calibration file measured otelcol, this environment collects with ${ing.collector}`);
  }
  if (ing.collector === 'alloy') {
    notes.push(`seed 003 "Load Test Report": Alloy ${SEED_003_ALLOY.requestsPerSecond} RPS on ${SEED_003_ALLOY.cores} core / ${SEED_003_ALLOY.memory} — requests, not events, so not used for sizing`);
  }
  const load: LoadPerSignal = {};
  for (const s of SIZED_SIGNALS) if (l[s] !== undefined) load[s] = l[s];
  const h = l.headroomPercent;
  const pools: PoolSizing[] = [];
  const poolOf = (name: 'gateway' | 'processor', role: CalibrationRole, replicas: number): PoolSizing | undefined => {
    const c = t.components.find((x) => x.component === name && (x.engine === 'otelcol' || x.engine === 'alloy') && !x.sidecarOf);
    if (!c) return undefined;
    const cpu = Math.max(1, c.perReplica.cpuRequestMillicores);
    const { perCore, sources } = perCoreOf(basis, role);
    const cores = coresNeeded(load, h, perCore);
    const perReplica = Object.fromEntries(SIZED_SIGNALS.map((s) => [s, (perCore[s] * cpu) / 1000])) as Record<SizedSignal, number>;
    return { pool: name, role, cpuPerReplicaMillicores: cpu, replicas, needed: replicasFor(cores, cpu), coresNeeded: cores, perReplica, sources, path: `${c.definitionPath}.replicas` };
  };
  const gw = poolOf('gateway', ing.kafkaBuffer ? 'gateway-kafka' : 'gateway', ing.gatewayReplicas);
  if (gw) pools.push(gw);
  const topics: TopicSizing[] = [];
  let kafka: BrokerSizing | undefined;
  const total = SIZED_SIGNALS.reduce((n, s) => n + (load[s] ?? 0), 0) * (1 + h / 100);
  if (ing.kafkaBuffer) {
    const pr = poolOf('processor', 'processor', ing.processorReplicas);
    if (pr) {
      pools.push(pr);
      for (const s of SIZED_SIGNALS) {
        const v = load[s];
        const tp = ing.topics.find((x) => x.owner === `collector:${s}`);
        if (v === undefined || !tp) continue;
        const path = tp.definitionPath === `ingestion.topics.${s}` ? `${tp.definitionPath}.partitions` : `ingestion.topics.${s}.partitions`;
        // a partition per consumer: processor replicas beyond the partitions would sit idle
        topics.push({ signal: s, topic: tp.name, partitions: tp.partitions, needed: partitionsFor(v, h, pr.perReplica[s], Math.max(pr.needed, pr.replicas)), path });
      }
    }
    const engineTopics = t.kafka?.topics.filter((x) => !x.owner.startsWith('collector:')).map((x) => x.name) ?? [];
    if (engineTopics.length) notes.push(`the brokers also carry the engines' ingest topics (${engineTopics.join(', ')}); their traffic is not in the load`);
    if (t.kafka) {
      const b = brokersFor(total);
      kafka = { brokers: t.kafka.brokers, needed: b.brokers, tier: b.tier.scale, tierSource: b.tier.source, managed: t.kafka.managed, path: `${t.kafka.definitionPath}.brokers` };
    }
  }
  return { source: basis.source, basis: basis.description, headroomPercent: h, load, totalWithHeadroom: total, pools, topics, ...(kafka ? { kafka } : {}), notes };
}
