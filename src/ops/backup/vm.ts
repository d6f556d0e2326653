/**
 * Backup and restore on a VM of an ansible environment (the otelstack-backup role's timer runs it on each storage
 * host): the data directories and config files the storage roles placed on that host — the paths of
 * src/render/ansible/layout.ts, which the roles use too — in the same archive format as a compose backup
 * (manifest target "ansible", host = the inventory host; data directories under volumes/<name>/, configs under
 * configs/<path on the VM>). The S3 credentials file is not archived (the playbook writes it again from the vault).
 *
 * `root` prefixes every path on the VM ("/" on the host itself; a temporary tree in tests).
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import type { Stack } from '../../model/schema.js';
import { VM_STORAGE_LAYOUT, isVmStorageGroup, vmDefinitionPath, type VmStorageGroup } from '../../render/ansible/layout.js';
import type { FileSet } from '../../render/fileset.js';
import { renderTopology } from '../../render/topology.js';
import { vmBackupPlan } from '../../topology/vm-backup.js';
import { vmPlacement } from '../../topology/vm-placement.js';
import { createBackup, type BackupOptions, type BackupResult } from './archive.js';
import { BackupError, type BackupManifest, type SourceSummary } from './types.js';
import { DirectorySource, VolumeTarget } from './volumes.js';

/** What one storage host's backup covers. Paths are as on the VM (no root prefix). */
export interface VmHostBackupPlan {
  stack: string;
  env: string;
  /** inventory host name (storage-0 …) */
  host: string;
  groups: VmStorageGroup[];
  /** archive name → data directory */
  data: Array<{ name: string; path: string }>;
  /** config files the roles placed for these groups, and the definition copy the backup role placed */
  configs: string[];
  /** the environment's backup settings (environments[].backup, with defaults) */
  keep: number;
  dir: string;
}

/**
 * The plan of one storage host of an ansible environment: the groups the placement put on it (the renderer's
 * inventory says the same), their data directories and configs from the layout. `host` is the inventory name or the
 * address; with one storage host it may be left out.
 */
export function vmHostBackupPlan(stack: Stack, env: string, host?: string): VmHostBackupPlan {
  const def = stack.environments.find((e) => e.name === env);
  if (!def) throw new BackupError(`the definition has no environment "${env}"`, 'input', `use one of: ${stack.environments.map((e) => e.name).join(', ')}`);
  if (def.target !== 'ansible') throw new BackupError(`environment ${env} runs on ${def.target}, not ansible`, 'input', 'a VM backup covers the storage hosts of an ansible environment');
  const t = renderTopology(stack, env);
  const pl = vmPlacement(stack, t);
  const errors = pl.problems.filter((f) => f.severity === 'error');
  if (errors.length) throw new BackupError(`environment ${env} does not place on its hosts: ${errors.map((f) => `${f.path}: ${f.message}`).join('; ')}`, 'input', 'fix the definition (otelstack plan shows the findings)');
  const plan = vmBackupPlan(stack, t, pl);
  const hosts = plan?.hosts ?? [];
  if (hosts.length === 0) throw new BackupError(`environment ${env} runs nothing on storage hosts: there is nothing to back up`, 'input');
  const listed = hosts.map((h) => `${h.host.name} (${h.host.address}: ${h.groups.join(', ')})`).join(', ');
  let chosen = hosts[0]!;
  if (host === undefined) {
    if (hosts.length > 1) throw new BackupError(`environment ${env} has ${hosts.length} storage hosts: say which one with --host`, 'input', `its storage hosts: ${listed}`);
  } else {
    const found = hosts.find((h) => h.host.name === host || h.host.address === host);
    if (!found) throw new BackupError(`"${host}" is not a storage host of environment ${env}`, 'input', `its storage hosts: ${listed}`);
    chosen = found;
  }
  const groups = chosen.groups.filter(isVmStorageGroup);
  return {
    stack: stack.name,
    env,
    host: chosen.host.name,
    groups,
    data: groups.flatMap((g) => Object.entries(VM_STORAGE_LAYOUT[g].data).map(([name, path]) => ({ name, path }))),
    configs: [...groups.flatMap((g) => VM_STORAGE_LAYOUT[g].configs.map((c) => c.dest)), vmDefinitionPath(stack.name)].sort(),
    keep: plan!.keep,
    dir: plan!.dir,
  };
}

/** A path on the VM under `root`. */
export function underRoot(root: string, vmPath: string): string {
  return join(root, vmPath);
}

/** Archive labels of one host: `<stack>-<env>-<host>-<time>.tar.gz`, so retention counts only this host's archives. */
export const vmArchiveLabel = (env: string, host: string): string => `${env}-${host}`;

