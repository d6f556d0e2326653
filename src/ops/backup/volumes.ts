import { lstat, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BackupSource, RestoreTarget } from './types.js';

/**
 * Where named volumes' data lives on the host.
 *  - docker: the local volume driver's layout, `<root>/<project>_<volume>/_data` (root /var/lib/docker/volumes);
 *    the volume itself (`<root>/<project>_<volume>`) must exist before a restore — `docker compose create` makes it.
 *  - plain: `<root>/<volume>`, for bind-mounted directories and for tests on ordinary directories.
 */
export type VolumeLayout = 'docker' | 'plain';
export const VOLUME_LAYOUTS: readonly VolumeLayout[] = ['docker', 'plain'];
export const DOCKER_VOLUMES_ROOT = '/var/lib/docker/volumes';

export function volumeDataPath(root: string, layout: VolumeLayout, project: string, volume: string): string {
  return layout === 'docker' ? join(root, `${project}_${volume}`, '_data') : join(root, volume);
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** A volume (or any directory) archived as it is on disk. */
export class DirectorySource implements BackupSource {
  readonly kind = 'volume' as const;
  constructor(
    readonly name: string,
    readonly location: string,
  ) {}
  exists(): Promise<boolean> {
    return isDirectory(this.location);
  }
  async open(): Promise<{ dir: string; release(): Promise<void> }> {
    return { dir: this.location, release: async () => {} };
  }
}

/** A volume directory restored by replacing it as a whole. */
export class VolumeTarget implements RestoreTarget {
  readonly kind = 'volume' as const;
  constructor(
    readonly name: string,
    readonly location: string,
    private readonly layout: VolumeLayout,
  ) {}
  /** docker: the volume must exist (Docker must know it); plain: anything goes, directories are created */
  async ready(): Promise<boolean> {
    return this.layout === 'plain' || isDirectory(dirname(this.location));
  }
  async isEmpty(): Promise<boolean> {
    try {
      return (await readdir(this.location)).length === 0;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
      throw e;
    }
  }
  async replaceWith(dir: string): Promise<void> {
    await mkdir(dirname(this.location), { recursive: true });
    let old: string | undefined;
    try {
      await lstat(this.location);
      old = `${this.location}.otelstack-old-${process.pid}`;
      await rm(old, { recursive: true, force: true });
      await rename(this.location, old);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    try {
      await rename(dir, this.location);
    } catch (e) {
      if (old) await rename(old, this.location);
      throw e;
    }
    if (old) await rm(old, { recursive: true, force: true });
  }
}
