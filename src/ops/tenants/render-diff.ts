/**
 * What a definition change does to the rendered output: both definitions rendered in memory by the render pipeline
 * (renderStack, every environment for its own target, each environment's current phase — what `otelstack render`
 * writes), compared file by file; unified diffs from the `diff` package (render/output/diff.ts).
 */
import type { Stack } from '../../model/schema.js';
import type { Finding } from '../../plan/findings.js';
import { renderStack } from '../../render/index.js';
import { lineCounts, textPatch } from '../../render/output/diff.js';

export interface RenderedFileChange {
  path: string;
  change: 'added' | 'removed' | 'changed';
  /** lines added and removed */
  added: number;
  removed: number;
}

export interface RenderDiff {
  files: RenderedFileChange[];
  /** unified diffs, path order; only with detail "full" (or "auto" under the line budget) */
  patches: Array<{ path: string; patch: string }>;
  /** diff lines left out (detail "stat", or "auto" over the budget) */
  omittedLines: number;
  /** a renderer's own error findings on the edited definition that the original did not have (it refused what the plan accepted) */
  guard: Finding[];
}

/** How much of the diff to keep: auto = the patches while they fit in AUTO_PATCH_LINES lines, else the stat only. */
export type DiffDetail = 'auto' | 'full' | 'stat' | 'none';
export const DIFF_DETAILS: readonly DiffDetail[] = ['auto', 'full', 'stat', 'none'];
export const AUTO_PATCH_LINES = 400;

export function renderDiff(before: Stack, after: Stack, detail: DiffDetail = 'auto'): RenderDiff {
  const a = renderStack(before, { target: 'all' });
  const b = renderStack(after, { target: 'all' });
  const key = (f: Finding) => `${f.rule}|${f.env ?? ''}|${f.path}|${f.message}`;
  const had = new Set(a.findings.filter((f) => f.severity === 'error').map(key));
  const guard = b.findings.filter((f) => f.severity === 'error' && !had.has(key(f)));
  const paths = [...new Set([...a.files.keys(), ...b.files.keys()])].sort();
  const files: RenderedFileChange[] = [];
  const patches: Array<{ path: string; patch: string }> = [];
  for (const p of paths) {
    const x = a.files.get(p);
    const y = b.files.get(p);
    if (x === y) continue;
    const change = x === undefined ? 'added' : y === undefined ? 'removed' : 'changed';
    const n = lineCounts(x ?? '', y ?? '');
    files.push({ path: p, change, ...n });
    if (detail !== 'none') patches.push({ path: p, patch: textPatch(p, x ?? '', y ?? '', 'before', 'after') });
  }
  const lines = patches.reduce((s, p) => s + p.patch.split('\n').length - 1, 0);
  const keep = detail === 'full' || (detail === 'auto' && lines <= AUTO_PATCH_LINES);
  return { files, patches: keep ? patches : [], omittedLines: keep ? 0 : lines, guard };
}
