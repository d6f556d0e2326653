import { closeSync, lstatSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, rmdirSync, statSync, unlinkSync, writeFileSync, writeSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { FileSet } from '../fileset.js';
import { OutputError, describeFsError } from './errors.js';
import { STATE_DIR, ManifestError, emptyManifest, manifestName, readManifests, serializeManifest, sha256, type Manifest, type ManifestFile } from './manifest.js';

/*
 * Safe write of a rendered FileSet into an output directory that may hold anything else (.git, a README, other
 * stacks' output, hand-written overlays). Render owns only the files its manifest records (manifest.ts).
 *
 * Protocol (all state lives in <out>/.otelstack/, on the output directory's own file system, so every move is a
 * rename(2) — atomic per file):
 *   1. lock      `.otelstack/lock` created exclusively, holding our pid; a lock whose pid is dead is stale.
 *   2. recover   any `.otelstack/staging-<pid>/` left by a dead render: with a `journal.json` it is rolled FORWARD
 *                (step 5 again — every step is idempotent), without one it is deleted (the old set never changed).
 *   3. plan      compare the rendered files with the disk and the manifests; refuse (nothing changed) on a file in
 *                the way that render did not write or that was edited since (unless --force), or on a directory
 *                that cannot be written.
 *   4. stage     write new contents to `staging-<pid>/files/<path>` and the new manifest(s) to
 *                `staging-<pid>/manifests/`, then the journal to `journal.json.tmp` and rename it to
 *                `journal.json`: that rename is the COMMIT POINT. Killed before it: the old set is intact and the
 *                next run deletes the staging area. Killed after it: the next run finishes the moves.
 *   5. apply     (a) remove the owned files no longer rendered (only when their hash is still the recorded one),
 *                (b) create directories, (c) rename each staged file over its target (only when the target is still
 *                what the plan saw; otherwise it is left alone and dropped from the new manifest), (d) rename the
 *                manifests into place, (e) remove directories render created that are now empty, (f) delete the
 *                staging area and the lock.
 * After a kill -9 the disk may show a mix until the next render (or `--check`, which reports it) runs; that run
 * leaves exactly the new set. No `*.tmp-*` / `*.old-*` siblings are ever created outside `.otelstack/`.
 * fsync is not called: a killed process loses nothing the kernel has; power loss is out of scope.
 */

export type Target = string;

export interface OutputScope {
  /** the environments this render produced, with their targets */
  selected: Record<string, Target>;
  /** every environment of the definition (a recorded environment missing here was removed from the definition) */
  definitionEnvironments: string[];
  /** the --target filter of this render: recorded removed environments of another target stay out of scope */
  target: Target | 'all';
  /** when set, only these environments were asked for (--env): removed environments stay out of scope */
  envFilter?: string;
}

export interface OutputRequest {
  outDir: string;
  stack: string;
  files: FileSet;
  /** path → the environments whose render produces it (a path missing here is attributed to every selected one) */
  owners: Map<string, string[]>;
  scope: OutputScope;
}

/** One thing the plan found about a path (relative to the output directory). */
export interface OutputFinding {
  path: string;
  state:
    | 'create' // rendered, not on disk
    | 'replace' // rendered, on disk as render wrote it, content changes
    | 'unchanged'
    | 'adopt' // rendered, on disk with the same bytes but not recorded yet
    | 'remove' // owned, not rendered any more, unchanged since render wrote it
    | 'disown' // owned, not rendered any more, but edited since: left in place, no longer owned
    | 'edited' // rendered, owned, but edited since render wrote it
    | 'foreign' // rendered, on disk, not written by this stack's render (maybe another stack's)
    | 'blocked'; // a directory where the file must go, or a file where a directory must go
  detail?: string;
}

export interface OutputPlan {
  out: string;
  findings: OutputFinding[];
  /** the manifests to write (file name → content); empty when nothing changes */
  manifests: Map<string, string>;
  /** directories to create (relative), parents first */
  mkdirs: string[];
  /** directories render created that may now be empty (relative), deepest first */
  rmdirs: string[];
  /** an interrupted render's staging area that the next write finishes (reported by --check) */
  pending: string[];
}

export interface WriteOptions {
  /** overwrite the files that are in the way (`edited` / `foreign`), and only those */
  force?: boolean;
  /** called after each step; tests use it to simulate a crash at any point */
  onStep?: (step: string) => void;
}

export interface WriteResult {
  out: string;
  created: string[];
  replaced: string[];
  removed: string[];
  unchanged: string[];
  /** owned files edited since render wrote them and no longer rendered: left in place, no longer owned */
  disowned: string[];
  /** files forced over */
  forced: string[];
  /** interrupted renders this run finished (staging area names) */
  recovered: string[];
}

const exists = (p: string): Stats | undefined => {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
};
const statOf = (p: string): Stats | undefined => {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
};
const hashOf = (p: string): string => sha256(readFileSync(p));
const ancestors = (rel: string): string[] => {
  const parts = rel.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
};
const depth = (p: string) => p.split('/').length;

/** Rejects paths that would leave the output directory (renderers never produce them; a manifest might). */
function safeRel(rel: string): string {
  if (rel === '' || rel.startsWith('/') || rel.split('/').some((s) => s === '..' || s === '.' || s === '') || rel.split('/')[0] === STATE_DIR) {
    throw new OutputError('unwritable', `refusing to write outside the output directory: "${rel}"`, 'this is a bug in a renderer or a hand-edited manifest');
  }
  return rel;
}

/** Checks the output directory itself: it must be a directory, or creatable (its nearest existing ancestor a directory). */
function checkOutDir(out: string): void {
  const st = exists(out);
  if (st) {
    if (!statOf(out)?.isDirectory()) throw new OutputError('unwritable', `cannot render into ${out}: it is a file, not a directory`, 'choose a directory for --out');
    return;
  }
  let p = dirname(out);
  while (!exists(p) && dirname(p) !== p) p = dirname(p);
  if (!statOf(p)?.isDirectory()) throw new OutputError('unwritable', `cannot render into ${out}: ${p} is a file, not a directory`, 'choose a directory for --out');
}

function scopeOf(own: Manifest, scope: OutputScope): Set<string> {
  const s = new Set(Object.keys(scope.selected));
  if (scope.envFilter === undefined) {
    for (const [env, { target }] of Object.entries(own.environments)) {
      if (!scope.definitionEnvironments.includes(env) && (scope.target === 'all' || scope.target === target)) s.add(env);
    }
  }
  return s;
}

/** Compares a render with the disk and the manifests. Reads only; used by both the write and `--check`. */
export function planOutput(req: OutputRequest, opts: { force?: boolean } = {}): OutputPlan {
  const out = resolve(req.outDir);
  checkOutDir(out);
  let manifests: Map<string, Manifest>;
  try {
    manifests = readManifests(out);
  } catch (e) {
    if (e instanceof ManifestError) throw new OutputError('conflict', e.message, `restore it from version control, or delete it (render then owns nothing there and refuses to overwrite the files it wrote)`);
    throw e;
  }
  const ownName = manifestName(req.stack);
  const old = manifests.get(ownName) ?? emptyManifest(req.stack);
  const inScope = scopeOf(old, req.scope);
  const oldByPath = new Map(old.files.map((f) => [f.path, f]));
  const others = new Map<string, { name: string; file: ManifestFile }>();
  for (const [name, m] of manifests) if (name !== ownName) for (const f of m.files) others.set(f.path, { name, file: f });

  const findings: OutputFinding[] = [];
  const newFiles: ManifestFile[] = [];
  const selected = Object.keys(req.scope.selected);
  const oldDirs = new Set(old.directories);

  // stale owned files first: a file that goes away may be where a directory must now go
  const removed = new Set<string>();
  for (const f of old.files) {
    safeRel(f.path);
    if (req.files.has(f.path)) continue;
    const keep = f.environments.filter((e) => !inScope.has(e));
    if (keep.length > 0) {
      newFiles.push({ ...f, environments: keep });
      continue;
    }
    const p = join(out, f.path);
    const st = exists(p);
    if (!st) continue;
    if (st.isFile() && hashOf(p) === f.sha256) {
      findings.push({ path: f.path, state: 'remove' });
      removed.add(f.path);
    } else findings.push({ path: f.path, state: 'disown', detail: 'edited since render wrote it; left in place' });
  }

  // a render whose paths nest (a file that is another file's directory) cannot be written by anyone
  const dirsOfRender = new Set([...req.files.keys()].flatMap(ancestors));
  const nested = [...req.files.keys()].filter((p) => dirsOfRender.has(p));
  if (nested.length) throw new OutputError('unwritable', `cannot render into ${out}: ${nested.join(', ')} would be both a file and a directory`, 'this is a bug in a renderer');

  const mkdirs = new Set<string>();
  const takenOver = new Map<string, Set<string>>(); // other manifest → paths forced over
  for (const [rel, content] of req.files) {
    safeRel(rel);
    const h = sha256(content);
    const owners = req.owners.get(rel) ?? selected;
    const prev = oldByPath.get(rel);
    const kept = prev ? prev.environments.filter((e) => !inScope.has(e)) : [];
    newFiles.push({ path: rel, sha256: h, environments: [...owners, ...kept] });
    // every ancestor must be (or become) a directory
    let blocked: string | undefined;
    for (const a of ancestors(rel)) {
      if (removed.has(a)) {
        mkdirs.add(a); // an owned file that goes away; the directory takes its place
        continue;
      }
      const st = statOf(join(out, a)); // follows symbolic links: a link to a directory is a directory
      if (!st) mkdirs.add(a);
      else if (!st.isDirectory()) {
        blocked = a;
        break;
      }
    }
    if (blocked !== undefined) {
      findings.push({ path: rel, state: 'blocked', detail: `${blocked} is a file where render needs a directory` });
      continue;
    }
    const p = join(out, rel);
    const st = exists(p);
    if (!st || removed.has(rel)) {
      findings.push({ path: rel, state: 'create' });
      continue;
    }
    if (st.isDirectory()) {
      findings.push({ path: rel, state: 'blocked', detail: `${rel} is a directory where render writes a file` });
      continue;
    }
    const onDisk = st.isFile() ? hashOf(p) : undefined;
    if (onDisk === h) {
      findings.push({ path: rel, state: prev?.sha256 === h ? 'unchanged' : 'adopt' });
    } else if (prev && onDisk === prev.sha256) {
      findings.push({ path: rel, state: 'replace' });
    } else if (prev) {
      findings.push({ path: rel, state: 'edited', detail: 'edited since render wrote it' });
    } else {
      const other = others.get(rel);
      findings.push({ path: rel, state: 'foreign', detail: other ? `written by the render of stack "${manifests.get(other.name)!.stack}"` : st.isFile() ? 'not written by otelstack render' : 'not a regular file' });
      if (other && opts.force) takenOver.set(other.name, (takenOver.get(other.name) ?? new Set()).add(rel));
    }
  }

  // directories: the ones render creates now, plus the recorded ones still holding a file of this stack
  const needed = new Set(newFiles.flatMap((f) => ancestors(f.path)));
  const directories = [...new Set([...oldDirs, ...mkdirs])].filter((d) => needed.has(d));
  const rmdirs = [...oldDirs].filter((d) => !needed.has(d)).sort((a, b) => depth(b) - depth(a) || (a < b ? 1 : -1));

  const environments: Manifest['environments'] = {};
  const stillOwned = new Set(newFiles.flatMap((f) => f.environments));
  for (const [env, v] of Object.entries(old.environments)) if (stillOwned.has(env) && !(env in req.scope.selected)) environments[env] = v;
  for (const [env, target] of Object.entries(req.scope.selected)) environments[env] = { target };
  const next: Manifest = { otelstack: 1, stack: req.stack, environments, files: newFiles, directories };

  const changed = new Map<string, string>();
  const nextText = serializeManifest(next);
  if (!manifests.has(ownName) || serializeManifest(old) !== nextText) changed.set(ownName, nextText);
  for (const [name, paths] of takenOver) {
    const m = manifests.get(name)!;
    changed.set(name, serializeManifest({ ...m, files: m.files.filter((f) => !paths.has(f.path)) }));
  }

  let pending: string[] = [];
  try {
    pending = readdirSync(join(out, STATE_DIR)).filter((n) => n.startsWith('staging-')).sort();
  } catch {
    /* no state directory yet */
  }
  findings.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { out, findings, manifests: changed, mkdirs: [...mkdirs].sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : 1)), rmdirs, pending };
}