export interface VmBackupOptions extends Pick<BackupOptions, 'outDir' | 'retention' | 'now' | 'onProgress'> {
  plan: VmHostBackupPlan;
  /** "/" on the VM */
  root: string;
}

export async function createVmBackup(o: VmBackupOptions): Promise<BackupResult> {
  const p = o.plan;
  const missing: string[] = [];
  const isDir = (x: string) => stat(x).then((s) => s.isDirectory(), () => false);
  for (const d of p.data) if (!(await isDir(underRoot(o.root, d.path)))) missing.push(`${d.name} (${underRoot(o.root, d.path)})`);
  const configs: FileSet = new Map();
  for (const c of p.configs) {
    try {
      configs.set(c.replace(/^\/+/, ''), await readFile(underRoot(o.root, c), 'utf8'));
    } catch {
      missing.push(`config ${underRoot(o.root, c)}`);
    }
  }
  if (missing.length) {
    throw new BackupError(`${p.host} has no ${missing.join(', ')}`, 'input', `run the playbook on ${p.host} first (the roles place them), or give the root the host's files are under with --root`);
  }
  return createBackup({
    stack: p.stack,
    env: p.env,
    project: p.host,
    target: 'ansible',
    host: p.host,
    archiveLabel: vmArchiveLabel(p.env, p.host),
    quiesceHint: `stop the engines of ${p.host} (systemctl stop ${p.groups.map((g) => VM_STORAGE_LAYOUT[g].unit).join(' ')}) while it is archived — the otelstack-backup unit does — and back up again`,
    sources: p.data.map((d) => new DirectorySource(d.name, underRoot(o.root, d.path))),
    configs,
    outDir: o.outDir,
    ...(o.retention !== undefined ? { retention: o.retention } : {}),
    ...(o.now ? { now: o.now } : {}),
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  });
}

/** The layout group and data directory (on the VM) an archived source of an ansible archive goes back to. */
export function vmRestorePath(s: Pick<SourceSummary, 'kind' | 'name'>, m: Pick<BackupManifest, 'host'>): { group: VmStorageGroup; path: string } {
  for (const [group, l] of Object.entries(VM_STORAGE_LAYOUT) as Array<[VmStorageGroup, (typeof VM_STORAGE_LAYOUT)[VmStorageGroup]]>) {
    const path = l.data[s.name];
    if (s.kind === 'volume' && path) return { group, path };
  }
  throw new BackupError(`the archive of ${m.host ?? 'a VM'} holds ${s.kind} ${s.name}, which no role of this otelstack places`, 'input', 'restore it with the otelstack version that made it');
}

/**
 * The restore targets of an ansible archive under `root`, a staging directory on their filesystem, and the units to
 * start afterwards. A data directory that is a mount point, or on another filesystem than the staging directory, is
 * refused before anything changes (each target is replaced by a rename).
 */
export async function vmRestoreTargets(m: BackupManifest, root: string, o: { checkFilesystems?: boolean } = {}): Promise<{ targets: Map<string, VolumeTarget>; stagingDir: string; units: string[] }> {
  const targets = new Map<string, VolumeTarget>();
  const units = new Set<string>();
  for (const s of m.sources) {
    const { group, path } = vmRestorePath(s, m);
    targets.set(s.name, new VolumeTarget(s.name, underRoot(root, path), 'plain'));
    units.add(`${VM_STORAGE_LAYOUT[group].unit}.service`);
  }
  // the deepest directory holding every target's parent: replacing a directory is then a rename on one filesystem
  const parents = [...targets.values()].map((t) => dirname(t.location));
  const inside = (dir: string, p: string) => {
    const r = relative(dir, p);
    return r === '' || (!r.startsWith(`..${sep}`) && r !== '..' && !isAbsolute(r));
  };
  let staging = parents[0] ?? root;
  for (const p of parents) while (!inside(staging, p) && dirname(staging) !== staging) staging = dirname(staging);
  const device = async (p: string): Promise<number> => {
    for (let d = p; ; d = dirname(d)) {
      const st = await stat(d).catch(() => undefined);
      if (st) return st.dev;
      if (dirname(d) === d) return -1;
    }
  };
  const stagingDev = await device(staging);
  for (const t of o.checkFilesystems === false ? [] : targets.values()) {
    const own = await stat(t.location).catch(() => undefined);
    const parentDev = await device(dirname(t.location));
    if ((own && own.dev !== parentDev) || parentDev !== stagingDev) {
      throw new BackupError(
        `${t.location} is ${own && own.dev !== parentDev ? 'a mount point' : `on another filesystem than ${staging}`}: restore replaces each data directory by a rename on one filesystem`,
        'input',
        `restore into an empty --root on that filesystem and move the contents of ${join('<root>', relative(root, t.location))} into place with the engines stopped`,
      );
    }
  }
  return { targets, stagingDir: staging, units: [...units].sort() };
}
