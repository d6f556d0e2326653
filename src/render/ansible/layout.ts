/**
 * Where the ansible target's roles put things on a VM: one home for the paths that both the roles (roles.ts) and
 * `otelstack backup` on a storage host (src/ops/backup/vm.ts) use, so what the timer archives is exactly what the
 * roles placed. The engines' data directories are the ones their configs name (ENGINE_DATA_DIRS: the compose
 * target's bytes); SeaweedFS's is fixed here (the role passes it as -dir).
 */
import { ENGINE_DATA_DIRS, ENGINE_RUNTIME_FILES } from '../configs/engines.js';
import { CANARY_DEFINITION_DIR } from '../../catalog/canary.js';
import { canaryDefinitionName } from '../configs/canary.js';

/** Every config the roles place (collector: COLLECTOR_CONFIG_PATH, as in its container). */
export const ETC = '/etc/otelstack';
export const OPT = '/opt/otelstack';
/** The S3 credentials (from vault variables): never archived — the playbook writes them again from the vault. */
export const S3_ENV_FILE = `${ETC}/s3.env`;
export const SEAWEEDFS_DATA_DIR = '/var/lib/seaweedfs';

/** The storage group's processes, one inventory child group and one role each, in start-up order (object store first). */
export const VM_STORAGE_GROUPS = ['seaweedfs', 'tempo', 'mimir', 'loki', 'prometheus'] as const;
export type VmStorageGroup = (typeof VM_STORAGE_GROUPS)[number];

export interface VmStorageLayout {
  /** systemd unit (without .service) */
  readonly unit: string;
  /** data directories: name inside a backup archive (volumes/<name>/) → path on the VM */
  readonly data: Readonly<Record<string, string>>;
  /** config files: file under roles/<group>/files/<env>/ → where the role places it */
  readonly configs: ReadonlyArray<{ readonly file: string; readonly dest: string }>;
}

function runtimeFile(engine: keyof typeof ENGINE_RUNTIME_FILES): { file: string; dest: string } {
  const f = ENGINE_RUNTIME_FILES[engine];
  // the config names this path on both targets: it must be under the directory the roles place configs in
  if (!f.path.startsWith(`${ETC}/`)) throw new Error(`${f.path} is not under ${ETC}`);
  return { file: f.name, dest: f.path };
}

export const VM_STORAGE_LAYOUT: Readonly<Record<VmStorageGroup, VmStorageLayout>> = {
  seaweedfs: { unit: 'otelstack-seaweedfs', data: { seaweedfs: SEAWEEDFS_DATA_DIR }, configs: [] },
  // the engine's config first (the unit's -config.file), then its per-tenant limits file at the path the config names
  tempo: { unit: 'otelstack-tempo', data: { tempo: ENGINE_DATA_DIRS.tempo }, configs: [{ file: 'tempo.yaml', dest: `${ETC}/tempo.yaml` }, runtimeFile('tempo')] },
  mimir: { unit: 'otelstack-mimir', data: { mimir: ENGINE_DATA_DIRS.mimir }, configs: [{ file: 'mimir.yaml', dest: `${ETC}/mimir.yaml` }, runtimeFile('mimir')] },
  loki: { unit: 'otelstack-loki', data: { loki: ENGINE_DATA_DIRS.loki }, configs: [{ file: 'loki.yaml', dest: `${ETC}/loki.yaml` }, runtimeFile('loki')] },
  prometheus: { unit: 'otelstack-prometheus', data: { prometheus: ENGINE_DATA_DIRS.prometheus }, configs: [{ file: 'prometheus.yml', dest: `${ETC}/prometheus.yml` }] },
};

export const isVmStorageGroup = (g: string): g is VmStorageGroup => (VM_STORAGE_GROUPS as readonly string[]).includes(g);

/** The backup role: its units, where it installs otelstack, and the definition copy `otelstack backup` reads. */
export const VM_BACKUP_UNIT = 'otelstack-backup';
export const VM_BACKUP_PREFIX = `${OPT}/backup`;
/** Where the canary and backup roles place the definition copy (canaryDefinitionFile) they run otelstack on. */
export const VM_DEFINITION_DIR = CANARY_DEFINITION_DIR;
export const vmDefinitionPath = (stack: string): string => `${VM_DEFINITION_DIR}/${canaryDefinitionName(stack)}`;
