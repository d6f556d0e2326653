/**
 * Creating, verifying and restoring backup archives with the `tar` package (node-tar 7; gzip built in) rather than
 * shelling out to tar(1) and docker as seed 002's script does.
 *
 * Backup: every source is walked (files hashed with SHA-256), the manifest is written, and the archive is built
 * from a staging directory holding manifest.json, configs/ and one symlink per source (volumes/<name> → its
 * directory); the entries are named explicitly and symlinks are not followed, so the archive holds exactly the
 * walked entries with their modes, owners and mtimes. The written archive is then read back and compared with the
 * manifest: a file that changed while it was archived (a running stack) fails the backup instead of producing an
 * archive that cannot be restored.
 *
 * Restore: the manifest (first entry) is read first, targets are checked (no overwriting of non-empty data
 * without force), the whole archive is read and every entry checked against the manifest, then it is extracted
 * into a staging directory beside the targets and checked again on disk, and only then is each target replaced
 * (a rename per volume).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, chown, cp, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rename, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Parser, create, extract, list, type ReadEntry } from 'tar';
import type { FileSet } from '../../render/fileset.js';
import {
  ARCHIVE_DIRS,
  BackupError,
  CONFIGS_DIR,
  MANIFEST_FORMAT,
  MANIFEST_NAME,
  type BackupManifest,
  type BackupSource,
  type ManifestEntry,
  type RestoreTarget,
  type SourceSummary,
} from './types.js';

// ── walking and hashing ─────────────────────────────────────────────────────

async function sha256File(p: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(p)) h.update(chunk as Buffer);
  return h.digest('hex');
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Entries under `dir`, archive paths prefixed with `prefix`, sorted, depth first. Sockets, FIFOs and devices are
 * not archived (reported in `skipped`).
 */
export async function walkTree(dir: string, prefix: string): Promise<{ entries: ManifestEntry[]; skipped: string[] }> {
  const entries: ManifestEntry[] = [];
  const skipped: string[] = [];
  const visit = async (abs: string, rel: string): Promise<void> => {
    for (const name of (await readdir(abs)).sort(byName)) {
      const p = join(abs, name);
      const path = `${rel}/${name}`;
      const st = await lstat(p);
      const mode = st.mode & 0o7777;
      if (st.isDirectory()) {
        entries.push({ path, type: 'dir', mode });
        await visit(p, path);
      } else if (st.isFile()) entries.push({ path, type: 'file', mode, size: st.size, sha256: await sha256File(p) });
      else if (st.isSymbolicLink()) entries.push({ path, type: 'symlink', mode, target: await readlink(p) });
      else skipped.push(path);
    }
  };
  await visit(dir, prefix);
  return { entries, skipped };
}

function digest(entries: ManifestEntry[]): { files: number; bytes: number; sha256: string } {
  const h = createHash('sha256');
  let files = 0;
  let bytes = 0;
  for (const e of entries) {
    h.update(`${e.path}\0${e.type}\0${e.sha256 ?? e.target ?? ''}\n`);
    if (e.type === 'file') {
      files++;
      bytes += e.size ?? 0;
    }
  }
  return { files, bytes, sha256: h.digest('hex') };
}

// ── names and retention ─────────────────────────────────────────────────────

/** `<stack>-<env>-20260122T020000.123Z.tar.gz` (UTC; sorts by time); on a VM `<stack>-<env>-<host>-…` (label `<env>-<host>`). */
export function archiveName(stack: string, env: string, at: Date): string {
  return `${stack}-${env}-${at.toISOString().replace(/[-:]/g, '')}.tar.gz`;
}

const STAMP = /^\d{8}T\d{6}\.\d{3}Z\.tar\.gz$/;

/** Archives of one stack environment (or label) in `dir`, newest first: exactly `<stack>-<label>-<time>.tar.gz`, so a label never counts another's. */
export async function listArchives(dir: string, stack: string, env: string): Promise<string[]> {
  const prefix = `${stack}-${env}-`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(prefix) && STAMP.test(n.slice(prefix.length)))
    .sort(byName)
    .reverse()
    .map((n) => join(dir, n));
}

