import type { Stack } from '../model/schema.js';
import type { Topology } from '../topology/types.js';
import type { SizingBasis } from './calibration.js';

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  severity: Severity;
  rule: string;
  /** environment the finding is about, when it is about one */
  env?: string;
  /** path inside the definition */
  path: string;
  message: string;
  suggestion: string;
}

export interface RuleContext {
  stack: Stack;
  file: string;
  topologies: Topology[];
  /** what pool sizing divides by (a calibration file); seed 002's figures when absent */
  sizing?: SizingBasis;
}

export interface Rule {
  id: string;
  description: string;
  check(ctx: RuleContext): Finding[];
}

export const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
