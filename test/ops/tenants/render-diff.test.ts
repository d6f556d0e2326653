import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { validateDefinition } from '../../../src/model/load.js';
import { PACKAGE_ROOT } from '../../../src/package-root.js';
import { AUTO_PATCH_LINES, renderDiff } from '../../../src/ops/tenants/render-diff.js';

const RUM = join(PACKAGE_ROOT, 'examples', 'rum', 'stack.yaml');
const raw = () => parse(readFileSync(RUM, 'utf8')) as Record<string, any>;

describe('tenant render diff: both definitions rendered in memory, compared file by file', () => {
  const before = validateDefinition(RUM, raw());
  const changed = raw();
  changed.ingestion.environments.local.gateway.memory = '2Gi';
  const after = validateDefinition(RUM, changed);

  it('names the files that change with their line counts, and gives unified diffs from the diff package', () => {
    const d = renderDiff(before, after, 'full');
    assert.ok(d.files.length > 0);
    assert.ok(d.files.every((f) => f.path.startsWith('compose/local/')), 'only the local environment changes');
    assert.ok(d.files.every((f) => f.change === 'changed' && f.added > 0 && f.removed > 0));
    assert.equal(d.patches.length, d.files.length);
    assert.match(d.patches[0]!.patch, /^={67}\n--- before\/compose\/local\//);
    assert.ok(d.patches.some((p) => /^\+ +memory: 2048M$/m.test(p.patch)));
    assert.deepEqual(d.guard, []);
  });
  it('stat keeps the list and leaves the diffs out (and counts them); auto keeps diffs under its line budget; an unchanged definition has no changes', () => {
    const s = renderDiff(before, after, 'stat');
    assert.equal(s.patches.length, 0);
    assert.ok(s.omittedLines > 0);
    assert.deepEqual(s.files, renderDiff(before, after, 'full').files);
    const a = renderDiff(before, after, 'auto');
    assert.equal(a.patches.length > 0, s.omittedLines <= AUTO_PATCH_LINES);
    assert.deepEqual(renderDiff(before, before, 'full').files, []);
  });
});