/** Keeps the newest `keep` archives of the stack environment; returns the paths removed. */
export async function pruneArchives(dir: string, stack: string, env: string, keep: number): Promise<string[]> {
  const old = (await listArchives(dir, stack, env)).slice(Math.max(keep, 0));
  for (const p of old) await unlink(p);
  return old;
}

// ── reading archives ────────────────────────────────────────────────────────

function asVerification(e: unknown, archive: string): BackupError {
  if (e instanceof BackupError) return e;
  const m = e instanceof Error ? e.message : String(e);
  return new BackupError(`${archive} is corrupt or truncated: ${m}`, 'verification', 'use another archive (the previous one kept by retention)');
}

function parseManifest(text: string, archive: string): BackupManifest {
  let m: BackupManifest;
  try {
    m = JSON.parse(text) as BackupManifest;
  } catch {
    throw new BackupError(`${archive}: its ${MANIFEST_NAME} is not JSON`, 'verification');
  }
  if (m?.format !== MANIFEST_FORMAT || !Array.isArray(m.entries) || !Array.isArray(m.sources)) {
    throw new BackupError(`${archive} is not an otelstack backup (manifest format ${JSON.stringify(m?.format)}, expected ${MANIFEST_FORMAT})`, 'input');
  }
  return m;
}

/** Reads only the first entry, which must be manifest.json. */
export async function readManifest(archive: string): Promise<BackupManifest> {
  try {
    await stat(archive);
  } catch {
    throw new BackupError(`no archive at ${archive}`, 'input');
  }
  const text = await new Promise<string>((resolvePromise, reject) => {
    const rs = createReadStream(archive);
    const parser = new Parser({ strict: true });
    let settled = false;
    const done = (err: unknown, value?: string) => {
      if (settled) return;
      settled = true;
      rs.destroy();
      if (err) reject(err);
      else resolvePromise(value!);
    };
    parser.on('entry', (entry: ReadEntry) => {
      if (settled) return entry.resume();
      if (entry.path !== MANIFEST_NAME) return done(new BackupError(`${archive} is not an otelstack backup: its first entry is ${entry.path}, not ${MANIFEST_NAME}`, 'input'));
      const chunks: Buffer[] = [];
      entry.on('data', (c: Buffer) => chunks.push(c));
      entry.on('end', () => done(undefined, Buffer.concat(chunks).toString('utf8')));
    });
    parser.on('error', (e: unknown) => done(e));
    parser.on('end', () => done(new BackupError(`${archive} holds no ${MANIFEST_NAME}`, 'verification')));
    rs.on('error', (e) => done(e));
    rs.pipe(parser as unknown as NodeJS.WritableStream);
  }).catch((e: unknown) => {
    throw asVerification(e, archive);
  });
  return parseManifest(text, archive);
}

const normal = (p: string) => p.replace(/\/+$/, '');

/** Compares entries found (in an archive or on disk) with the manifest; returns the differences. */
function compare(manifest: BackupManifest, found: Map<string, ManifestEntry | { path: string; type: 'link'; linkpath: string }>): string[] {
  const problems: string[] = [];
  const want = new Map(manifest.entries.map((e) => [e.path, e]));
  for (const [path, w] of want) {
    const f = found.get(path);
    if (!f) {
      problems.push(`missing: ${path}`);
      continue;
    }
    if (f.type === 'link') {
      const target = want.get(f.linkpath);
      if (w.type !== 'file' || target?.sha256 !== w.sha256) problems.push(`differs: ${path} (hard link to ${f.linkpath})`);
      continue;
    }
    if (f.type !== w.type) problems.push(`differs: ${path} is a ${f.type}, the manifest says ${w.type}`);
    else if (w.type === 'file' && (f.size !== w.size || f.sha256 !== w.sha256)) problems.push(`checksum mismatch: ${path}`);
    else if (w.type === 'symlink' && f.target !== w.target) problems.push(`differs: ${path} links to ${String(f.target)}, the manifest says ${String(w.target)}`);
  }
  for (const path of found.keys()) if (path !== MANIFEST_NAME && !want.has(path)) problems.push(`not in the manifest: ${path}`);
  return problems;
}

function verificationError(archive: string, problems: string[], what: string): BackupError {
  const shown = problems.slice(0, 10).join('; ');
  return new BackupError(`${archive} ${what}: ${shown}${problems.length > 10 ? `; and ${problems.length - 10} more` : ''}`, 'verification', 'use another archive (the previous one kept by retention)');
}

