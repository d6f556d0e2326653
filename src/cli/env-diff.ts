import type { Stack } from '../model/schema.js';
import type { Finding } from '../plan/findings.js';
import type { FileSet } from '../render/fileset.js';
import { renderStack } from '../render/index.js';
import { formatValuePath, textPatch, valueChanges, type ValueChange } from '../render/output/diff.js';

/** One file's difference between two environments (`diff --json`). */
export interface EnvironmentFileDiff {
  file: string;
  /** added: only in --to; removed: only in --from */
  change: 'changed' | 'added' | 'removed';
  /** for YAML/JSON files: the key paths whose values differ */
  values?: Array<Omit<ValueChange, 'path'> & { path: string; keys: Array<string | number> }>;
  /** for other files (or YAML that does not parse): a unified diff */
  patch?: string;
}

/** Strips the environment's own directory from paths so that dev's and test's files line up. */
function byEnvironment(files: FileSet, env: string): FileSet {
  const out: FileSet = new Map();
  for (const [p, c] of files) {
    const parts = p.split('/');
    const i = parts.indexOf(env);
    if (i >= 0) out.set([...parts.slice(0, i), '<env>', ...parts.slice(i + 1)].join('/'), c);
  }
  return out;
}

/**
 * What differs between two environments' rendered output, file by file (`otelstack diff` and `otelstack report`).
 * `guard`: a renderer's own error findings (it refused what the plan accepted); `diffs` is empty then.
 * The caller checks the plan's verdict first.
 */
export function environmentDiffs(stack: Stack, from: string, to: string, phase?: number): { guard: Finding[]; diffs: EnvironmentFileDiff[] } {
  const ra = renderStack(stack, { env: from, ...(phase !== undefined ? { phase } : {}) });
  const rb = renderStack(stack, { env: to, ...(phase !== undefined ? { phase } : {}) });
  const guard = [...ra.findings, ...rb.findings].filter((f) => f.severity === 'error');
  if (guard.length) return { guard, diffs: [] };
  const a = byEnvironment(ra.files, from);
  const b = byEnvironment(rb.files, to);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  const diffs = paths.flatMap((p): EnvironmentFileDiff[] => {
    const x = a.get(p);
    const y = b.get(p);
    if (x === y) return [];
    if (x === undefined) return [{ file: p, change: 'added' }];
    if (y === undefined) return [{ file: p, change: 'removed' }];
    const v = valueChanges(p, x, y);
    if (!v) return [{ file: p, change: 'changed', patch: textPatch(p, x, y, from, to) }];
    return [{ file: p, change: 'changed', values: v.changes.map((c) => ({ ...c, keys: c.path, path: formatValuePath(c, v.documents) })) }];
  });
  return { guard, diffs };
}
