import { join } from 'node:path';
import { ROOT } from '../support/paths.js';

/** The bundled example's report, checked in (regenerate: node dist/test/report/update-golden.js after a build). */
export const GOLDEN_EXAMPLE = 'examples/dts';
export const GOLDEN_REPORT = join(ROOT, 'examples/dts/report.html');
