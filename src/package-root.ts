// Where this package's files are, whether the code runs from tsc's output (dist/src/...) or from the CLI bundle
// (dist/cli/..., scripts/bundle.mjs): module-relative URLs differ between the two, the package root does not.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Set to true by scripts/bundle.mjs (esbuild `define`); undefined in tsc's output. */
declare const __OTELSTACK_BUNDLE__: boolean | undefined;
export const BUNDLED = typeof __OTELSTACK_BUNDLE__ !== 'undefined' && __OTELSTACK_BUNDLE__;

function findRoot(from: string): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'otelstack') return dir;
    if (dirname(dir) === dir) throw new Error(`otelstack: no package.json of otelstack above ${from}`);
  }
}

/** The directory holding otelstack's package.json. */
export const PACKAGE_ROOT = findRoot(fileURLToPath(import.meta.url));

/** A file of the built package: `dist/cli/<name>` in the bundle, else `dist/src/<path>`. */
export function builtFile(srcPath: string, bundleName: string): string {
  return BUNDLED ? join(PACKAGE_ROOT, 'dist', 'cli', bundleName) : join(PACKAGE_ROOT, 'dist', 'src', srcPath);
}
