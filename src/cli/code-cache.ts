/**
 * Runs the CLI bundle (dist/cli/main.cjs, scripts/bundle.mjs) with a V8 code cache, so a process start does not
 * parse and compile the bundle's ~4.5 MB again: the first run of a command compiles as usual and, on exit, saves the
 * bytecode of everything it compiled (the command's own functions included); the next run of that command
 * deserializes it. Measured by `npm run bench` (cold render of the bundled example, with and without the cache).
 *
 * Written here because Node 20 (our floor) has no compile cache for modules: Node 22's module.enableCompileCache()
 * does this, v8-compile-cache hooks CommonJS require() and saves only what was compiled eagerly, which misses the
 * lazily compiled functions a command spends its start-up on. This is vm.Script's own cachedData API.
 *
 * The cache is never needed: a missing, stale (another bundle, Node or V8) or corrupt entry is recompiled and
 * replaced; any error reading or writing it is ignored. OTELSTACK_CODE_CACHE=off turns it off; OTELSTACK_CODE_CACHE=
 * <dir> moves it (default $XDG_CACHE_HOME/otelstack/code-cache, else ~/.cache/otelstack/code-cache).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { codeCacheDir } from '../cache-dir.js';
import { DYNAMIC_IMPORT } from '../dynamic-import.js';

/** The commands a cache entry is kept for: one entry each, named by the first word of the command line. */
const ENTRY = /^[a-z]{2,16}$/;

interface Header {
  /** the bundle this entry was compiled from: path, size and modification time */
  bundle: string;
  size: number;
  mtimeMs: number;
  node: string;
  v8: string;
  arch: string;
}

function sameHeader(a: Header, b: Header): boolean {
  return a.bundle === b.bundle && a.size === b.size && a.mtimeMs === b.mtimeMs && a.node === b.node && a.v8 === b.v8 && a.arch === b.arch;
}

/** `<header JSON>\n<V8 cached data>`, or undefined when absent or from another bundle / runtime. */
function readEntry(file: string, want: Header): Buffer | undefined {
  try {
    const raw = readFileSync(file);
    const nl = raw.indexOf(10);
    if (nl < 0 || nl > 4096) return undefined;
    const header = JSON.parse(raw.subarray(0, nl).toString('utf8')) as Header;
    return sameHeader(header, want) ? raw.subarray(nl + 1) : undefined;
  } catch {
    return undefined;
  }
}

/** Written beside, then renamed into place: a concurrent run reads the old entry or the new one, never half of one. */
function writeEntry(file: string, header: Header, data: Buffer): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), data]));
    renameSync(tmp, file);
  } catch {
    // a read-only home or a full disk costs start-up time, nothing else
  }
}

/** Loads and runs the CommonJS bundle at `bundle` (an absolute path) as Node's own loader would, with the cache. */
export function runBundle(bundle: string): void {
  const source = readFileSync(bundle, 'utf8');
  const dir = codeCacheDir();
  const word = process.argv.slice(2).find((a) => !a.startsWith('-')) ?? 'help';
  let file: string | undefined;
  let header: Header | undefined;
  let cached: Buffer | undefined;
  if (dir && ENTRY.test(word)) {
    const st = statSync(bundle);
    header = { bundle, size: st.size, mtimeMs: st.mtimeMs, node: process.version, v8: process.versions.v8, arch: process.arch };
    // one directory per installed bundle, so two checkouts (or two versions) keep their own entries
    file = join(dir, createHash('sha256').update(bundle).digest('hex').slice(0, 16), `${word}.bin`);
    cached = readEntry(file, header);
  }
  const script = new Script(Module.wrap(source), {
    filename: bundle,
    ...(cached ? { cachedData: cached } : {}),
  });
  if (file && header && (!cached || script.cachedDataRejected)) {
    const [f, h] = [file, header];
    // on exit: the bytecode of what this run compiled; a usage error (exit 2, e.g. a misspelt command) keeps nothing
    process.once('exit', (code) => {
      if (code !== 2) writeEntry(f, h, script.createCachedData());
    });
  }
  // the bundle's import() of esbuild and of a compiled TypeScript definition goes through this module (src/dynamic-import.ts)
  (globalThis as Record<symbol, unknown>)[DYNAMIC_IMPORT] = (specifier: string) => import(specifier);
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
  const module = { exports: {} };
  wrapper.call(module.exports, module.exports, createRequire(bundle), module, bundle, dirname(bundle));
}
