import type { Rule } from '../findings.js';
import { ansibleHosts } from './ansible-hosts.js';
import { kubernetesKafkaBuffer } from './kubernetes-kafka-buffer.js';
import { otelstackArtifacts } from './otelstack-artifacts.js';
import { autoscaling } from './autoscaling.js';
import { buckets } from './buckets.js';
import { capacity } from './capacity.js';
import { chartVersion } from './chart-version.js';
import { collectorMemoryRule } from './collector-memory.js';
import { composeCollector } from './compose-collector.js';
import { composeObjectStorage } from './compose-object-storage.js';
import { haReplicas } from './ha-replicas.js';
import { kafka } from './kafka.js';
import { phases } from './phases.js';
import { poolSizing } from './pool-sizing.js';
import { pipelineHoles } from './pipeline-holes.js';
import { rateLimits } from './rate-limits.js';
import { faroCors } from './faro-cors.js';
import { knownComponents } from './known-components.js';
import { missingComponents } from './missing-components.js';
import { resourcePolicy } from './resource-policy.js';
import { selfMonitoring } from './self-monitoring.js';
import { spanMetrics } from './span-metrics.js';
import { targetRenderer } from './target-renderer.js';
import { versions } from './versions.js';
import { writeQuorum } from './write-quorum.js';

/** Every rule; render and diff refuse a definition on the error findings of these (see verdict in ../index.ts). */
export const RULES: readonly Rule[] = [targetRenderer, composeCollector, composeObjectStorage, ansibleHosts, kubernetesKafkaBuffer, chartVersion, rateLimits, faroCors, knownComponents, missingComponents, versions, resourcePolicy, haReplicas, autoscaling, writeQuorum, buckets, kafka, phases, collectorMemoryRule, pipelineHoles, spanMetrics, selfMonitoring, capacity, poolSizing, otelstackArtifacts];