/** Reads the whole archive, hashing every entry, and compares it with the manifest. */
export async function verifyArchive(archive: string, manifest?: BackupManifest, onEntry?: (read: number) => void): Promise<BackupManifest> {
  const m = manifest ?? (await readManifest(archive));
  let read = 0;
  const found = new Map<string, ManifestEntry | { path: string; type: 'link'; linkpath: string }>();
  const pending: Array<Promise<void>> = [];
  try {
    await list({
      file: archive,
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        onEntry?.(++read);
        const path = normal(entry.path);
        const mode = (entry.mode ?? 0) & 0o7777;
        if (entry.type === 'Directory') found.set(path, { path, type: 'dir', mode });
        else if (entry.type === 'SymbolicLink') found.set(path, { path, type: 'symlink', mode, target: entry.linkpath ?? '' });
        else if (entry.type === 'Link') found.set(path, { path, type: 'link', linkpath: normal(entry.linkpath ?? '') });
        else if (entry.type === 'File' || entry.type === 'OldFile' || entry.type === 'ContiguousFile') {
          const h = createHash('sha256');
          let size = 0;
          pending.push(
            new Promise<void>((res) => {
              entry.on('data', (c: Buffer) => {
                h.update(c);
                size += c.length;
              });
              entry.on('end', () => {
                found.set(path, { path, type: 'file', mode, size, sha256: h.digest('hex') });
                res();
              });
            }),
          );
        }
      },
    });
    await Promise.all(pending);
  } catch (e) {
    throw asVerification(e, archive);
  }
  const problems = compare(m, found);
  if (problems.length) throw verificationError(archive, problems, 'does not match its manifest');
  return m;
}

// ── backup ──────────────────────────────────────────────────────────────────

export interface BackupOptions {
  stack: string;
  env: string;
  project: string;
  /** recorded in the manifest (absent: compose) */
  target?: 'compose' | 'ansible';
  host?: string;
  /** what the archive names start with after the stack, and what retention counts: default the env (`<stack>-<env>-<time>`) */
  archiveLabel?: string;
  /** what to tell the user when data changed while it was archived (default: stop the compose stack) */
  quiesceHint?: string;
  sources: BackupSource[];
  /** rendered configuration files (relative path → content), archived under configs/ */
  configs: FileSet;
  outDir: string;
  /** keep only the newest N archives of this stack environment (after this one is written) */
  retention?: number;
  now?: Date;
  /** Called as the backup advances (the CLI draws a progress bar on a TTY): sources read, entries archived, entries verified. */
  onProgress?: (p: BackupProgress) => void;
}

export interface BackupProgress {
  readonly phase: 'reading' | 'archiving' | 'verifying';
  readonly done: number;
  readonly total: number;
  /** the source being read (phase reading) */
  readonly source?: string;
}

export interface BackupResult {
  archive: string;
  manifest: BackupManifest;
  /** size and SHA-256 of the archive file */
  bytes: number;
  sha256: string;
  pruned: string[];
  /** special files (sockets, FIFOs, devices) not archived */
  skipped: string[];
}

