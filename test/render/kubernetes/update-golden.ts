// Rewrites examples/dts/rendered/kubernetes from the current renderer: node dist/test/render/kubernetes/update-golden.js
import { writeFileSetAtomically } from '../../../src/render/fileset.js';
import { GOLDEN_DIR, exampleStack, renderAll } from './support.js';

// `node --test dist/test/…` also loads this file (it sits under a test/ directory): never rewrite the golden then.
if (process.env['NODE_TEST_CONTEXT'] === undefined) {
  const { files } = renderAll(await exampleStack());
  const stripped = new Map([...files].map(([k, v]) => [k.replace(/^kubernetes\//, ''), v]));
  writeFileSetAtomically(stripped, GOLDEN_DIR);
  console.log(`wrote ${stripped.size} files to ${GOLDEN_DIR}`);
}
