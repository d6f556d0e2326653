/**
 * The Phase 1 rollout of seed 000, corrected. `otelstack plan examples/dts` plans it; the seed exactly as
 * written is in as-written/stack.yaml. Every difference from the seed, and why, is listed in README.md.
 */
import { defineStack } from 'otelstack';

const seaweedfs = (name: string) => ({
  kind: 'seaweedfs' as const,
  endpoint: `http://${name}-s3.seaweedfs.svc.cluster.local:8333`,
  credentials: { secretName: `${name}-s3` },
});

export default defineStack({
  name: 'dts',
  conventions: { bucket: 'dts-{signal}-{env}-{purpose}' },
  objectStorage: {
    'seaweedfs-dev': seaweedfs('seaweedfs-dev'),
    'seaweedfs-ha': seaweedfs('seaweedfs-ha'),
  },
  environments: [
    {
      name: 'dev',
      namespace: 'ca7f8f-dev',
      target: 'kubernetes',
      objectStorage: 'seaweedfs-dev',
      currentPhase: 1, // the Phase 1 rollout: Pyroscope (phase 3) is planned and budgeted, not rendered yet
      capacity: { headroom: { cpu: '2530m', memory: '11.3Gi', storage: '33Gi' } },
    },
    {
      name: 'test',
      namespace: 'ca7f8f-test',
      target: 'kubernetes',
      objectStorage: 'seaweedfs-ha',
      currentPhase: 1,
      capacity: { headroom: { cpu: '5340m', memory: '24.8Gi', storage: '30Gi' } },
    },
    {
      name: 'prod',
      namespace: 'ca7f8f-prod',
      target: 'kubernetes',
      ha: true,
      objectStorage: 'seaweedfs-ha',
      zones: ['zone-a', 'zone-b', 'zone-c'],
      currentPhase: 1,
      capacity: {
        quota: { cpu: '4000m', memory: '16Gi', storage: '64Gi' },
        used: { cpu: '2630m', memory: '8.5Gi', storage: '55Gi' },
        // the seed's own request steps: CPU in 2-core, memory in 8Gi, storage in 32Gi increments
        request: { targetHeadroomPercent: 20, step: { cpu: '2000m', memory: '8Gi', storage: '32Gi' } },
      },
    },
  ],
  signals: {
    traces: {
      engine: 'tempo', // Tempo 3 (pinned): monolithic needs no Kafka; microservices writes through Kafka
      environments: {
        // spanMetrics: the metrics-generator writes span metrics and service graphs into the environment's Mimir
        // (the RED and service-map dashboards read them). No Helm chart deploys monolithic Tempo 3 (the tempo chart
        // ships Tempo 2.10), so dev and test run tempo-distributed with every replica at 1 and one Kafka partition.
        dev: {
          mode: 'microservices',
          kafka: { partitions: 1 },
          spanMetrics: true,
          components: {
            distributor: { replicas: 1, cpu: '50m', memory: '128Mi' },
            'block-builder': { replicas: 1, cpu: '100m', memory: '512Mi' },
            'live-store': { replicas: 1, cpu: '100m', memory: '512Mi', storage: '1Gi' },
            'query-frontend': { replicas: 1, cpu: '25m', memory: '128Mi' },
            querier: { replicas: 1, cpu: '50m', memory: '256Mi' },
            'backend-scheduler': { replicas: 1, cpu: '25m', memory: '64Mi' },
            'backend-worker': { replicas: 1, cpu: '50m', memory: '256Mi' },
            'metrics-generator': { replicas: 1, cpu: '50m', memory: '256Mi' },
          },
        },
        test: {
          mode: 'microservices',
          kafka: { partitions: 1 },
          spanMetrics: true,
          components: {
            distributor: { replicas: 1, cpu: '100m', memory: '256Mi' },
            'block-builder': { replicas: 1, cpu: '200m', memory: '1Gi' },
            'live-store': { replicas: 1, cpu: '200m', memory: '1Gi', storage: '2Gi' },
            'query-frontend': { replicas: 1, cpu: '50m', memory: '256Mi' },
            querier: { replicas: 1, cpu: '100m', memory: '512Mi' },
            'backend-scheduler': { replicas: 1, cpu: '50m', memory: '128Mi' },
            'backend-worker': { replicas: 1, cpu: '100m', memory: '512Mi' },
            'metrics-generator': { replicas: 1, cpu: '100m', memory: '512Mi' },
          },
        },
        prod: {
          mode: 'microservices',
          kafka: { partitions: 2 }, // = block-builder replicas = live-store replicas
          spanMetrics: true,
          components: {
            distributor: { replicas: 2, cpu: '100m', memory: '256Mi' },
            'block-builder': { replicas: 2, cpu: '200m', memory: '1Gi' },
            'live-store': { replicas: 2, cpu: '200m', memory: '1Gi', storage: '2Gi' },
            'query-frontend': { replicas: 2, cpu: '50m', memory: '256Mi' },
            querier: { replicas: 2, cpu: '100m', memory: '512Mi' },
            'backend-scheduler': { replicas: 1, cpu: '50m', memory: '128Mi' },
            'backend-worker': { replicas: 2, cpu: '100m', memory: '512Mi' },
            'metrics-generator': { replicas: 2, cpu: '100m', memory: '512Mi' }, // its own Kafka consumer group
          },
        },
      },
    },
    metrics: {
      engine: 'mimir',
      environments: {
        dev: {
          mode: 'microservices',
          ingestStorage: false, // classic ingesters with a WAL; chart 6 would otherwise deploy its demo Kafka
          components: {
            distributor: { replicas: 1, cpu: '50m', memory: '128Mi' },
            ingester: { replicas: 1, cpu: '100m', memory: '512Mi', memoryLimit: '1Gi', storage: '1Gi' },
            querier: { replicas: 1, cpu: '50m', memory: '256Mi' },
            'query-frontend': { replicas: 1, cpu: '25m', memory: '128Mi' },
            'query-scheduler': { replicas: 1, cpu: '25m', memory: '64Mi' }, // chart 6 deploys it anyway: budget it
            'store-gateway': { replicas: 1, cpu: '25m', memory: '256Mi', memoryLimit: '512Mi', storage: '0' },
            compactor: { replicas: 1, cpu: '25m', memory: '128Mi', storage: '1Gi' },
            alertmanager: { replicas: 1, cpu: '25m', memory: '128Mi', storage: '0' },
          },
        },
        test: {
          mode: 'microservices',
          ingestStorage: false,
          components: {
            distributor: { replicas: 1, cpu: '100m', memory: '256Mi' },
            ingester: { replicas: 1, cpu: '250m', memory: '1Gi', memoryLimit: '2Gi', storage: '2Gi' },
            querier: { replicas: 1, cpu: '100m', memory: '512Mi' },
            'query-frontend': { replicas: 1, cpu: '50m', memory: '256Mi' },
            'query-scheduler': { replicas: 1, cpu: '25m', memory: '64Mi' },
            'store-gateway': { replicas: 1, cpu: '100m', memory: '512Mi', memoryLimit: '1Gi', storage: '0' },
            compactor: { replicas: 1, cpu: '50m', memory: '256Mi', storage: '2Gi' },
            alertmanager: { replicas: 1, cpu: '50m', memory: '256Mi', storage: '0' },
          },
        },
        prod: {
          mode: 'microservices',
          ingestStorage: false,
          replicationFactor: 3, // quorum 2 of 3: survives one lost ingester (RF 2 survives none)
          zoneAware: true,
          components: {
            distributor: { replicas: 2, cpu: '100m', memory: '256Mi' },
            ingester: { replicas: 3, cpu: '200m', memory: '1Gi', memoryLimit: '4Gi', storage: '2Gi' },
            querier: { replicas: 2, cpu: '100m', memory: '512Mi' },
            'query-frontend': { replicas: 2, cpu: '50m', memory: '256Mi' },
            'query-scheduler': { replicas: 2, cpu: '50m', memory: '128Mi' },
            'store-gateway': { replicas: 2, cpu: '100m', memory: '512Mi', memoryLimit: '2Gi', storage: '2Gi' },
            compactor: { replicas: 1, cpu: '100m', memory: '512Mi', storage: '2Gi' },
            ruler: { replicas: 2, cpu: '50m', memory: '256Mi' }, // cross-namespace rules written once (seed 000)
            alertmanager: { replicas: 3, cpu: '50m', memory: '256Mi', storage: '1Gi' },
          },
        },
      },
    },
    logs: {
      engine: 'loki',
      managed: false, // Loki is already deployed by the same ArgoCD + Helm pattern; only wired up here
      environments: {
        dev: { mode: 'simple-scalable' },
        test: { mode: 'simple-scalable' },
        prod: { mode: 'simple-scalable' },
      },
    },
    profiles: {
      engine: 'pyroscope',
      phase: 3,
      environments: {
        dev: { mode: 'monolithic', components: { pyroscope: { cpu: '100m', memory: '512Mi', storage: '2Gi' } } },
        test: { mode: 'monolithic', components: { pyroscope: { cpu: '100m', memory: '512Mi', storage: '2Gi' } } },
        prod: {
          mode: 'microservices',
          components: {
            distributor: { replicas: 2, cpu: '50m', memory: '256Mi' },
            ingester: { replicas: 3, cpu: '150m', memory: '512Mi', storage: '0' },
            querier: { replicas: 2, cpu: '100m', memory: '256Mi' },
            'query-frontend': { replicas: 2, cpu: '50m', memory: '128Mi' },
            // the seed's Pyroscope estimate leaves these out; Pyroscope cannot answer queries without them
            'query-scheduler': { replicas: 2, cpu: '25m', memory: '64Mi' },
            'store-gateway': { replicas: 2, cpu: '50m', memory: '256Mi', memoryLimit: '1Gi' },
            compactor: { replicas: 1, cpu: '100m', memory: '512Mi', storage: '2Gi' },
          },
        },
      },
    },
  },
  kafka: {
    environments: {
      // Tempo 3's write path: one broker each in dev and test (topic replication capped to the broker count),
      // three KRaft brokers in prod so the ingest topic keeps replication 3, min in-sync 2
      dev: { brokers: 1, cpu: '250m', memory: '1Gi', storage: '5Gi' },
      test: { brokers: 1, cpu: '250m', memory: '1Gi', storage: '5Gi' },
      prod: { brokers: 3, cpu: '250m', memory: '1536Mi', storage: '8Gi' },
    },
  },
  ingestion: {
    collector: 'alloy',
    shared: true, // the shared Alloy of seed 000: its values are rendered, its pods are budgeted elsewhere
    routing: 'by-namespace',
  },
  policy: { cpuLimits: [], memoryLimits: ['ingester', 'store-gateway'] },
  grafana: {
    datasourceName: '{Engine} ({env})',
    deprecatedDatasources: [
      { name: 'Prometheus (ca7f8f-dev)', env: 'dev', reason: 'replaced by Mimir (dev): one datasource for every namespace' },
      { name: 'Prometheus (ca7f8f-test)', env: 'test', reason: 'replaced by Mimir (test)' },
      { name: 'Prometheus (ca7f8f-prod)', env: 'prod', reason: 'replaced by Mimir (prod)' },
    ],
  },
});
