import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import { textPatch } from './output/diff.js';
import { STATE_DIR } from './output/manifest.js';

/**
 * A rendered file tree, in memory: relative path → contents. Renderers are pure functions Topology → FileSet;
 * only the CLI writes (src/render/output/write.ts: owned files only, all or nothing) or diffs against disk.
 */
export type FileSet = Map<string, string>;

/** Deterministic YAML: keys sorted, no line folding, no anchors. Renderers build objects and serialise here. */
export function toYaml(value: unknown): string {
  return stringify(value, { sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false });
}

/** Deterministic JSON (keys sorted recursively). */
export function toJson(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sort) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v as object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => [k, sort(x)])) : v;
  return `${JSON.stringify(sort(value), null, 2)}\n`;
}

export function mergeFileSets(...sets: FileSet[]): FileSet {
  const out: FileSet = new Map();
  for (const s of sets) for (const [k, v] of s) {
    if (out.has(k) && out.get(k) !== v) throw new Error(`two renderers produced different contents for ${k}`);
    out.set(k, v);
  }
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Lists a directory's files, skipping render's own state (`.otelstack/`: manifests, lock, staging areas). */
function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      if (d === dir && n === STATE_DIR) continue;
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

export interface FileDiff {
  path: string;
  change: 'added' | 'removed' | 'changed';
  /** unified diff (the `diff` package) for changed files: from what is on disk to what is rendered */
  detail?: string;
}

export function diffFileSets(expected: FileSet, actual: FileSet): FileDiff[] {
  const paths = [...new Set([...expected.keys(), ...actual.keys()])].sort();
  const out: FileDiff[] = [];
  for (const p of paths) {
    const e = expected.get(p);
    const a = actual.get(p);
    if (e === undefined) out.push({ path: p, change: 'removed' });
    else if (a === undefined) out.push({ path: p, change: 'added' });
    else if (e !== a) out.push({ path: p, change: 'changed', detail: textPatch(p, a, e, 'disk', 'rendered') });
  }
  return out;
}

/** Reads a directory back into a FileSet (for --check and golden tests). */
export function readFileSet(dir: string): FileSet {
  return new Map(listFiles(dir).map((rel) => [rel, readFileSync(join(dir, rel), 'utf8')]));
}
