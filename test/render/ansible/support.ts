import { join } from 'node:path';
import { loadStack, validateDefinition } from '../../../src/model/load.js';
import type { Stack } from '../../../src/model/schema.js';
import { ROOT } from '../../support/paths.js';

/** examples/vms (seed 002 Option 3: three VM environments) and its golden copy of `otelstack render examples/vms --target ansible` */
export const VMS = join(ROOT, 'examples/vms');
export const VMS_GOLDEN_DIR = join(VMS, 'rendered');

export async function vmsStack(): Promise<Stack> {
  return (await loadStack(VMS)).stack;
}

type Raw = Record<string, any>;

/**
 * examples/vms serving two tenants through the OpenTelemetry Collector's Faro receivers (seed 003): what puts HAProxy
 * on each gateway host (src/topology/vm-faro-proxy.ts). `edit` changes the raw definition further; validated like any.
 */
export async function vmsWithTenants(edit: (raw: Raw) => void = () => {}): Promise<Stack> {
  const raw = structuredClone(await vmsStack()) as unknown as Raw;
  raw['ingestion'].faro = { enabled: true, allowedOrigins: ['https://www.example.com'] };
  raw['tenants'] = {
    shop: { origins: ['https://shop.example.com'], sampling: 0.5, rateLimit: { perSecond: 50, burst: 100 } },
    blog: { origins: ['https://blog.example.com'], rateLimit: { perSecond: 10 } },
  };
  edit(raw);
  return validateDefinition('vms-tenants-variant.yaml', raw);
}
