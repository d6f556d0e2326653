import type { Rule } from '../findings.js';
import { buckets } from './buckets.js';
import { capacity } from './capacity.js';
import { collectorMemoryRule } from './collector-memory.js';
import { haReplicas } from './ha-replicas.js';
import { kafka } from './kafka.js';
import { pipelineHoles } from './pipeline-holes.js';
import { knownComponents } from './known-components.js';
import { missingComponents } from './missing-components.js';
import { resourcePolicy } from './resource-policy.js';
import { spanMetrics } from './span-metrics.js';
import { versions } from './versions.js';
import { writeQuorum } from './write-quorum.js';

export const RULES: readonly Rule[] = [knownComponents, missingComponents, versions, resourcePolicy, haReplicas, writeQuorum, buckets, kafka, collectorMemoryRule, pipelineHoles, spanMetrics, capacity];