interface Journal {
  otelstack: 1;
  pid: number;
  remove: Array<{ path: string; sha256: string }>;
  mkdirs: string[];
  /** expect: the target's hash the plan saw (null: absent) */
  put: Array<{ path: string; sha256: string; expect: string | null }>;
  manifests: string[];
  rmdirs: string[];
}

const pidAlive = (pid: number): boolean => {
  if (pid === process.pid) return false; // this process is not rendering concurrently with itself (sync code)
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

function acquireLock(state: string): string {
  const lock = join(state, 'lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return lock;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number.parseInt(readFileSync(lock, 'utf8'), 10);
      if (Number.isFinite(pid) && pidAlive(pid)) {
        throw new OutputError('busy', `another render (pid ${pid}) is writing to ${dirname(state)}`, `wait for it to finish; if no such process runs, delete ${lock}`);
      }
      rmSync(lock, { force: true }); // stale: its process is gone
    }
  }
  throw new OutputError('busy', `could not take the lock ${lock}`, 'run render again');
}

/**
 * Steps 5a–5f of the protocol for one committed staging area. Idempotent: safe to run again after a crash anywhere
 * inside it. Returns what it did.
 */
function applyJournal(out: string, staging: string, j: Journal, onStep: (s: string) => void): { skipped: string[] } {
  const skipped: string[] = [];
  for (const r of j.remove) {
    const p = join(out, r.path);
    const st = exists(p);
    if (st?.isFile() && hashOf(p) === r.sha256) unlinkSync(p);
    onStep(`remove:${r.path}`);
  }
  for (const d of j.mkdirs) {
    const st = exists(join(out, d));
    if (!st) mkdirSync(join(out, d));
  }
  onStep('mkdirs');
  for (const f of j.put) {
    const src = join(staging, 'files', f.path);
    const dst = join(out, f.path);
    if (exists(src)) {
      const st = exists(dst);
      const now = st ? (st.isFile() ? hashOf(dst) : 'not-a-file') : null;
      if (now === f.expect || now === f.sha256) renameSync(src, dst);
      else skipped.push(f.path); // changed by someone since the plan: leave it, and do not claim it
    }
    onStep(`put:${f.path}`);
  }
  for (const name of j.manifests) {
    const src = join(staging, 'manifests', name);
    if (!exists(src)) continue;
    if (skipped.length > 0) {
      const m = JSON.parse(readFileSync(src, 'utf8')) as Manifest;
      writeFileSync(src, serializeManifest({ ...m, files: m.files.filter((f) => !skipped.includes(f.path)) }));
    }
    renameSync(src, join(out, STATE_DIR, name));
  }
  onStep('manifests');
  for (const d of j.rmdirs) {
    try {
      rmdirSync(join(out, d)); // only when empty: a directory holding anything else stays
    } catch {
      /* not empty, or gone */
    }
  }
  rmSync(staging, { recursive: true, force: true });
  onStep('cleaned');
  return { skipped };
}

