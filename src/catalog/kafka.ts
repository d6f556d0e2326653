import { comp } from './component.js';
import type { EngineFacts } from './types.js';
import { Gi } from './units.js';
import { engineVersion } from './versions.js';

/** Apache Kafka 4.x in KRaft mode (no ZooKeeper), documentation 4.1: combined broker+controller nodes. */
/** Where the apache/kafka image keeps kafka-topics.sh and friends. */
export const KAFKA_IMAGE_SCRIPTS_DIR = '/opt/kafka/bin';

/**
 * The largest record the collector's kafka exporter sends: its `producer.max_message_bytes` default (1000000, the
 * Kafka producer's max.request.size default; the broker's message.max.bytes default 1048588 is above it). A
 * record over it is a permanent error and the exporter drops it (otelcol-contrib 0.158 kafka_exporter.go: "kafka
 * record exceeds max message size", then "Exporting failed. Dropping data.") — seen on the real collector by
 * bench:pipeline when 16384-item batches of logs became 1.03–1.14 MB records.
 */
export const KAFKA_PRODUCER_MAX_MESSAGE_BYTES = 1_000_000;
/**
 * The exporter's batch, by bytes of the OTLP protobuf (the record is that encoding, uncompressed, plus a small
 * header): at most 3/4 of the largest record, so a batch can never become a record the exporter drops.
 */
export const KAFKA_EXPORTER_BATCH_MAX_BYTES = Math.floor(KAFKA_PRODUCER_MAX_MESSAGE_BYTES * 0.75);
export const KAFKA_EXPORTER_BATCH_MIN_BYTES = 256 * 1024;

export const kafka: EngineFacts = {
  id: 'kafka',
  title: 'Kafka',
  image: 'apache/kafka',
  pinned: engineVersion('kafka'),
  // apache/kafka docker/jvm/Dockerfile: Alpine with a JRE and the distribution's scripts under /opt/kafka/bin
  imageTools: { tools: ['/opt/kafka/bin/kafka-broker-api-versions.sh', '/opt/kafka/bin/kafka-topics.sh', '/bin/sh'], source: 'apache/kafka docker/jvm/Dockerfile' },
  ports: { client: 9092, controller: 9093 },
  buckets: [],
  versions: [
    {
      line: '4',
      // 4.3.1 is the pin (versions.json) the tests run
      releases: ['4.0.0', '4.1.0', '4.1.1', '4.3.1'],
      documented: '4.1',
      modes: {
        monolithic: {
          kafka: 'no',
          chart: { none: 'otelstack does not deploy Kafka on Kubernetes; reference an operator-managed cluster with kafka.environments.<env>.bootstrap' },
          components: [comp('broker', 'write', { cpu: 500, memory: 2 * Gi, storage: 20 * Gi }, [1, 3], { stateful: true, replicated: true })],
        },
      },
    },
  ],
};

/**
 * Kafka's broker TLS settings the ansible target renders (Apache Kafka documentation, "Security → Encryption and
 * Authentication using SSL" and the broker configs reference, 3.x/4.x; PEM stores from KIP-651, Kafka 2.7+):
 *  - a listener named SSL uses security protocol SSL (listener.security.protocol.map), the controller listener too;
 *  - ssl.keystore.type=PEM with ssl.keystore.location: ONE file holding the private key (PKCS#8, unencrypted here:
 *    then ssl.key.password must stay unset) and the certificate chain; ssl.truststore.type=PEM with
 *    ssl.truststore.location: the CA certificate(s);
 *  - ssl.client.auth=required: the broker refuses a client without a certificate from the truststore (mTLS);
 *    none: server TLS only;
 *  - ssl.endpoint.identification.algorithm=https (the default, written out): clients, brokers and controllers check
 *    the peer's host name against its certificate.
 * The same keys in a client properties file (security.protocol=SSL plus the stores) configure Kafka's own tools
 * (kafka-topics.sh --command-config).
 */
export const KAFKA_TLS = {
  listener: 'SSL',
  securityProtocol: 'SSL',
  keystoreType: 'ssl.keystore.type',
  keystoreLocation: 'ssl.keystore.location',
  truststoreType: 'ssl.truststore.type',
  truststoreLocation: 'ssl.truststore.location',
  clientAuth: 'ssl.client.auth',
  endpointIdentification: 'ssl.endpoint.identification.algorithm',
  pem: 'PEM',
} as const;
