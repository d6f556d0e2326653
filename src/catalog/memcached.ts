import { comp } from './component.js';
import type { EngineFacts } from './types.js';
import { Mi } from './units.js';
import { engineVersion } from './versions.js';

/** memcached 1.6 for query-result, chunk, index and metadata caches. */
export const memcached: EngineFacts = {
  id: 'memcached',
  title: 'Memcached',
  image: 'memcached',
  pinned: engineVersion('memcached'),
  ports: { client: 11211 },
  buckets: [],
  versions: [
    {
      line: '1',
      releases: ['1.6.38', '1.6.39'],
      documented: '1.6',
      modes: {
        monolithic: {
          kafka: 'no',
          chart: { none: 'caches are deployed by each engine chart' },
          components: [comp('cache', 'read', { cpu: 100, memory: 512 * Mi }, [1, 2])],
        },
      },
    },
  ],
};
