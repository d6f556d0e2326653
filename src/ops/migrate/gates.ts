import type { GateCondition } from './types.js';

/** A PromQL condition of a gate: holds when the query's result is non-zero (some series > 0) or zero (none > 0). */
export const promql = (description: string, query: string, expect: 'nonzero' | 'zero'): GateCondition => ({ kind: 'promql', description, query, expect });
