import type { Stack, Target } from '../../model/schema.js';
import type { FileSet } from '../fileset.js';
import { renderStack } from '../index.js';

/**
 * Which environments produce each rendered file, for the manifest: a file of dev's render is dev's, a file every
 * environment renders (kubernetes/shared/…, an ApplicationSet) is theirs together. Found by rendering each
 * environment alone (renders are pure and take milliseconds); a file only the combined render produces is
 * attributed to every selected environment.
 */
export function fileOwners(stack: Stack, files: FileSet, environments: string[], target: Target | 'all', phase?: number): Map<string, string[]> {
  const owners = new Map<string, string[]>();
  if (environments.length === 1) {
    for (const p of files.keys()) owners.set(p, [environments[0]!]);
    return owners;
  }
  for (const env of environments) {
    for (const p of renderStack(stack, { target, env, ...(phase !== undefined ? { phase } : {}) }).files.keys()) if (files.has(p)) owners.set(p, [...(owners.get(p) ?? []), env]);
  }
  for (const p of files.keys()) if (!owners.has(p)) owners.set(p, [...environments]);
  return owners;
}
