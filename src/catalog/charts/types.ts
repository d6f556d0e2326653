/**
 * Value keys a renderer may write into a Helm chart's values, per pinned chart version. Dotted paths; `*` matches
 * one map key; a trailing `.**` marks a subtree whose contents are not chart values (e.g. a provisioning file).
 * Arrays are leaves. Written by hand from each chart's documented values.yaml at the pinned tag — never copied.
 */
export interface ChartValueKeys {
  chart: string;
  version: string;
  /** where the key names were read */
  source: string;
  keys: readonly string[];
}

/** True when `path` (dotted) is covered by one of the patterns. */
export function keyAllowed(path: string, patterns: readonly string[]): boolean {
  const segs = path.split('.');
  return patterns.some((p) => {
    const ps = p.split('.');
    const open = ps[ps.length - 1] === '**';
    const fixed = open ? ps.slice(0, -1) : ps;
    if (open ? segs.length < fixed.length : segs.length !== fixed.length) return false;
    return fixed.every((s, i) => s === '*' || s === segs[i]);
  });
}

/** Leaf key paths of a values object (arrays are leaves; keys containing dots are kept whole inside a segment). */
export function valueKeyPaths(obj: unknown, prefix = ''): string[] {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return prefix ? [prefix] : [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const p = prefix ? `${prefix}.${k.replace(/\./g, '\\u002e')}` : k.replace(/\./g, '\\u002e');
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0) out.push(...valueKeyPaths(v, p));
    else out.push(p);
  }
  return out;
}
