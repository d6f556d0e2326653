/**
 * A managed Kafka for one environment: Apache Kafka 4.x in KRaft mode (combined broker + controller nodes, no
 * ZooKeeper), following the apache/kafka image documentation (docker/examples: every server property as a
 * KAFKA_* environment variable, CLUSTER_ID required, /etc/kafka/docker/run as the start script).
 * A StatefulSet named "kafka" behind the headless Service "kafka" gives the stable names the topology's bootstrap
 * list uses: kafka-<i>.kafka.<namespace>.svc.cluster.local:9092.
 */
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet'; // one model's module, not the group's index (start-up time)
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget'; // one model's module, not the group's index (start-up time)
import { Service } from 'kubernetes-models/v1/Service'; // one model's module, not the group's index (start-up time)
import { CATALOG } from '../../catalog/index.js';
import type { Topology } from '../../topology/types.js';
import { bytesQuantity, resourcesOf } from './values.js';

export const KAFKA_NAME = 'kafka';


export function kafkaObjects(stackName: string, t: Topology, wave: number): Array<StatefulSet | Service | PodDisruptionBudget> {
  const k = t.kafka;
  const broker = t.components.find((c) => c.engine === 'kafka' && c.component === 'broker');
  if (!k || !k.managed || !broker) return [];
  const facts = CATALOG.kafka;
  const client = facts.ports['client'] ?? 9092;
  const controller = facts.ports['controller'] ?? 9093;
  const ns = t.env.namespace;
  const host = (i: number | string) => `${KAFKA_NAME}-${i}.${KAFKA_NAME}.${ns}.svc.cluster.local`;
  const voters = Array.from({ length: k.brokers }, (_, i) => `${i}@${host(i)}:${controller}`).join(',');
  const rf = Math.min(3, k.brokers);
  const isr = Math.min(2, k.brokers);
  const labels = { 'app.kubernetes.io/name': KAFKA_NAME, 'app.kubernetes.io/instance': `${KAFKA_NAME}-${t.env.name}`, 'app.kubernetes.io/managed-by': 'otelstack' };
  const selector = { 'app.kubernetes.io/name': KAFKA_NAME, 'app.kubernetes.io/instance': `${KAFKA_NAME}-${t.env.name}` };
  const annotations = { 'argocd.argoproj.io/sync-wave': String(wave) };
  const env: Record<string, string> = {
    CLUSTER_ID: k.clusterId,
    KAFKA_PROCESS_ROLES: 'broker,controller',
    KAFKA_LISTENERS: `PLAINTEXT://:${client},CONTROLLER://:${controller}`,
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
    KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT',
    KAFKA_CONTROLLER_QUORUM_VOTERS: voters,
    KAFKA_LOG_DIRS: '/var/lib/kafka/data',
    KAFKA_DEFAULT_REPLICATION_FACTOR: String(rf),
    KAFKA_MIN_INSYNC_REPLICAS: String(isr),
    KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: String(rf),
    KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: String(rf),
    KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: String(isr),
  };
  const start = [
    // node id = StatefulSet ordinal; advertise the pod's stable DNS name
    'export KAFKA_NODE_ID="${HOSTNAME##*-}"',
    `export KAFKA_ADVERTISED_LISTENERS="PLAINTEXT://\${HOSTNAME}.${KAFKA_NAME}.${ns}.svc.cluster.local:${client}"`,
    'exec /etc/kafka/docker/run',
  ].join('\n');
  const storage = broker.perReplica.storageBytes;
  const sts = new StatefulSet({
    metadata: { name: KAFKA_NAME, namespace: ns, labels, annotations },
    spec: {
      serviceName: KAFKA_NAME,
      replicas: k.brokers,
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: selector },
      template: {
        metadata: { labels },
        spec: {
          securityContext: { fsGroup: 1000, runAsUser: 1000, runAsNonRoot: true },
          containers: [
            {
              name: KAFKA_NAME,
              image: `${facts.image}:${facts.pinned}`,
              command: ['/bin/bash', '-c', start],
              env: Object.entries(env).sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, value]) => ({ name, value })),
              ports: [
                { name: 'client', containerPort: client },
                { name: 'controller', containerPort: controller },
              ],
              readinessProbe: { tcpSocket: { port: 'client' }, initialDelaySeconds: 15, periodSeconds: 10 },
              resources: resourcesOf(broker) as never,
              volumeMounts: [{ name: 'data', mountPath: '/var/lib/kafka/data' }],
            },
          ],
          ...(storage > 0 ? {} : { volumes: [{ name: 'data', emptyDir: {} }] }),
        },
      },
      ...(storage > 0
        ? {
            volumeClaimTemplates: [
              { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: bytesQuantity(storage) } } } },
            ],
          }
        : {}),
    },
  });
  const svc = new Service({
    metadata: { name: KAFKA_NAME, namespace: ns, labels, annotations },
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector,
      ports: [
        { name: 'client', port: client, targetPort: 'client' },
        { name: 'controller', port: controller, targetPort: 'controller' },
      ],
    },
  });
  const out: Array<StatefulSet | Service | PodDisruptionBudget> = [sts, svc];
  if (t.env.podDisruptionBudgets && k.brokers > 1) {
    out.push(new PodDisruptionBudget({ metadata: { name: KAFKA_NAME, namespace: ns, labels, annotations }, spec: { maxUnavailable: 1, selector: { matchLabels: selector } } }));
  }
  return out;
}
