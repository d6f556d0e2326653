/**
 * Backup and restore of a compose stack (seed 002 §5): the named volumes' data and the rendered configuration in
 * one timestamped .tar.gz with a manifest of every entry's size and SHA-256.
 *
 * Archive layout (format "otelstack-backup/1"):
 *   manifest.json            always the first entry
 *   configs/<path>           the rendered files of the environment (compose/<env>/…)
 *   volumes/<name>/<path>    one directory per named volume (BackupSource kind "volume"); on a VM (ansible target)
 *                            one per data directory the roles place (src/render/ansible/layout.ts)
 * Object storage is archived only where it is a volume of the stack (the compose target's SeaweedFS data); an
 * external S3 bucket is not otelstack's to back up.
 */

/** Where the data of one archived source comes from (backup) or goes to (restore). */
export type SourceKind = 'volume';

/** Directory of a source kind inside the archive. */
export const ARCHIVE_DIRS: Readonly<Record<SourceKind, string>> = { volume: 'volumes' };
export const MANIFEST_NAME = 'manifest.json';
export const CONFIGS_DIR = 'configs';
export const MANIFEST_FORMAT = 'otelstack-backup/1';

/**
 * Something whose content is archived as a tree of files. The archiver (the `tar` package) reads local directories,
 * so a source hands it one: a Docker named volume or a VM data directory (DirectorySource) is already a directory,
 * open() returns it and release() does nothing.
 */
export interface BackupSource {
  readonly kind: SourceKind;
  /** name inside the archive (the volume's name): one path segment */
  readonly name: string;
  /** where the data lives, for people and the manifest: a path */
  readonly location: string;
  /** true when there is something to archive (the volume exists) */
  exists(): Promise<boolean>;
  open(): Promise<{ dir: string; release(): Promise<void> }>;
}

/**
 * Where a restored source goes: a volume or data directory, replaced as a whole after verification.
 */
export interface RestoreTarget {
  readonly kind: SourceKind;
  readonly name: string;
  readonly location: string;
  /** false when the target must exist beforehand and does not (e.g. a Docker volume not created yet) */
  ready(): Promise<boolean>;
  isEmpty(): Promise<boolean>;
  /** replaces the target's content with the verified directory `dir` (which it may move away) */
  replaceWith(dir: string): Promise<void>;
}

export interface ManifestEntry {
  /** path inside the archive, "/"-separated */
  path: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  /** files: bytes */
  size?: number;
  /** files: hex SHA-256 of the content */
  sha256?: string;
  /** symlinks: the link target */
  target?: string;
}

export interface SourceSummary {
  kind: SourceKind;
  name: string;
  location: string;
  files: number;
  bytes: number;
  /** SHA-256 over the sorted "path\0type\0sha256-or-target\n" lines of its entries */
  sha256: string;
  /** the source directory itself (not an archive entry): restored onto the target directory */
  root: { mode: number; uid: number; gid: number };
}

export interface BackupManifest {
  format: typeof MANIFEST_FORMAT;
  stack: string;
  env: string;
  /** compose: the project name (the prefix of the Docker volume names); ansible: the inventory host */
  project: string;
  /** where the archive was made: absent (archives before it) or "compose"; "ansible": a VM's data directories (vm.ts) */
  target?: 'compose' | 'ansible';
  /** ansible: the storage host (inventory name) the archive was made on */
  host?: string;
  createdAt: string;
  sources: SourceSummary[];
  configs: { files: number; bytes: number; sha256: string };
  entries: ManifestEntry[];
}

/**
 * Why a backup or restore did not happen. kind "input": bad arguments or a state the user must change (exit 2);
 * "verification": the archive is corrupt or does not match its manifest, or data changed while it was archived
 * (exit 1).
 */
export class BackupError extends Error {
  constructor(
    message: string,
    public readonly kind: 'input' | 'verification',
    public readonly suggestion?: string,
  ) {
    super(message);
    this.name = 'BackupError';
  }
}
