import { comp } from './component.js';
import type { EngineFacts } from './types.js';
import { Gi, Mi } from './units.js';
import { CHART_REPOS, chartVersion, engineVersion } from './versions.js';

/**
 * Grafana Loki 3.x (documentation v3.6.x). The loki chart, now in the grafana-community repository, selects the
 * mode with deploymentMode: SingleBinary, SimpleScalable or Distributed. Ingesters replicate writes (RF 3).
 */
export const LOKI_DEPLOYMENT_MODE = { monolithic: 'SingleBinary', 'simple-scalable': 'SimpleScalable', microservices: 'Distributed' } as const;

export const loki: EngineFacts = {
  id: 'loki',
  title: 'Loki',
  signal: 'logs',
  datasourceType: 'loki',
  image: 'grafana/loki',
  pinned: engineVersion('loki'),
  ports: { http: 3100, grpc: 9095, memberlist: 7946 },
  buckets: [
    { purpose: 'chunks', contents: 'compressed log chunks and TSDB index' },
    { purpose: 'ruler', usedBy: 'ruler', contents: 'rule groups' },
  ],
  versions: [
    {
      line: '3',
      releases: ['3.5.0', '3.6.0', '3.6.3'],
      documented: 'v3.6.x',
      replicationFactor: { default: 3, component: 'ingester' },
      modes: {
        monolithic: {
          kafka: 'no',
          chart: { repository: CHART_REPOS.grafanaCommunity, name: 'loki', version: chartVersion('loki') },
          components: [comp('loki', 'write', { cpu: 250, memory: 1 * Gi, storage: 10 * Gi }, [1, 3], { stateful: true, replicated: true })],
        },
        'simple-scalable': {
          kafka: 'no',
          chart: { repository: CHART_REPOS.grafanaCommunity, name: 'loki', version: chartVersion('loki') },
          components: [
            comp('write', 'write', { cpu: 250, memory: 1 * Gi, memoryLimit: 4 * Gi, storage: 10 * Gi }, [1, 3], { stateful: true, replicated: true }),
            comp('read', 'read', { cpu: 200, memory: 512 * Mi }, [1, 2]),
            comp('backend', 'backend', { cpu: 200, memory: 512 * Mi, storage: 10 * Gi }, [1, 3], { stateful: true }),
          ],
        },
        microservices: {
          kafka: 'no',
          chart: { repository: CHART_REPOS.grafanaCommunity, name: 'loki', version: chartVersion('loki') },
          components: [
            comp('distributor', 'write', { cpu: 100, memory: 256 * Mi }, [1, 2]),
            comp('ingester', 'write', { cpu: 200, memory: 1 * Gi, memoryLimit: 4 * Gi, storage: 10 * Gi }, [1, 3], { stateful: true, replicated: true }),
            comp('query-frontend', 'read', { cpu: 50, memory: 256 * Mi }, [1, 2]),
            comp('query-scheduler', 'read', { cpu: 50, memory: 128 * Mi }, [1, 2]),
            comp('querier', 'read', { cpu: 100, memory: 512 * Mi }, [1, 2]),
            comp('index-gateway', 'read', { cpu: 100, memory: 512 * Mi, storage: 5 * Gi }, [1, 2], { stateful: true }),
            comp('compactor', 'backend', { cpu: 100, memory: 512 * Mi, storage: 5 * Gi }, [1, 1], { stateful: true }),
            comp('ruler', 'backend', { cpu: 100, memory: 256 * Mi }, [1, 2], { optional: true }),
          ],
        },
      },
    },
  ],
  endpoints: ({ target, namespace, release, mode }) => {
    const host = (svc: string) => (target === 'kubernetes' ? `${svc}.${namespace}.svc.cluster.local` : svc);
    if (target !== 'kubernetes') return { push: `http://${host(release)}:3100/otlp`, query: `http://${host(release)}:3100` };
    // The loki chart fronts every mode with its gateway service on port 80.
    void mode;
    return { push: `http://${host(`${release}-gateway`)}/otlp`, query: `http://${host(`${release}-gateway`)}` };
  },
};