/** Step 2: finishes (journal present) or discards (no journal) every staging area left by a dead render. */
function recover(out: string, onStep: (s: string) => void): string[] {
  const state = join(out, STATE_DIR);
  const done: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(state).filter((n) => n.startsWith('staging-')).sort();
  } catch {
    return done;
  }
  for (const n of names) {
    const staging = join(state, n);
    const journal = join(staging, 'journal.json');
    if (exists(journal)) applyJournal(out, staging, JSON.parse(readFileSync(journal, 'utf8')) as Journal, onStep);
    else rmSync(staging, { recursive: true, force: true });
    done.push(n);
  }
  return done;
}

/**
 * Writes a render into `outDir`: creates, replaces and removes only files of this stack's manifest (plus files it
 * is forced over), all or nothing (see the protocol above). Throws OutputError before changing anything when it
 * refuses.
 */
export function writeOutput(req: OutputRequest, opts: WriteOptions = {}): WriteResult {
  const onStep = opts.onStep ?? (() => {});
  const out = resolve(req.outDir);
  checkOutDir(out);
  // create the output directory and .otelstack/ (removing what we created if that fails half-way)
  const firstMissing = (() => {
    let p: string | undefined;
    for (let q = out; !exists(q) && dirname(q) !== q; q = dirname(q)) p = q;
    return p;
  })();
  const state = join(out, STATE_DIR);
  const createdState = !exists(state);
  // on a refusal nothing may remain: not the output directory if we made it, not an empty .otelstack/
  const undoCreated = () => {
    if (firstMissing) rmSync(firstMissing, { recursive: true, force: true });
    else if (createdState) rmSync(state, { recursive: true, force: true });
  };
  try {
    // one level at a time: Node's recursive mkdir spins forever where a parent exists but cannot hold children (/proc)
    const chain: string[] = [];
    for (let q = state; !exists(q) && dirname(q) !== q; q = dirname(q)) chain.unshift(q);
    for (const d of chain) mkdirSync(d);
    if (!statSync(state).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  } catch (e) {
    const st = exists(state);
    if (!(st && !st.isDirectory())) undoCreated();
    if (st && !st.isDirectory()) throw new OutputError('unwritable', `cannot render into ${out}: ${state} is a file where render keeps its manifests`, 'move that file away');
    throw new OutputError('unwritable', `cannot render into ${out}: ${describeFsError(e)}`, 'choose a directory you can write to for --out');
  }
  const staging = join(state, `staging-${process.pid}`);
  let lock: string;
  try {
    lock = acquireLock(state);
  } catch (e) {
    undoCreated();
    if (e instanceof OutputError) throw e;
    throw new OutputError('unwritable', `cannot render into ${out}: ${describeFsError(e)}`, 'choose a directory you can write to for --out');
  }
  let committed = false;
  try {
    const recovered = recover(out, onStep);
    const plan = planOutput(req, opts);
    const blocked = plan.findings.filter((f) => f.state === 'blocked');
    if (blocked.length) {
      throw new OutputError('unwritable', `cannot render into ${out}:\n${blocked.map((f) => `  ${f.path}: ${f.detail}`).join('\n')}`, 'move those out of the way (render does not remove what it did not write, even with --force)', blocked.map((f) => f.path));
    }
    const inTheWay = plan.findings.filter((f) => f.state === 'edited' || f.state === 'foreign');
    if (inTheWay.length && !opts.force) {
      throw new OutputError(
        'conflict',
        `refusing to overwrite ${inTheWay.length} file(s) in ${out} that render did not write or that were edited since:\n${inTheWay.map((f) => `  ${f.path} (${f.detail})`).join('\n')}`,
        `nothing was changed; move them away, or run again with --force to overwrite just those ${inTheWay.length} file(s)`,
        inTheWay.map((f) => f.path),
      );
    }
    const puts = plan.findings.filter((f) => f.state === 'create' || f.state === 'replace' || f.state === 'edited' || f.state === 'foreign');
    const removes = plan.findings.filter((f) => f.state === 'remove');
    const result: WriteResult = {
      out,
      created: plan.findings.filter((f) => f.state === 'create').map((f) => f.path),
      replaced: plan.findings.filter((f) => f.state === 'replace').map((f) => f.path),
      removed: removes.map((f) => f.path),
      unchanged: plan.findings.filter((f) => f.state === 'unchanged' || f.state === 'adopt').map((f) => f.path),
      disowned: plan.findings.filter((f) => f.state === 'disown').map((f) => f.path),
      forced: inTheWay.map((f) => f.path),
      recovered,
    };
    if (puts.length === 0 && removes.length === 0 && plan.manifests.size === 0 && plan.rmdirs.length === 0) return result;

    // 4. stage
    const oldHashes = new Map<string, string>();
    for (const m of readManifests(out).values()) for (const f of m.files) oldHashes.set(f.path, f.sha256);
    const journal: Journal = { otelstack: 1, pid: process.pid, remove: [], mkdirs: plan.mkdirs, put: [], manifests: [...plan.manifests.keys()].sort(), rmdirs: plan.rmdirs };
    rmSync(staging, { recursive: true, force: true });
    try {
      mkdirSync(join(staging, 'manifests'), { recursive: true });
      for (const f of puts) {
        const p = join(staging, 'files', f.path);
        mkdirSync(dirname(p), { recursive: true });
        const content = req.files.get(f.path)!;
        writeFileSync(p, content);
        const target = join(out, f.path);
        const st = exists(target);
        journal.put.push({ path: f.path, sha256: sha256(content), expect: f.state === 'create' ? null : st?.isFile() ? hashOf(target) : 'not-a-file' });
      }
      for (const f of removes) journal.remove.push({ path: f.path, sha256: oldHashes.get(f.path)! });
      for (const [name, text] of plan.manifests) writeFileSync(join(staging, 'manifests', name), text);
      writeFileSync(join(staging, 'journal.json.tmp'), `${JSON.stringify(journal, null, 2)}\n`);
    } catch (e) {
      throw new OutputError('unwritable', `cannot render into ${out}: ${describeFsError(e)}`, 'nothing was changed; free space or choose another directory for --out');
    }
    onStep('staged');
    renameSync(join(staging, 'journal.json.tmp'), join(staging, 'journal.json'));
    committed = true;
    onStep('committed');
    // 5. apply
    const { skipped } = applyJournal(out, staging, journal, onStep);
    result.created = result.created.filter((p) => !skipped.includes(p));
    result.replaced = result.replaced.filter((p) => !skipped.includes(p));
    return result;
  } catch (e) {
    // before the commit point nothing outside .otelstack/ changed: drop the staging area; after it, leave it for
    // the next run to roll forward (a crash would leave it the same way)
    if (!committed) {
      rmSync(staging, { recursive: true, force: true });
      rmSync(lock, { force: true });
      undoCreated();
    }
    throw e;
  } finally {
    // keep the lock only while a committed staging area waits for the next run (its pid is dead by then)
    if (!committed || !exists(staging)) rmSync(lock, { force: true });
  }
}

/**
 * Finishes or discards interrupted renders in `outDir` (step 2 of the protocol) without rendering anything; the
 * names of the staging areas it handled. Every write does this first on its own.
 */
export function recoverOutput(outDir: string, onStep: (s: string) => void = () => {}): string[] {
  const out = resolve(outDir);
  const state = join(out, STATE_DIR);
  if (!statOf(state)?.isDirectory()) return [];
  const lock = acquireLock(state);
  try {
    return recover(out, onStep);
  } finally {
    rmSync(lock, { force: true });
  }
}
