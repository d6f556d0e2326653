import { isIP } from 'node:net';

import { CATALOG } from '../../catalog/index.js';
import { MINIO_PORTS } from '../../catalog/support.js';
import { composeStore } from '../../topology/loopback.js';
import type { Topology } from '../../topology/types.js';
import type { Finding, Rule } from '../findings.js';

/**
 * A compose environment with a local object store (kind seaweedfs or minio) runs that store as a service which
 * answers at the definition's endpoint (its host as a network alias, its port as the S3 port). That works only for
 * a plain-HTTP endpoint whose host is a name (not an address, not localhost: inside a container that is the
 * container itself) and whose port is not one the store already uses for something else. The compose renderer
 * refuses the same cases with the same findings (it calls this function).
 */
export function composeObjectStorageFindings(t: Topology): Finding[] {
  const store = t.env.target === 'compose' ? composeStore(t) : undefined;
  if (!store) return [];
  const path = `objectStorage.${t.objectStorage.name}.endpoint`;
  const at = (message: string, suggestion: string): Finding => ({ severity: 'error', rule: 'compose-object-storage', env: t.env.name, path, message, suggestion });
  const u = new URL(t.objectStorage.endpoint);
  const suggestion = `use http://${store.service}:${store.kind === 'seaweedfs' ? CATALOG.seaweedfs.ports['s3'] : MINIO_PORTS.s3}`;
  const out: Finding[] = [];
  if (u.protocol !== 'http:') out.push(at(`the compose target runs ${store.kind} locally over plain HTTP, but the endpoint ${t.objectStorage.endpoint} is not http://`, suggestion));
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0 || host === 'localhost') out.push(at(`the engines cannot reach a local ${store.kind} service at ${host} (an address or localhost, not a service name)`, suggestion));
  const taken =
    store.kind === 'seaweedfs'
      ? [CATALOG.seaweedfs.ports['master']!, CATALOG.seaweedfs.ports['volume']!, CATALOG.seaweedfs.ports['filer']!].flatMap((p) => [p, p + 10_000])
      : [MINIO_PORTS.console];
  if (taken.includes(store.s3Port)) out.push(at(`port ${store.s3Port} of ${t.objectStorage.endpoint} is one ${store.kind} already uses for another of its servers`, suggestion));
  return out;
}

export const composeObjectStorage: Rule = {
  id: 'compose-object-storage',
  description: 'a local object store on compose answers at the definition\'s endpoint',
  check({ topologies }) {
    return topologies.flatMap(composeObjectStorageFindings);
  },
};
