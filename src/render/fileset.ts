import { mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { stringify } from 'yaml';

/**
 * A rendered file tree, in memory: relative path → contents. Renderers are pure functions Topology → FileSet;
 * only the CLI writes (atomically) or diffs against disk.
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

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

/**
 * Writes all files or none: everything goes to a sibling temporary directory first, which then replaces the
 * target directory in one rename (the old one is kept aside until the rename succeeded).
 */
export function writeFileSetAtomically(files: FileSet, outDir: string): void {
  const target = resolve(outDir);
  mkdirSync(dirname(target), { recursive: true });
  const tmp = mkdtempSync(`${target}.tmp-`);
  try {
    for (const [rel, content] of files) {
      const p = join(tmp, rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, content);
    }
    const old = existsSync(target) ? `${target}.old-${process.pid}` : undefined;
    if (old) renameSync(target, old);
    try {
      renameSync(tmp, target);
    } catch (e) {
      if (old) renameSync(old, target);
      throw e;
    }
    if (old) rmSync(old, { recursive: true, force: true });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

export interface FileDiff {
  path: string;
  change: 'added' | 'removed' | 'changed';
  /** unified-style line diff for changed files */
  detail?: string;
}

/** Line diff good enough for review output (longest common subsequence on lines). */
export function lineDiff(a: string, b: string, context = 2): string {
  const x = a.split('\n');
  const y = b.split('\n');
  const n = x.length;
  const m = y.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const ops: Array<[' ' | '-' | '+', string]> = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) { ops.push([' ', x[i]!]); i++; j++; }
    else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) ops.push(['-', x[i++]!]);
    else ops.push(['+', y[j++]!]);
  }
  while (i < n) ops.push(['-', x[i++]!]);
  while (j < m) ops.push(['+', y[j++]!]);
  const keep = ops.map((o, k) => o[0] !== ' ' || ops.slice(Math.max(0, k - context), k + context + 1).some((p) => p[0] !== ' '));
  const out: string[] = [];
  ops.forEach((o, k) => {
    if (keep[k]) out.push(`${o[0]} ${o[1]}`);
    else if (keep[k - 1]) out.push('  …');
  });
  return out.join('\n');
}

export function diffFileSets(expected: FileSet, actual: FileSet): FileDiff[] {
  const paths = [...new Set([...expected.keys(), ...actual.keys()])].sort();
  const out: FileDiff[] = [];
  for (const p of paths) {
    const e = expected.get(p);
    const a = actual.get(p);
    if (e === undefined) out.push({ path: p, change: 'removed' });
    else if (a === undefined) out.push({ path: p, change: 'added' });
    else if (e !== a) out.push({ path: p, change: 'changed', detail: lineDiff(a, e) });
  }
  return out;
}

/** Reads a directory back into a FileSet (for --check and golden tests). */
export function readFileSet(dir: string): FileSet {
  return new Map(listFiles(dir).map((rel) => [rel, readFileSync(join(dir, rel), 'utf8')]));
}
