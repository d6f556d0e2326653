/**
 * Backups of an ansible environment (environments[].backup, defaults VM_BACKUP_DEFAULTS): every storage host backs
 * up what it runs — the engine groups vmPlacement put on it — on the environment's schedule. The renderer turns
 * this into the otelstack-backup role's timer per host; `otelstack backup --host` reads the same plan on the VM.
 */
import { VM_BACKUP_DEFAULTS, type Stack } from '../model/schema.js';
import type { Topology } from './types.js';
import type { VmHost, VmPlacement } from './vm-placement.js';

export interface VmBackupPlan {
  /** false: no timer is rendered (`otelstack backup` still runs by hand) */
  readonly enabled: boolean;
  /** OnCalendar= */
  readonly schedule: string;
  /** RandomizedDelaySec= */
  readonly randomizedDelay: string;
  /** archives kept per host (otelstack backup --retention) */
  readonly keep: number;
  /** archive directory on each storage host */
  readonly dir: string;
  /** each storage host with the groups (seaweedfs, tempo, …) it runs, in start-up order */
  readonly hosts: ReadonlyArray<{ readonly host: VmHost; readonly groups: readonly string[] }>;
  /** where the settings come from, for messages */
  readonly definitionPath: string;
}

/** The backup plan of an ansible environment; undefined when it is not one or its storage hosts run nothing. */
export function vmBackupPlan(stack: Stack, t: Topology, pl: VmPlacement): VmBackupPlan | undefined {
  const env = stack.environments[t.env.index]!;
  if (env.target !== 'ansible') return undefined;
  const b = { ...VM_BACKUP_DEFAULTS, ...(env.backup ?? {}) };
  if (pl.storage.length === 0) return undefined;
  const hosts = pl.storage
    .map((host) => ({ host, groups: pl.engines.filter((e) => e.host.name === host.name).map((e) => e.group) }))
    .filter((h) => h.groups.length > 0);
  if (hosts.length === 0) return undefined;
  return { enabled: b.enabled, schedule: b.schedule, randomizedDelay: b.randomizedDelay, keep: b.keep, dir: b.dir, hosts, definitionPath: `environments[${t.env.index}].backup` };
}
