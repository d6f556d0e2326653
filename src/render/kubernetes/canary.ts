/**
 * The canary on Kubernetes (topology: t.canary): a ConfigMap holding the definition copy, a one-replica Deployment
 * running `otelstack canary` on it (src/render/configs/canary.ts), and a Service in front of its /metrics. The pod
 * carries app.kubernetes.io/name and /instance = the canary's name: the rendered Alloy's pod scrape keeps it by those
 * and its named metrics port (job `<namespace>/otelstack-canary`), and the NetworkPolicies allow its flows
 * (src/topology/network-flows.ts). After the engines (sync wave): it reads from them.
 */
import { Deployment } from 'kubernetes-models/apps/v1/Deployment'; // one model's module, not the group's index (start-up time)
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';

import { CANARY_DEFINITION_DIR, CANARY_METRICS_PATH, CANARY_PORT_NAME } from '../../catalog/canary.js';
import type { Stack } from '../../model/schema.js';
import { releaseLabels } from '../../topology/network-flows.js';
import type { Topology } from '../../topology/types.js';
import { canaryArgs, canaryDefinitionFile, canaryDefinitionName } from '../configs/canary.js';
import { toYaml, type FileSet } from '../fileset.js';
import { resourcesOf, s3SecretEnv } from './values.js';

function yamlOf(model: { validate(): void; toJSON(): unknown }): string {
  model.validate();
  return toYaml(model.toJSON());
}

export function canaryObjects(stack: Stack, t: Topology, o: { wave: number; managedBy: Record<string, string> }): FileSet {
  const files: FileSet = new Map();
  const k = t.canary;
  if (!k || t.env.target !== 'kubernetes') return files;
  const selector = releaseLabels(k.name, k.name);
  const labels = { ...selector, ...o.managedBy, 'otelstack.io/environment': t.env.name };
  const metadata = (name: string) => ({ name, namespace: t.env.namespace, labels, annotations: { 'argocd.argoproj.io/sync-wave': String(o.wave) } });
  const definition = `${k.name}-definition`;
  const base = `kubernetes/${t.env.name}/canary`;
  files.set(`${base}/configmap.yaml`, yamlOf(new ConfigMap({ metadata: metadata(definition), data: { [canaryDefinitionName(stack.name)]: canaryDefinitionFile(stack) } })));
  const deployment = new Deployment({
    metadata: metadata(k.name),
    spec: {
      replicas: 1,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 },
          containers: [
            {
              name: 'canary',
              image: k.image,
              args: canaryArgs(t, k),
              // checkStorage lists the buckets with the engines' S3 identity, from the same Secret reference
              ...(k.checkStorage ? { env: s3SecretEnv(t) as Array<{ name: string; valueFrom: { secretKeyRef: { name: string; key: string } } }> } : {}),
              ports: [{ name: CANARY_PORT_NAME, containerPort: k.port, protocol: 'TCP' }],
              resources: resourcesOf(k),
              readinessProbe: { httpGet: { path: CANARY_METRICS_PATH, port: CANARY_PORT_NAME }, periodSeconds: 10 },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: [{ name: 'definition', mountPath: CANARY_DEFINITION_DIR, readOnly: true }],
            },
          ],
          volumes: [{ name: 'definition', configMap: { name: definition } }],
        },
      },
    },
  });
  files.set(`${base}/deployment.yaml`, yamlOf(deployment));
  const service = new Service({ metadata: metadata(k.name), spec: { selector, ports: [{ name: CANARY_PORT_NAME, port: k.port, targetPort: CANARY_PORT_NAME, protocol: 'TCP' }] } });
  files.set(`${base}/service.yaml`, yamlOf(service));
  return files;
}
