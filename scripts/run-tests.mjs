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
// The CLI's colours come from picocolors, which switches them on whenever CI is set, even on a pipe; the tests
// read the CLI's plain text, so the CLIs they start run with NO_COLOR (as a user's `| grep` would want too).
const env = { ...process.env, NO_COLOR: '1' };
delete env.FORCE_COLOR;
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
