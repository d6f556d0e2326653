import type { StackInput } from './schema.js';

/** Identity with types: `export default defineStack({...})` gives editor completion and compile-time checks. */
export function defineStack<const T extends StackInput>(definition: T): T {
  return definition;
}
