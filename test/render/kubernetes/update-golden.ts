// Rewrites examples/dts/rendered and examples/production/rendered from the current renderer (the same output as
// `otelstack render <example> --out <example>/rendered`): node dist/test/render/kubernetes/update-golden.js
import { writeFileSetAtomically } from '../../../src/render/fileset.js';
import { GOLDEN_DIR, PRODUCTION_GOLDEN_DIR, exampleStack, productionStack, renderGolden, renderProduction } from './support.js';

// `node --test dist/test/…` also loads this file (it sits under a test/ directory): never rewrite the golden then.
if (process.env['NODE_TEST_CONTEXT'] === undefined) {
  const files = renderGolden(await exampleStack());
  writeFileSetAtomically(files, GOLDEN_DIR);
  console.log(`wrote ${files.size} files to ${GOLDEN_DIR}`);
  const prod = renderProduction((await productionStack()).stack);
  writeFileSetAtomically(prod, PRODUCTION_GOLDEN_DIR);
  console.log(`wrote ${prod.size} files to ${PRODUCTION_GOLDEN_DIR}`);
}
