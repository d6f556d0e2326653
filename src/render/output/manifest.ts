import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';

/** Render's own directory inside an output directory: manifests, the lock and staging areas. */
export const STATE_DIR = '.otelstack';

/**
 * What one stack's renders wrote into an output directory: `.otelstack/<stack>.manifest.json`. One manifest per
 * stack, so several stacks share a directory; every file records the environments whose render produced it, so
 * rendering one environment replaces and removes only that environment's files (a file shared by several
 * environments, e.g. kubernetes/shared/…, is removed only when none of them produces it any more). `directories`
 * are the directories render created (and so may remove once they are empty). Deterministic: sorted, no times.
 */
export const ManifestSchema = z.object({
  otelstack: z.literal(1),
  stack: z.string(),
  /** every environment this manifest has files for, with the target it rendered for */
  environments: z.record(z.string(), z.object({ target: z.string() })),
  files: z.array(z.object({ path: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), environments: z.array(z.string()) })),
  directories: z.array(z.string()),
});
export type Manifest = z.infer<typeof ManifestSchema>;
export type ManifestFile = Manifest['files'][number];

export const sha256 = (content: string | Buffer): string => createHash('sha256').update(content).digest('hex');

/** The manifest's file name for a stack (names are identifiers already; anything else is replaced, not trusted). */
export function manifestName(stack: string): string {
  return `${stack.replace(/[^A-Za-z0-9._-]/g, '_')}.manifest.json`;
}

export function emptyManifest(stack: string): Manifest {
  return { otelstack: 1, stack, environments: {}, files: [], directories: [] };
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Deterministic text: keys in a fixed order, lists sorted (built here rather than with fileset's toJson to keep
 * this module free of render imports). */
export function serializeManifest(m: Manifest): string {
  const environments = Object.fromEntries(Object.keys(m.environments).sort(byString).map((e) => [e, { target: m.environments[e]!.target }]));
  const files = [...m.files].sort((a, b) => byString(a.path, b.path)).map((f) => ({ path: f.path, sha256: f.sha256, environments: [...new Set(f.environments)].sort(byString) }));
  return `${JSON.stringify({ otelstack: 1, stack: m.stack, environments, files, directories: [...new Set(m.directories)].sort(byString) }, null, 2)}\n`;
}

export class ManifestError extends Error {}

/** Every stack's manifest in an output directory, by file name. A manifest that does not parse is an error. */
export function readManifests(outDir: string): Map<string, Manifest> {
  const dir = join(outDir, STATE_DIR);
  const out = new Map<string, Manifest>();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names.sort()) {
    if (!n.endsWith('.manifest.json')) continue;
    const p = join(dir, n);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(p, 'utf8'));
    } catch (e) {
      throw new ManifestError(`${p} is not valid JSON (${(e as Error).message})`);
    }
    const r = ManifestSchema.safeParse(parsed);
    if (!r.success) throw new ManifestError(`${p} is not an otelstack manifest: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    out.set(n, r.data);
  }
  return out;
}
