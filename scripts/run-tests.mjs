// Runs every compiled test file with node's own test runner. Node 20's `--test` has no glob support,
// so the file list is collected here; OTELSTACK_TEST_FILTER narrows it (e.g. "e2e" or "unit").
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}
const filter = process.env.OTELSTACK_TEST_FILTER;
const files = walk('dist/test').filter((f) => !filter || f.includes(filter));
if (files.length === 0) {
  console.error('no test files found under dist/test' + (filter ? ` matching ${filter}` : ''));
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
