// `npm run build`, second step: bundles tsc's output into dist/cli with esbuild. Why: Node spends a cold second
// resolving and compiling the ~900 modules of dist/src and its dependencies one by one (issue 14 §5; figures from
// `npm run bench`). tsc still type-checks and writes dist/src, which the library entry (package.json "exports")
// and the tests import.
//  - dist/cli/main.cjs: the CLI, one CommonJS file, so bin/otelstack.js can run it through vm.Script with a V8
//    code cache (src/cli/code-cache.ts); each command's modules are still evaluated only when it runs (esbuild
//    keeps a dynamically imported module lazy);
//  - dist/cli/worker.js: the load generator's worker thread, an ES module. (A TypeScript definition's
//    `import ... from 'otelstack'` gets the CLI's own instance: src/model/ts-definition.ts.)
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  // esbuild has a native binary; the OTLP/gRPC and S3 stacks (verify, load, backup only) read files next to their
  // own modules (grpc-js's channelz protos) and stay in node_modules, loaded only by the commands that use them
  external: ['esbuild', '@grpc/grpc-js', 'protobufjs', '@aws-sdk/*', '@smithy/*', '@elastic/mockotlpserver'],
};

rmSync('dist/cli', { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { worker: 'dist/src/ops/load/worker.js' },
  format: 'esm',
  outdir: 'dist/cli',
  define: { __OTELSTACK_BUNDLE__: 'true' },
  // CommonJS dependencies inside an ES module bundle call require() for Node's built-ins
  banner: { js: "import { createRequire as __otelstackRequire } from 'node:module'; const require = __otelstackRequire(import.meta.url);" },
});
await build({
  ...common,
  entryPoints: ['dist/src/cli/main.js'],
  format: 'cjs',
  outfile: 'dist/cli/main.cjs',
  // whitespace and syntax only (6.4 -> 4.5 MB to read and hash at every start); identifiers keep their names, so
  // a stack trace from the bundle still reads
  minifyWhitespace: true,
  minifySyntax: true,
  // the modules locate the package (src/package-root.ts) and grpc-js's protos from import.meta.url
  define: { __OTELSTACK_BUNDLE__: 'true', 'import.meta.url': '__otelstackModuleUrl' },
  banner: { js: "const __otelstackModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
});
