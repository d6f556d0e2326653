#!/usr/bin/env node
// `otelstack --version` answers without loading the CLI (start-up budget: see bench/plan-render.bench.ts).
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const { readFileSync } = await import('node:fs');
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
} else {
  // the CLI bundle through a V8 code cache (src/cli/code-cache.ts)
  const [{ runBundle }, { fileURLToPath }] = await Promise.all([import('../dist/src/cli/code-cache.js'), import('node:url')]);
  runBundle(fileURLToPath(new URL('../dist/cli/main.cjs', import.meta.url)));
}
