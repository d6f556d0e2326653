import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MEMORY_PER_REPLICA, parseBytes } from '../../src/model/quantity.js';
import { collectorMemory } from '../../src/topology/collector-memory.js';

const MiB = 1024 ** 2;

describe('collector memory settings are whole MiB for any memory the schema accepts', () => {
  it('fractional sizes ("1.37Gi", odd byte counts) give whole-MiB GOMEMLIMIT, limit_mib and spike_limit_mib', () => {
    fc.assert(
      fc.property(fc.integer({ min: MEMORY_PER_REPLICA.min, max: MEMORY_PER_REPLICA.max }), fc.boolean(), (bytes, limit) => {
        const m = collectorMemory({ cpuRequestMillicores: 500, memoryRequestBytes: bytes, storageBytes: 0, ...(limit ? { memoryLimitBytes: bytes } : {}) });
        assert.equal(m.goMemLimitBytes % MiB, 0);
        assert.ok(Number.isInteger(m.limitMib) && Number.isInteger(m.spikeLimitMib));
        assert.ok(m.limitMib > 0, 'the smallest accepted memory still leaves the collector a non-zero limit');
        assert.ok(m.goMemLimitBytes > 0 && m.goMemLimitBytes <= bytes);
      }),
    );
  });
  it('"1.37Gi" renders GOMEMLIMIT 982MiB', () => {
    const r = parseBytes('1.37Gi');
    assert.ok(r.ok);
    assert.equal(collectorMemory({ cpuRequestMillicores: 500, memoryRequestBytes: r.value, memoryLimitBytes: r.value, storageBytes: 0 }).goMemLimitBytes / MiB, 982);
  });
});
