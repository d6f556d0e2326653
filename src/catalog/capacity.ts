/**
 * Capacity facts the seeds give, for sizing collector pools and Kafka when no calibration file (measured on the
 * real pipeline by `npm run bench:pipeline`) is at hand. Figures are the seed's own; how they are read is said next
 * to each one. src/plan/sizing.ts does the arithmetic.
 *
 *  - seed 002 "Single-Node Reliability Improvements" → "Single-Node Capacity Limits": a node of 8 cores handles
 *    ~50K spans/sec. It is the only per-core throughput the seeds state; the sizing reads it as 6 250 events/s per
 *    collector core for every role and signal. That is conservative for a collector (the seed's node also runs the
 *    backends), and says nothing about metrics or logs beyond "events".
 *  - seed 002 "Message Queue Layer (Kafka)" → "Kafka Cluster Sizing": brokers and partitions per topic by events/s.
 *  - seed 002 "Scaling Guidelines" → "Capacity Planning": events/s tiers with collectors, Kafka brokers and storage
 *    nodes; its Large (500K–2M: 9+ brokers) and Enterprise (2M+: 15+ brokers) rows extend the Kafka table.
 *  - seed 003 "Load Test Report": Alloy 1500 RPS on 1 core / 1Gi. Requests, not events (the batch size is not
 *    given), so it cannot size a pool in events/s; kept as the seed's statement, shown where Alloy is sized.
 */

/** seed 002 "Single-Node Capacity Limits": CPU 8 cores (recommended minimum) → ~50K spans/sec expected throughput. */
export const SEED_002_SINGLE_NODE = { cores: 8, spansPerSecond: 50_000 } as const;

/** Events/s per collector core the seed figures imply (50 000 / 8). */
export const SEED_EVENTS_PER_CORE = SEED_002_SINGLE_NODE.spansPerSecond / SEED_002_SINGLE_NODE.cores;

export interface KafkaTier {
  /** the seed's scale name */
  readonly scale: string;
  /** the tier holds loads up to this many events/s (Infinity: the last tier) */
  readonly upToEventsPerSecond: number;
  readonly brokers: number;
  /** partitions per topic the seed gives for the tier (undefined: the seed's table has none for it) */
  readonly partitionsPerTopic?: number;
  /** where the row comes from */
  readonly source: string;
}

/**
 * seed 002 "Kafka Cluster Sizing" (Small 3 brokers / 6 partitions ~100K events/sec; Medium 5 / 12 ~500K; Large 9+ /
 * 24+ 1M+), continued by "Capacity Planning" (Large 500K–2M: 9+ brokers; Enterprise 2M+: 15+ brokers). A tier's
 * upper bound is where the next row starts; beyond 2M the Enterprise ratio (15 brokers for 2M events/s) is kept.
 */
export const SEED_002_KAFKA_TIERS: readonly KafkaTier[] = [
  { scale: 'Small', upToEventsPerSecond: 100_000, brokers: 3, partitionsPerTopic: 6, source: 'seed 002 Kafka Cluster Sizing' },
  { scale: 'Medium', upToEventsPerSecond: 500_000, brokers: 5, partitionsPerTopic: 12, source: 'seed 002 Kafka Cluster Sizing' },
  { scale: 'Large', upToEventsPerSecond: 2_000_000, brokers: 9, partitionsPerTopic: 24, source: 'seed 002 Kafka Cluster Sizing / Capacity Planning' },
  { scale: 'Enterprise', upToEventsPerSecond: Infinity, brokers: 15, partitionsPerTopic: 24, source: 'seed 002 Capacity Planning' },
];

/** Events/s per broker beyond the last bounded tier (Enterprise: 15 brokers at 2M events/s). */
export const SEED_002_EVENTS_PER_BROKER_BEYOND = 2_000_000 / 15;

/** seed 003 "Load Test Report": Alloy 1500 RPS (1 core, 1Gi). Requests per second; not convertible to events. */
export const SEED_003_ALLOY = { requestsPerSecond: 1500, cores: 1, memory: '1Gi' } as const;

/** The calibration file `npm run bench:pipeline` writes and `plan` reads next to a definition by default. */
export const CALIBRATION_FILE_NAME = 'calibration.json';
/** The file's `kind`, so neither side takes (or overwrites) a JSON file that is something else. */
export const CALIBRATION_KIND = 'otelstack-calibration';
