// Rewrites examples/dts/rendered from the current renderer, as `otelstack render examples/dts --target kubernetes
// --out examples/dts/rendered --force` does (after a merge the golden files may not match the manifest; the directory is
// render's alone): node dist/test/render/kubernetes/update-golden.js
import { spawnSync } from 'node:child_process';
import { BIN, ROOT } from '../../support/paths.js';
import { GOLDEN_DIR } from './support.js';

// `node --test dist/test/…` also loads this file (it sits under a test/ directory): never rewrite the golden then.
if (process.env['NODE_TEST_CONTEXT'] === undefined) {
  const r = spawnSync(process.execPath, [BIN, 'render', 'examples/dts', '--target', 'kubernetes', '--out', GOLDEN_DIR, '--force'], { cwd: ROOT, stdio: 'inherit' });
  process.exitCode = r.status ?? 1;
}
