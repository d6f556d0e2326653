import { fileURLToPath } from 'node:url';

/** The repository root, from compiled tests in dist/test/**. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = `${ROOT}bin/otelstack.js`;
