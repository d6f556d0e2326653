import { comp } from './component.js';
import type { EngineFacts } from './types.js';
import { Gi, Mi } from './units.js';
import { engineVersion } from './versions.js';

/** OpenTelemetry Collector (contrib components), documentation of the pinned release (see versions.json). */
/** The collector binary inside otel/opentelemetry-collector-contrib (a scratch image: no shell, no probe tool). */
export const OTELCOL_IMAGE_BINARY = '/otelcol-contrib';

export const otelcol: EngineFacts = {
  id: 'otelcol',
  title: 'OpenTelemetry Collector',
  image: 'otel/opentelemetry-collector-contrib',
  pinned: engineVersion('otelcol'),
  // FROM scratch with the binary only: a healthcheck can run nothing but the binary, which has no probe subcommand;
  // the compose target probes the health_check extension (:13133) from a busybox service instead
  imageTools: { tools: ['/otelcol-contrib'], source: 'open-telemetry/opentelemetry-collector-releases distributions/otelcol-contrib Dockerfile (FROM scratch)' },
  ports: { otlpGrpc: 4317, otlpHttp: 4318, metrics: 8888, health: 13133 },
  ready: { port: 'health', path: '/' },
  buckets: [],
  versions: [
    {
      line: '0',
      releases: [engineVersion('otelcol')],
      documented: `v${engineVersion('otelcol')}`,
      modes: {
        monolithic: {
          kafka: 'no',
          chart: { repository: 'https://open-telemetry.github.io/opentelemetry-helm-charts', name: 'opentelemetry-collector', version: '0.140.0' },
          components: [
            comp('gateway', 'write', { cpu: 500, memory: 1 * Gi, storage: 2 * Gi }, [1, 2], {
              stateful: true,
              note: 'persistent sending queues live on its volume',
            }),
            comp('processor', 'write', { cpu: 500, memory: 1 * Gi, storage: 2 * Gi }, [1, 2], {
              stateful: true,
              optional: true,
              // deployed only behind a Kafka buffer, where it is the only consumer of the buffer topics
              minReplicas: 1,
            }),
          ],
        },
      },
    },
  ],
};
