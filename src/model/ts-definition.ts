/**
 * Loads a TypeScript (or JavaScript) stack definition with one esbuild build, without registering a loader.
 *
 * Why not tsx: `tsImport` installs module hooks and imports the definition under its own namespace, so the
 * definition's `import { defineStack } from 'otelstack'` loads this whole package a second time, every module
 * through the hooks — ~0.8 s of a cold `render examples/dts` on a loaded 2-core machine, against ~0.17 s here
 * (esbuild import ~60 ms, build ~60 ms, import of the bundle ~40 ms; bench/plan-render.bench.ts).
 *
 * The definition and its relative imports are bundled in memory; `otelstack` resolves to this package's own entry,
 * wherever the definition lives: the instance already loaded in this process (a module that reads it from a global),
 * not a copy — in the CLI bundle, importing the package's files again would parse and run a second megabyte of
 * JavaScript on every start. Other bare imports stay external and resolve from the definition's directory as Node
 * would. The bundle is imported from a data: URL, so nothing is written next to the user's files.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { codeCacheDir } from '../cache-dir.js';
import { dynamicImport } from '../dynamic-import.js';

/** Where the definition's `import ... from 'otelstack'` finds this process's package entry. */
const SELF = Symbol.for('otelstack.definitionEntry');
const SELF_NAMESPACE = 'otelstack-self';

export class TsDefinitionError extends Error {
  constructor(
    message: string,
    /** "line:column" of the first compile error, when esbuild reported one */
    public readonly location?: string,
  ) {
    super(message);
    this.name = 'TsDefinitionError';
  }
}

export async function importTsDefinition(file: string): Promise<Record<string, unknown>> {
  const entry = await import('../index.js');
  (globalThis as Record<symbol, unknown>)[SELF] = entry;
  const names = Object.keys(entry).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n));
  const cache = definitionCache(file, names);
  const hit = cache?.read();
  if (hit !== undefined) {
    try {
      return await dynamicImport(`data:text/javascript;base64,${Buffer.from(hit).toString('base64')}`);
    } catch {
      // an import the cached bundle resolved at build time has moved: build again
    }
  }
  const esbuild = await dynamicImport<typeof import('esbuild')>('esbuild');
  let code: string;
  try {
    const r = await esbuild.build({
      entryPoints: [file],
      bundle: true,
      metafile: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
      sourcemap: 'inline',
      plugins: [
        {
          name: 'otelstack-self',
          setup(b) {
            b.onResolve({ filter: /^otelstack$/ }, () => ({ path: 'otelstack', namespace: SELF_NAMESPACE }));
            b.onLoad({ filter: /.*/, namespace: SELF_NAMESPACE }, () => ({
              contents: `const entry = globalThis[Symbol.for(${JSON.stringify(SELF.description)})];\nexport const { ${names.join(', ')} } = entry;\n`,
              loader: 'js',
            }));
            // any other bare import: external, resolved from the definition's directory at import time
            b.onResolve({ filter: /^[^./]/ }, async (a) => {
              if (a.path.startsWith('node:') || a.kind === 'entry-point') return undefined;
              // a data: URL module imports absolute URLs only: resolve now, from the importing file (CommonJS
              // resolution; enough for the helpers a definition imports)
              try {
                return { path: pathToFileURL(createRequire(a.importer).resolve(a.path)).href, external: true };
              } catch {
                return { errors: [{ text: `cannot find module "${a.path}" (imported by ${a.importer})` }] };
              }
            });
          },
        },
      ],
    });
    code = r.outputFiles?.[0]?.text ?? '';
    cache?.write(code, Object.keys(r.metafile?.inputs ?? {}).filter((k) => !k.includes(':')));
  } catch (e) {
    const errors = (e as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number; lineText: string } | null }> }).errors;
    const first = errors?.[0];
    if (first) {
      const loc = first.location ? `${first.location.line}:${first.location.column + 1}` : undefined;
      throw new TsDefinitionError(`${first.text}${first.location ? ` (line ${first.location.line}, column ${first.location.column + 1}: ${first.location.lineText.trim()})` : ''}`, loc);
    }
    throw new TsDefinitionError(e instanceof Error ? e.message.split('\n')[0]! : String(e));
  }
  return dynamicImport(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}

/**
 * Compiled definitions kept beside the CLI's code cache (src/cache-dir.ts), so an unchanged TypeScript definition
 * is not built again (esbuild's service start and build were about a tenth of a cold render). An entry holds the
 * bundle and the sha256 of every file esbuild read for it (the definition and its relative imports); it is used
 * only when every one of those files still has the same bytes, with the same esbuild, Node and package entry.
 */
function definitionCache(file: string, names: readonly string[]): { read(): string | undefined; write(code: string, inputs: readonly string[]): void } | undefined {
  const dir = codeCacheDir();
  if (!dir) return undefined;
  let esbuildVersion: string;
  try {
    esbuildVersion = (createRequire(import.meta.url)('esbuild/package.json') as { version: string }).version;
  } catch {
    return undefined;
  }
  const key = JSON.stringify({ file, esbuild: esbuildVersion, node: process.version, entry: names });
  const path = join(dir, 'definitions', `${createHash('sha256').update(key).digest('hex').slice(0, 24)}.json`);
  const digest = (f: string): string | undefined => {
    try {
      return createHash('sha256').update(readFileSync(f)).digest('hex');
    } catch {
      return undefined;
    }
  };
  return {
    read() {
      try {
        const e = JSON.parse(readFileSync(path, 'utf8')) as { key: string; inputs: Record<string, string>; code: string };
        if (e.key !== key || Object.keys(e.inputs).length === 0) return undefined;
        for (const [f, h] of Object.entries(e.inputs)) if (digest(f) !== h) return undefined;
        return e.code;
      } catch {
        return undefined;
      }
    },
    write(code, inputs) {
      try {
        const hashes: Record<string, string> = {};
        for (const i of inputs) {
          const abs = resolve(process.cwd(), i);
          const h = digest(abs);
          if (h === undefined) return;
          hashes[abs] = h;
        }
        mkdirSync(dirname(path), { recursive: true });
        const tmp = `${path}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify({ key, inputs: hashes, code }));
        renameSync(tmp, path);
      } catch {
        // only start-up time is lost
      }
    },
  };
}