export async function createBackup(o: BackupOptions): Promise<BackupResult> {
  const now = o.now ?? new Date();
  const outDir = resolve(o.outDir);
  await mkdir(outDir, { recursive: true });
  const label = o.archiveLabel ?? o.env;
  const quiesce = o.quiesceHint ?? 'stop the stack (docker compose stop) so its volumes do not change, and back up again';
  const archive = join(outDir, archiveName(o.stack, label, now));
  if (await stat(archive).then(() => true, () => false)) throw new BackupError(`${archive} exists already`, 'input', 'wait a moment, or remove it');
  const names = new Set<string>();
  for (const s of o.sources) {
    if (!/^[A-Za-z0-9._-]+$/.test(s.name) || s.name === '.' || s.name === '..' || names.has(`${s.kind}/${s.name}`)) throw new BackupError(`source name "${s.name}" cannot be an archive directory`, 'input');
    names.add(`${s.kind}/${s.name}`);
  }
  const missing: string[] = [];
  for (const s of o.sources) if (!(await s.exists())) missing.push(`${s.name} (${s.location})`);
  if (missing.length) throw new BackupError(`no data for: ${missing.join(', ')}`, 'input', 'check --volumes-root and --layout, or pick volumes with --volume');

  const staging = await mkdtemp(join(outDir, '.otelstack-backup-'));
  const partial = `${archive}.partial`;
  const opened: Array<{ release(): Promise<void> }> = [];
  try {
    // configs
    for (const [rel, content] of [...o.configs.entries()].sort(([a], [b]) => byName(a, b))) {
      if (rel.split('/').some((s) => s === '..' || s === '')) throw new BackupError(`config path ${rel} is not relative`, 'input');
      const p = join(staging, CONFIGS_DIR, rel);
      await mkdir(dirname(p), { recursive: true });
      await writeFile(p, content);
    }
    const configs = o.configs.size ? await walkTree(join(staging, CONFIGS_DIR), CONFIGS_DIR) : { entries: [], skipped: [] };
    const entries: ManifestEntry[] = [...configs.entries];
    const skipped: string[] = [];
    const sources: SourceSummary[] = [];
    const ordered = [...o.sources].sort((a, b) => byName(`${a.kind}/${a.name}`, `${b.kind}/${b.name}`));
    for (const [i, s] of ordered.entries()) {
      o.onProgress?.({ phase: 'reading', done: i, total: ordered.length, source: s.name });
      const h = await s.open();
      opened.push(h);
      const prefix = `${ARCHIVE_DIRS[s.kind]}/${s.name}`;
      await mkdir(join(staging, ARCHIVE_DIRS[s.kind]), { recursive: true });
      await symlink(resolve(h.dir), join(staging, prefix), 'dir');
      const w = await walkTree(h.dir, prefix);
      const st = await stat(h.dir);
      entries.push(...w.entries);
      skipped.push(...w.skipped);
      sources.push({ kind: s.kind, name: s.name, location: s.location, ...digest(w.entries), root: { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid } });
    }
    const manifest: BackupManifest = {
      format: MANIFEST_FORMAT,
      stack: o.stack,
      env: o.env,
      project: o.project,
      ...(o.target ? { target: o.target } : {}),
      ...(o.host ? { host: o.host } : {}),
      createdAt: now.toISOString(),
      sources,
      configs: digest(configs.entries),
      entries,
    };
    await writeFile(join(staging, MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`);
    try {
      const total = entries.length + 1;
      let written = 0;
      o.onProgress?.({ phase: 'archiving', done: 0, total });
      await create(
        { file: partial, gzip: true, cwd: staging, noDirRecurse: true, follow: false, strict: true, ...(o.onProgress ? { onWriteEntry: () => o.onProgress!({ phase: 'archiving', done: ++written, total }) } : {}) },
        [MANIFEST_NAME, ...entries.map((e) => e.path)],
      );
    } catch (e) {
      throw new BackupError(`archiving failed: ${e instanceof Error ? e.message : String(e)}`, 'verification', quiesce);
    }
    try {
      await verifyArchive(partial, manifest, o.onProgress ? (done) => o.onProgress!({ phase: 'verifying', done, total: entries.length + 1 }) : undefined);
    } catch (e) {
      const m = e instanceof Error ? e.message : String(e);
      throw new BackupError(`the archive does not match the data it was made from (did the stack write while it was archived?): ${m}`, 'verification', quiesce);
    }
    await rename(partial, archive);
    const bytes = (await stat(archive)).size;
    const sha256 = await sha256File(archive);
    const pruned = o.retention !== undefined ? await pruneArchives(outDir, o.stack, label, o.retention) : [];
    return { archive, manifest, bytes, sha256, pruned, skipped };
  } finally {
    for (const h of opened) await h.release();
    await rm(staging, { recursive: true, force: true });
    await rm(partial, { force: true });
  }
}

// ── restore ─────────────────────────────────────────────────────────────────

export interface RestoreOptions {
  archive: string;
  /** the restore target of each archived source */
  targetFor: (source: SourceSummary, manifest: BackupManifest) => RestoreTarget;
  /** where to extract and verify before anything is replaced: on the targets' filesystem, so replacing is a rename */
  stagingDir: string;
  force?: boolean;
  /** write the archived configs here (refused when non-empty without force) */
  configsOut?: string;
  /** verify the archive completely, touch nothing */
  verifyOnly?: boolean;
}

export interface RestoreResult {
  archive: string;
  manifest: BackupManifest;
  verified: true;
  restored: Array<{ kind: string; name: string; location: string; files: number; bytes: number }>;
  configsOut?: string;
}

async function emptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw e;
  }
}

export async function restoreBackup(o: RestoreOptions): Promise<RestoreResult> {
  const manifest = await readManifest(o.archive);
  const targets = manifest.sources.map((s) => ({ s, t: o.targetFor(s, manifest) }));
  if (!o.verifyOnly) {
    const notReady: string[] = [];
    const nonEmpty: string[] = [];
    for (const { t } of targets) {
      if (!(await t.ready())) notReady.push(`${t.name} (${t.location})`);
      else if (!(await t.isEmpty())) nonEmpty.push(`${t.name} (${t.location})`);
    }
    if (notReady.length) throw new BackupError(`these volumes do not exist yet: ${notReady.join(', ')}`, 'input', `create them first (docker compose -p ${manifest.project} create), or restore with --layout plain`);
    if (o.configsOut && !(await emptyOrMissing(o.configsOut))) nonEmpty.push(`configs (${o.configsOut})`);
    if (nonEmpty.length && !o.force) throw new BackupError(`refusing to overwrite data that is not empty: ${nonEmpty.join(', ')}`, 'input', 'stop the stack and restore with --force to replace it');
  }

  // read the whole archive and check every entry before anything is written (corrupt, truncated, tampered)
  await verifyArchive(o.archive, manifest);
  if (o.verifyOnly) return { archive: o.archive, manifest, verified: true, restored: [] };

  await mkdir(o.stagingDir, { recursive: true });
  const staging = await mkdtemp(join(o.stagingDir, '.otelstack-restore-'));
  try {
    try {
      await extract({ file: o.archive, cwd: staging, strict: true, preservePaths: false });
    } catch (e) {
      throw asVerification(e, o.archive);
    }
    // verify what is on disk now, byte for byte, against the manifest
    const found = new Map<string, ManifestEntry>();
    for (const top of [CONFIGS_DIR, ...Object.values(ARCHIVE_DIRS)]) {
      if (!(await stat(join(staging, top)).then(() => true, () => false))) continue;
      for (const e of (await walkTree(join(staging, top), top)).entries) {
        // archive roots of sources are implied directories, not entries
        if (e.type === 'dir' && top !== CONFIGS_DIR && e.path.split('/').length === 2) continue;
        found.set(e.path, e);
      }
    }
    const parsed = JSON.parse(await readFile(join(staging, MANIFEST_NAME), 'utf8')) as BackupManifest;
    if (JSON.stringify(parsed) !== JSON.stringify(manifest)) throw new BackupError(`${o.archive}: the manifest read twice differs`, 'verification');
    const problems = compare(manifest, found);
    if (problems.length) throw verificationError(o.archive, problems, 'does not match its manifest once extracted');

    const restored: RestoreResult['restored'] = [];
    for (const { s, t } of targets) {
      const dir = join(staging, ARCHIVE_DIRS[s.kind], s.name);
      await mkdir(dir, { recursive: true });
      await chmod(dir, s.root.mode);
      if (process.getuid?.() === 0) await chown(dir, s.root.uid, s.root.gid);
      await t.replaceWith(dir);
      restored.push({ kind: s.kind, name: s.name, location: t.location, files: s.files, bytes: s.bytes });
    }
    let configsOut: string | undefined;
    if (o.configsOut && manifest.configs.files > 0) {
      configsOut = resolve(o.configsOut);
      await rm(configsOut, { recursive: true, force: true });
      await mkdir(dirname(configsOut), { recursive: true });
      // a copy, not a rename: the configs may go to another filesystem than the volumes
      await cp(join(staging, CONFIGS_DIR), configsOut, { recursive: true, verbatimSymlinks: true });
    }
    return { archive: o.archive, manifest, verified: true, restored, ...(configsOut ? { configsOut } : {}) };
  } finally {
    // bounded retries: a failed extraction may still be finishing writes into the staging directory
    await rm(staging, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  }
}
