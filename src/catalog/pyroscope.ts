import { comp } from './component.js';
import type { EngineFacts } from './types.js';
import { Gi, Mi } from './units.js';
import { CHART_REPOS, chartVersion, engineVersion } from './versions.js';

const READ_PATH = {
  severity: 'error' as const,
  reason: 'Pyroscope 1.x microservices serve queries through the query-scheduler and read flushed blocks through store-gateways; without either, profile queries fail',
};

/** Grafana Pyroscope 1.x (documentation v1.16.x); the pyroscope chart runs all-in-one or as microservices. */
export const pyroscope: EngineFacts = {
  id: 'pyroscope',
  title: 'Pyroscope',
  signal: 'profiles',
  datasourceType: 'grafana-pyroscope-datasource',
  image: 'grafana/pyroscope',
  pinned: engineVersion('pyroscope'),
  ports: { http: 4040, memberlist: 7946 },
  buckets: [{ purpose: 'blocks', contents: 'profile blocks' }],
  versions: [
    {
      line: '1',
      releases: ['1.14.0', '1.15.0', '1.16.0'],
      documented: 'v1.16.x',
      // Pyroscope's own default is 1 (pkg/pyroscope/pyroscope.go at v1.16.0); 3 is otelstack's, written explicitly.
      // A real Pyroscope 1.16.0 running the chart's prod config as one process refused pushes ("at least 2 live
      // replicas required"), and as its 14 processes had 3 ACTIVE ingesters and wrote one block per ingester.
      replicationFactor: { default: 3, component: 'ingester' },
      modes: {
        monolithic: {
          kafka: 'no',
          chart: { repository: CHART_REPOS.grafana, name: 'pyroscope', version: chartVersion('pyroscope') },
          components: [comp('pyroscope', 'write', { cpu: 200, memory: 1 * Gi, storage: 10 * Gi }, [1, 1], { stateful: true, singleton: true })],
        },
        microservices: {
          kafka: 'no',
          chart: { repository: CHART_REPOS.grafana, name: 'pyroscope', version: chartVersion('pyroscope') },
          components: [
            comp('distributor', 'write', { cpu: 50, memory: 256 * Mi }, [1, 2]),
            comp('ingester', 'write', { cpu: 150, memory: 512 * Mi, memoryLimit: 2 * Gi }, [1, 3], { stateful: true, replicated: true }),
            comp('query-frontend', 'read', { cpu: 50, memory: 128 * Mi }, [1, 2]),
            comp('query-scheduler', 'read', { cpu: 50, memory: 128 * Mi }, [1, 2], { optional: true, whenAbsent: READ_PATH }),
            comp('querier', 'read', { cpu: 100, memory: 256 * Mi }, [1, 2]),
            comp('store-gateway', 'read', { cpu: 100, memory: 256 * Mi, memoryLimit: 1 * Gi }, [1, 2], { optional: true, whenAbsent: READ_PATH }),
            comp('compactor', 'backend', { cpu: 100, memory: 512 * Mi, storage: 2 * Gi }, [1, 1], { stateful: true }),
          ],
        },
      },
    },
  ],
  endpoints: ({ target, namespace, release, mode }) => {
    const host = (svc: string) => (target === 'kubernetes' ? `${svc}.${namespace}.svc.cluster.local` : svc);
    const svc = mode === 'monolithic' ? release : `${release}-query-frontend`;
    return { push: `http://${host(mode === 'monolithic' ? release : `${release}-distributor`)}:4040`, query: `http://${host(svc)}:4040` };
  },
};

/** Log level otelstack runs Pyroscope at (Pyroscope's own `-log.level` default; the pyroscope chart sets debug). */
export const PYROSCOPE_LOG_LEVEL = 'info';
/**
 * Store-gateway replication factor (each block served by this many store-gateways; queriers must use the same):
 * the pyroscope chart's microservices default, capped at the store-gateway replica count.
 */
export const PYROSCOPE_STORE_GATEWAY_RF = 3;

/**
 * Profile type Grafana opens from a span (Tempo datasource tracesToProfiles.profileTypeId): CPU time, as the
 * Pyroscope SDKs and Alloy's pyroscope components name it.
 */
export const PYROSCOPE_TRACE_PROFILE_TYPE = 'process_cpu:cpu:nanoseconds:cpu:nanoseconds';

/**
 * The tenant Pyroscope stores profiles under with multi-tenancy off: pkg/tenant/interceptor.go at v1.16.0 (eb30cfb4),
 * and seen on a real Pyroscope 1.16.0 (local run of the chart-generated configs): `tenant=anonymous` in its logs, its
 * blocks under `anonymous/phlaredb/` in the bucket.
 */
export const PYROSCOPE_NO_AUTH_TENANT = 'anonymous';
