import { CANARY_IMAGE, CANARY_PACKAGE } from '../../catalog/canary.js';
import { vmBackupPlan } from '../../topology/vm-backup.js';
import { vmPlacement } from '../../topology/vm-placement.js';
import type { Finding, Rule } from '../findings.js';

/**
 * The canary and the VM backups run otelstack itself: its image on compose and Kubernetes, its npm package on VMs.
 * otelstack publishes neither yet, so the default references cannot be pulled; a definition that uses them without
 * giving its own (otelstack.image / otelstack.package) is told how to build them. A warning: the render is right,
 * the artifact has to exist before the deploy.
 */
export const otelstackArtifacts: Rule = {
  id: 'otelstack-artifacts',
  description: "the canary's image and the VM package of otelstack are ones the environments can pull",
  check({ stack, topologies }) {
    const out: Finding[] = [];
    const imageEnvs = topologies.filter((t) => t.canary && t.env.target !== 'ansible').map((t) => t.env.name);
    const packageEnvs = topologies
      .filter((t) => t.env.target === 'ansible' && (t.canary !== undefined || vmBackupPlan(stack, t, vmPlacement(stack, t)) !== undefined))
      .map((t) => t.env.name);
    if (imageEnvs.length > 0 && !stack.otelstack?.image) {
      const image = `${CANARY_IMAGE.repository}:${CANARY_IMAGE.tag}`;
      out.push({
        severity: 'warning',
        rule: this.id,
        path: 'otelstack.image',
        message: `the canary in ${imageEnvs.join(', ')} runs ${image}, which otelstack does not publish yet: pulling it fails`,
        suggestion: `build the image from otelstack's repository (docker build -t <your-registry>/otelstack:${CANARY_IMAGE.tag} .), push it, and set otelstack.image to it`,
      });
    }
    if (packageEnvs.length > 0 && !stack.otelstack?.package) {
      const spec = `${CANARY_PACKAGE.name}@${CANARY_PACKAGE.version}`;
      out.push({
        severity: 'warning',
        rule: this.id,
        path: 'otelstack.package',
        message: `the VMs of ${packageEnvs.join(', ')} npm install ${spec} for the canary and the backups, which is not on the npm registry yet: the playbook fails there`,
        suggestion: `npm pack otelstack's repository (it writes otelstack-${CANARY_PACKAGE.version}.tgz), put the archive where the VMs can read it, and set otelstack.package to its path or URL`,
      });
    }
    return out;
  },
};
