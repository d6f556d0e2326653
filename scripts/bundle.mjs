// `npm run build`, second step: bundles the CLI (and the package entry a TypeScript definition imports, and the
// load generator's worker) from tsc's output into dist/cli with esbuild, split per command. Why: Node spends a
// cold second resolving and compiling the ~900 modules of dist/src and its dependencies one by one; one file per
// command loads in a fraction of that (issue 14 §5; figures from `npm run bench`). tsc still type-checks and
// writes dist/src, which the library entry (package.json "exports") and the tests import.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync('dist/cli', { recursive: true, force: true });
await build({
  entryPoints: { main: 'dist/src/cli/main.js', index: 'dist/src/index.js', worker: 'dist/src/ops/load/worker.js' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: 'dist/cli',
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
  define: { __OTELSTACK_BUNDLE__: 'true' },
  // esbuild has a native binary; the OTLP/gRPC and S3 stacks (verify, load, backup only) read files next to their
  // own modules (grpc-js's channelz protos) and stay in node_modules, loaded only by the commands that use them
  external: ['esbuild', '@grpc/grpc-js', 'protobufjs', '@aws-sdk/*', '@smithy/*', '@elastic/mockotlpserver'],
  // CommonJS dependencies inside an ES module bundle call require() for Node's built-ins
  banner: { js: "import { createRequire as __otelstackRequire } from 'node:module'; const require = __otelstackRequire(import.meta.url);" },
});
