/**
 * A module-resolution hook (node:module `register`) for TypeScript / JavaScript definitions: a definition that
 * lives outside this package (a platform team's own repository, /tmp) writes `import { defineStack } from
 * 'otelstack'` but has no otelstack in its node_modules. Resolution is first left to Node (so a project that
 * installs otelstack gets its own copy); only when that fails does 'otelstack' resolve to the running package's
 * entry. Hand-written: Node's loader-hook API is the mechanism itself, there is no library layer over it.
 * Runs in Node's loader thread; loaded only when a .ts/.js definition is loaded.
 */

interface ResolveContext {
  conditions?: readonly string[];
  importAttributes?: Record<string, string>;
  parentURL?: string;
}
interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
type NextResolve = (specifier: string, context?: ResolveContext) => Promise<ResolveResult>;

export interface ResolveOtelstackData {
  /** file: URL of this package's entry (dist/src/index.js) */
  entry: string;
  /** query parameter that marks the definition file itself */
  marker: string;
}

let entry: string | undefined;
let marker: string | undefined;

export function initialize(data: ResolveOtelstackData): void {
  entry = data.entry;
  marker = data.marker;
}

export async function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve): Promise<ResolveResult> {
  if (marker !== undefined && specifier.includes(`?${marker}=`)) {
    // The definition is written as an ES module (`export default defineStack(...)`), wherever it lives: outside a
    // "type": "module" package tsx would compile it to CommonJS, whose require('otelstack') no ESM hook can see.
    const r = await nextResolve(specifier, context);
    const format = r.format === 'commonjs-typescript' ? 'module-typescript' : r.format === 'commonjs' || r.format === undefined || r.format === null ? 'module' : r.format;
    return { ...r, format };
  }
  if (specifier !== 'otelstack' || entry === undefined) return nextResolve(specifier, context);
  try {
    return await nextResolve(specifier, context);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return { url: entry, format: 'module', shortCircuit: true };
    throw e;
  }
}
