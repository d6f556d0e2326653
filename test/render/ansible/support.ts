import { join } from 'node:path';
import { loadStack } from '../../../src/model/load.js';
import type { Stack } from '../../../src/model/schema.js';
import { ROOT } from '../../support/paths.js';

/** examples/vms (seed 002 Option 3: three VM environments) and its golden copy of `otelstack render examples/vms --target ansible` */
export const VMS = join(ROOT, 'examples/vms');
export const VMS_GOLDEN_DIR = join(VMS, 'rendered');

export async function vmsStack(): Promise<Stack> {
  return (await loadStack(VMS)).stack;
}
