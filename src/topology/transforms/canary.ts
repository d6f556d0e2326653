/**
 * The canary (definition: `canary`): `otelstack canary` running in the environment, one replica, pushing through the
 * environment's ingestion endpoint and reading back from its engines. Only where there is an ingestion layer to push
 * through. Image, port and default sizing are catalog facts (src/catalog/canary.ts).
 */
import { CANARY_DEFAULTS, CANARY_IMAGE, CANARY_NAME, CANARY_PORT } from '../../catalog/canary.js';
import { bytes, cpu, type TopologyTransform } from '../resources.js';

export const addCanary: TopologyTransform = (t, { stack }) => {
  const c = stack.canary;
  if (!c || !c.enabled || !t.ingestion) return t;
  // a memory limit as the resource policy says for every other component: only where policy.memoryLimits lists the
  // canary (then the catalog's default unless the definition gives one); a memoryLimit the policy does not allow is
  // the resource-policy rule's error
  const listed = stack.policy.memoryLimits.includes(CANARY_NAME);
  const memoryLimit = c.memoryLimit !== undefined ? bytes(c.memoryLimit) : listed ? CANARY_DEFAULTS.memoryLimitBytes : undefined;
  return {
    ...t,
    canary: {
      name: CANARY_NAME,
      image: stack.otelstack?.image ?? `${CANARY_IMAGE.repository}:${CANARY_IMAGE.tag}`,
      port: CANARY_PORT,
      interval: c.interval,
      deadline: c.deadline,
      checkStorage: c.checkStorage,
      perReplica: {
        cpuRequestMillicores: c.cpu !== undefined ? cpu(c.cpu) : CANARY_DEFAULTS.cpuMillicores,
        memoryRequestBytes: c.memory !== undefined ? bytes(c.memory) : CANARY_DEFAULTS.memoryBytes,
        ...(memoryLimit !== undefined ? { memoryLimitBytes: memoryLimit } : {}),
        storageBytes: 0,
      },
      definitionPath: 'canary',
    },
  };
};
