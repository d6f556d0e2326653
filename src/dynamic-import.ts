// import() for a specifier known only at run time (esbuild, a TypeScript definition compiled to a data: URL).
// The CLI bundle runs inside vm.Script (src/cli/code-cache.ts), where Node 20 answers import() with "A dynamic
// import callback was not specified" once the script comes from a code cache; the bin's loader, an ordinary ES
// module, registers its own import() here first, and everything else (tsc's output, the library) uses import().

/** The global the CLI loader sets (src/cli/code-cache.ts). */
export const DYNAMIC_IMPORT = Symbol.for('otelstack.dynamicImport');

type Importer = (specifier: string) => Promise<Record<string, unknown>>;

export function dynamicImport<T = Record<string, unknown>>(specifier: string): Promise<T> {
  const registered = (globalThis as Record<symbol, Importer | undefined>)[DYNAMIC_IMPORT];
  return (registered ? registered(specifier) : import(specifier)) as Promise<T>;
}
