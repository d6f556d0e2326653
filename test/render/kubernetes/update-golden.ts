// Rewrites examples/dts/rendered/kubernetes from the current renderer: node dist/test/render/kubernetes/update-golden.js
import { writeFileSetAtomically } from '../../../src/render/fileset.js';
import { GOLDEN_DIR, exampleStack, renderGolden } from './support.js';

// `node --test dist/test/…` also loads this file (it sits under a test/ directory): never rewrite the golden then.
if (process.env['NODE_TEST_CONTEXT'] === undefined) {
  const files = renderGolden(await exampleStack());
  writeFileSetAtomically(files, GOLDEN_DIR);
  console.log(`wrote ${files.size} files to ${GOLDEN_DIR}`);
}
