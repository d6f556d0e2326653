// Rewrites examples/dts/rendered and examples/production/rendered from the current renderer, as
// `otelstack render <example> --target kubernetes --out <example>/rendered --force` does (after a merge the golden files
// may not match the manifest; the directories are render's alone): node dist/test/render/kubernetes/update-golden.js
import { spawnSync } from 'node:child_process';
import { BIN, ROOT } from '../../support/paths.js';
import { GOLDEN_DIR, PRODUCTION_GOLDEN_DIR } from './support.js';

// `node --test dist/test/…` also loads this file (it sits under a test/ directory): never rewrite the golden then.
if (process.env['NODE_TEST_CONTEXT'] === undefined) {
  for (const [example, dir] of [['examples/dts', GOLDEN_DIR], ['examples/production', PRODUCTION_GOLDEN_DIR]] as const) {
    const r = spawnSync(process.execPath, [BIN, 'render', example, '--target', 'kubernetes', '--out', dir, '--force'], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) process.exitCode = r.status ?? 1;
  }
}
