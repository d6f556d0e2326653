/**
 * The migration target of examples/dts/mimir-2.ts (dts on Mimir 2.17): the same stack with prod's Mimir in read-write
 * mode (seed 004), everything else unchanged. Mimir 3.0 removed read-write mode, so this is a Mimir 2.x stack.
 * `otelstack migrate plan examples/dts/mimir-2.ts examples/dts/read-write.ts --env prod` prints the runbook with
 * prod's own replica counts and its peak resources against prod's quota.
 * The read-write components are sized from prod's microservices: mimir-write = distributor + ingester, mimir-read =
 * query-frontend + querier, mimir-backend = query-scheduler + store-gateway + compactor + ruler, one replica per zone
 * for the zone-aware write and backend paths. The Alertmanager keeps its own StatefulSet, as Mimir's read-write jsonnet
 * keeps it.
 */
import { defineStack } from 'otelstack';
import dts from './mimir-2.js';

const metrics = dts.signals.metrics;

export default defineStack({
  ...dts,
  signals: {
    ...dts.signals,
    metrics: {
      ...metrics,
      environments: {
        ...metrics.environments,
        prod: {
          mode: 'read-write',
          ingestStorage: false,
          replicationFactor: 3,
          zoneAware: true,
          components: {
            'mimir-write': { replicas: 3, cpu: '300m', memory: '1280Mi', memoryLimit: '4Gi', storage: '2Gi' },
            'mimir-read': { replicas: 2, cpu: '150m', memory: '768Mi' },
            'mimir-backend': { replicas: 3, cpu: '250m', memory: '1408Mi', memoryLimit: '4Gi', storage: '5Gi' },
            alertmanager: metrics.environments.prod!.components!['alertmanager']!,
          },
        },
      },
    },
  },
});
