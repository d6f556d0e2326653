export { defineStack } from './model/define.js';
export type { Stack, StackInput } from './model/schema.js';
export { loadStack, validateDefinition } from './model/load.js';
export { DefinitionError } from './model/errors.js';
export { expand, expandAll } from './topology/expand.js';
export type { Topology } from './topology/types.js';
export { buildPlan } from './plan/index.js';
export type { PlanReport, Finding } from './plan/index.js';
export { CATALOG } from './catalog/index.js';
