// Rewrites examples/dts/report.html from the current code, as `otelstack report examples/dts --out
// examples/dts/report.html` does from the repository root: node dist/test/report/update-golden.js (after
// `npm run build`: it runs the bundled CLI). The golden test compares a fresh report with it byte for byte.
import { spawnSync } from 'node:child_process';
import { BIN, ROOT } from '../support/paths.js';
import { GOLDEN_EXAMPLE, GOLDEN_REPORT } from './support.js';

// `node --test dist/test/…` also loads this file (it sits under a test/ directory): never rewrite the golden then.
if (process.env['NODE_TEST_CONTEXT'] === undefined) {
  const r = spawnSync(process.execPath, [BIN, 'report', GOLDEN_EXAMPLE, '--out', GOLDEN_REPORT], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = r.status ?? 1;
}
