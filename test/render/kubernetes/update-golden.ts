// Rewrites examples/dts/rendered, examples/production/rendered and examples/buffered/rendered (target kubernetes), examples/vms/rendered
// (target ansible) and examples/rum/rendered (target all: compose and kubernetes) from the current renderers, as `otelstack render <example> --target <t> --out <example>/rendered --force` does (after a merge the golden files
// may not match the manifest; the directories are render's alone): node dist/test/render/kubernetes/update-golden.js
import { spawnSync } from 'node:child_process';
import { BIN, ROOT } from '../../support/paths.js';
import { BUFFERED_GOLDEN_DIR, GOLDEN_DIR, PRODUCTION_GOLDEN_DIR, RUM_GOLDEN_DIR } from './support.js';
import { VMS_GOLDEN_DIR } from '../ansible/support.js';

// `node --test dist/test/…` also loads this file (it sits under a test/ directory): never rewrite the golden then.
if (process.env['NODE_TEST_CONTEXT'] === undefined) {
  const examples = [['examples/dts', GOLDEN_DIR, 'kubernetes'], ['examples/production', PRODUCTION_GOLDEN_DIR, 'kubernetes'], ['examples/buffered', BUFFERED_GOLDEN_DIR, 'kubernetes'], ['examples/vms', VMS_GOLDEN_DIR, 'ansible'], ['examples/rum', RUM_GOLDEN_DIR, 'all']] as const;
  for (const [example, dir, target] of examples) {
    const r = spawnSync(process.execPath, [BIN, 'render', example, '--target', target, '--out', dir, '--force'], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) process.exitCode = r.status ?? 1;
  }
}
