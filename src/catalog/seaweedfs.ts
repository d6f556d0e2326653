import { comp } from './component.js';
import type { EngineFacts } from './types.js';
import { Gi, Mi } from './units.js';
import { engineVersion } from './versions.js';

/** SeaweedFS with its S3 gateway (documentation 3.x wiki: "Amazon S3 API"). */
export const seaweedfs: EngineFacts = {
  id: 'seaweedfs',
  title: 'SeaweedFS',
  image: 'chrislusf/seaweedfs',
  pinned: engineVersion('seaweedfs'),
  // seaweedfs/seaweedfs docker/Dockerfile.go_build: final stage FROM alpine with /usr/bin/weed — busybox wget and sh
  imageTools: { tools: ['weed', 'wget', 'sh', '/bin/sh'], source: 'seaweedfs/seaweedfs docker/Dockerfile.go_build (FROM alpine)' },
  ports: { s3: 8333, master: 9333, volume: 8080, filer: 8888 },
  ready: { port: 'master', path: '/cluster/status' },
  buckets: [],
  versions: [
    {
      // 4.48 is the pin (versions.json) the tests run; its S3 gateway, ports and flags are the ones documented for 3.x
      line: '4',
      releases: ['4.48'],
      documented: '3.x',
      modes: {
        monolithic: {
          kafka: 'no',
          chart: { none: 'object storage is an existing instance on Kubernetes (seed 000: seaweedfs-dev, seaweedfs-ha)' },
          components: [comp('server', 'write', { cpu: 200, memory: 512 * Mi, storage: 20 * Gi }, [1, 1], { stateful: true })],
        },
      },
    },
  ],
};

/**
 * `weed server` reports anonymous cluster statistics to telemetry.seaweedfs.com by default (4.48 `weed server -h`:
 * "report anonymous cluster statistics to master.telemetry.url, use -master.telemetry=false to opt out (default
 * true)"; its log says so once 10 GiB are stored). A stack otelstack renders does not phone home: every target passes
 * this flag.
 */
export const SEAWEEDFS_NO_TELEMETRY = '-master.telemetry=false';
