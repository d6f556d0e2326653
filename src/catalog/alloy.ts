import { comp } from './component.js';
import type { EngineFacts } from './types.js';
import { Gi, Mi } from './units.js';
import { CHART_REPOS, chartVersion, engineVersion } from './versions.js';

/** Grafana Alloy 1.x (documentation v1.12): otelcol.receiver.otlp, prometheus.remote_write, faro.receiver. */
export const alloy: EngineFacts = {
  id: 'alloy',
  title: 'Alloy',
  image: 'grafana/alloy',
  pinned: engineVersion('alloy'),
  ports: { http: 12345, otlpGrpc: 4317, otlpHttp: 4318, faro: 12347 },
  buckets: [],
  versions: [
    {
      line: '1',
      releases: ['1.10.0', '1.11.0', '1.12.0'],
      documented: 'v1.12',
      modes: {
        monolithic: {
          kafka: 'no',
          chart: { repository: CHART_REPOS.grafana, name: 'alloy', version: chartVersion('alloy') },
          components: [
            comp('gateway', 'write', { cpu: 500, memory: 512 * Mi, storage: 1 * Gi }, [1, 2]),
          ],
        },
      },
    },
  ],
};
