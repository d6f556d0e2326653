import { vmPlacement } from '../../topology/vm-placement.js';
import type { Rule } from '../findings.js';

/**
 * Ansible (VM) environments: every process the topology asks for has a VM of its host group (collector replicas,
 * Kafka brokers and the replicas of each topic, the engines on the storage group, Grafana replicas), and the stack
 * uses only what the ansible target renders. The renderer refuses the same placements (vmPlacement's problems).
 */
export const ansibleHosts: Rule = {
  id: 'ansible-hosts',
  description: 'an ansible environment has a VM for every replica, broker and engine it runs',
  check({ stack, topologies }) {
    return topologies.filter((t) => t.env.target === 'ansible').flatMap((t) => vmPlacement(stack, t).problems);
  },
};
