// Where otelstack keeps what only saves start-up time (the CLI's code cache, compiled TypeScript definitions):
// OTELSTACK_CODE_CACHE=<dir>, or off / 0 / false for none; else $XDG_CACHE_HOME/otelstack/code-cache, else
// ~/.cache/otelstack/code-cache. Nothing in it is ever needed: a missing or stale entry is rebuilt.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function codeCacheDir(): string | undefined {
  const v = process.env['OTELSTACK_CODE_CACHE'];
  if (v === 'off' || v === '0' || v === 'false') return undefined;
  if (v) return v;
  const base = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(base, 'otelstack', 'code-cache');
}
