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

/**
 * A memcached pool an engine chart deploys (Tempo's cache): requests from the cache component above, one replica
 * (two in HA environments). memcached's item memory (-m, MB) is set to ITEM_MEMORY_FRACTION of the memory request,
 * leaving the rest for connections and per-item overhead (memcached's own sizing advice: item memory below the container's
 * memory); a hand-chosen margin, not a measured one.
 */
export const MEMCACHED_POOL = { cpu: 100, memory: 512 * Mi, replicas: { single: 1, ha: 2 }, memcached: 'extraArgs' as const };
export const MEMCACHED_ITEM_MEMORY_FRACTION = 0.8;
/** memcached item memory in MB for a pool with this memory (the chart value `allocatedMemory`, memcached's -m) */
export function memcachedItemMemoryMb(memoryBytes: number): number {
  return Math.floor((memoryBytes / Mi) * MEMCACHED_ITEM_MEMORY_FRACTION);
}
/** memcached's flag for item memory in megabytes */
export function memcachedMemoryArg(memoryBytes: number): string {
  return `--memory-limit=${Math.floor((memoryBytes / Mi) * MEMCACHED_ITEM_MEMORY_FRACTION)}`;
}
