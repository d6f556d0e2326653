// dskit's ring status page (ring/ring_http.go in the dskit that Loki v3.6.3 and Tempo v3.0.1 vendor; Mimir serves
// its rings through the same handler) as the tests' stand-ins answer it. The shape was checked against real Loki
// 3.6.3 GET /ring and real Tempo 3.0.1 GET /live-store/ring on loopback: with `Accept: application/json` both
// answered 200 application/json {"shards": [...], "now": "..."} with these keys per instance, in this order;
// without it, 200 text/html (the status page).

/** The keys of one instance on the real pages, in their order. */
export const RING_SHARD_KEYS = ['id', 'state', 'address', 'timestamp', 'registered_timestamp', 'read_only', 'read_only_updated_timestamp', 'zone', 'tokens'] as const;

export interface RingShard {
  id: string;
  state: string;
  address: string;
  timestamp: string;
  registered_timestamp: string;
  read_only: boolean;
  read_only_updated_timestamp: string;
  zone: string;
  tokens: number[];
}

/** One instance as the real page lists it (zone "" when the ring is not zone-aware, as real Loki answered). */
export function ringShard(id: string, state: string, zone = ''): RingShard {
  return { id, state, address: '127.0.0.1:9095', timestamp: '2026-12-04T10:00:05Z', registered_timestamp: '2026-12-04T09:00:00Z', read_only: false, read_only_updated_timestamp: '0001-01-01T00:00:00Z', zone, tokens: [1, 2] };
}

/** The page's JSON body: the instances sorted by id, as the handler sorts them. */
export function ringPage(instances: ReadonlyArray<readonly [id: string, state: string, zone?: string]>): { shards: RingShard[]; now: string } {
  const shards = instances.map(([id, state, zone]) => ringShard(id, state, zone)).sort((a, b) => (a.id < b.id ? -1 : 1));
  return { shards, now: '2026-12-04T10:00:10Z' };
}

/** What the page answers for a request's Accept header: its JSON when Accept contains application/json, the HTML page otherwise. */
export function ringReply(accept: string | undefined, body: unknown): { status: number; contentType: string; text: string } {
  // json.Encoder ends what it writes with a newline
  if ((accept ?? '').includes('application/json')) return { status: 200, contentType: 'application/json', text: `${JSON.stringify(body)}\n` };
  return { status: 200, contentType: 'text/html', text: '<!DOCTYPE html>\n<html><head><title>Ring status</title></head><body><h1>Ring status</h1></body></html>\n' };
}
