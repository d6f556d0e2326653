import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Every entry under a directory: path → type, mode and content hash (files) — for byte- and mode-identity checks. */
export function snapshot(dir: string, skip: (rel: string) => boolean = () => false): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const n of readdirSync(join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${n}` : n;
      if (skip(r)) continue;
      const st = lstatSync(join(dir, r));
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isDirectory()) {
        out.set(r, `dir ${mode}`);
        walk(r);
      } else out.set(r, `file ${mode} ${createHash('sha256').update(readFileSync(join(dir, r))).digest('hex')}`);
    }
  };
  walk('');
  return out;
}

/** The entries of `before` that are not render's (not under one of `owned` paths, not .otelstack/), as they are now. */
export function unowned(before: Map<string, string>, ownedFiles: Iterable<string>): Map<string, string> {
  const owned = new Set(ownedFiles);
  return new Map([...before].filter(([p]) => !owned.has(p) && !p.startsWith('.otelstack')));
}
