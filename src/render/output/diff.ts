import { createTwoFilesPatch, structuredPatch } from 'diff';
import { parseAllDocuments } from 'yaml';

/** A unified diff of two versions of one file (the `diff` package; `---`/`+++` headers name both sides). */
export function textPatch(path: string, from: string, to: string, fromLabel = 'a', toLabel = 'b', context = 3): string {
  return createTwoFilesPatch(`${fromLabel}/${path}`, `${toLabel}/${path}`, from, to, undefined, undefined, { context });
}

/** How many lines a change adds and removes (from the `diff` package's hunks). */
export function lineCounts(from: string, to: string): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const h of structuredPatch('a', 'b', from, to, undefined, undefined, { context: 0 }).hunks) {
    for (const l of h.lines) {
      if (l.startsWith('+')) added++;
      else if (l.startsWith('-')) removed++;
    }
  }
  return { added, removed };
}

/** One value that differs inside a YAML (or JSON) document. */
export interface ValueChange {
  /** index of the document in a multi-document YAML file (0 for single-document files) */
  document: number;
  /** the key path inside the document: map keys and list indexes */
  path: Array<string | number>;
  change: 'added' | 'removed' | 'changed';
  from?: unknown;
  to?: unknown;
}

/** `spec.source.helm.values[0].name`, or `[1] metadata.name` for the second document of a file. */
export function formatValuePath(c: Pick<ValueChange, 'document' | 'path'>, documents = 1): string {
  const p = c.path.map((s, i) => (typeof s === 'number' ? `[${s}]` : /^[A-Za-z_][A-Za-z0-9_-]*$/.test(s) ? `${i === 0 ? '' : '.'}${s}` : `[${JSON.stringify(s)}]`)).join('');
  return `${documents > 1 ? `document ${c.document}: ` : ''}${p || '(document root)'}`;
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function compare(a: unknown, b: unknown, path: Array<string | number>, document: number, out: ValueChange[]): void {
  if (isMap(a) && isMap(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      if (!(k in b)) out.push({ document, path: [...path, k], change: 'removed', from: a[k] });
      else if (!(k in a)) out.push({ document, path: [...path, k], change: 'added', to: b[k] });
      else compare(a[k], b[k], [...path, k], document, out);
    }
  } else if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= b.length) out.push({ document, path: [...path, i], change: 'removed', from: a[i] });
      else if (i >= a.length) out.push({ document, path: [...path, i], change: 'added', to: b[i] });
      else compare(a[i], b[i], [...path, i], document, out);
    }
  } else if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ document, path, change: 'changed', from: a, to: b });
}

const STRUCTURED = /\.(ya?ml|json)$/;

/**
 * The key paths whose values differ between two YAML/JSON files (both parsed with `yaml`; JSON is YAML), or
 * undefined when the file is not YAML/JSON or either side does not parse (callers then show the text patch).
 */
export function valueChanges(path: string, from: string, to: string): { documents: number; changes: ValueChange[] } | undefined {
  if (!STRUCTURED.test(path)) return undefined;
  const parse = (s: string) => {
    const docs = parseAllDocuments(s);
    if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return undefined;
    return docs.map((d) => d.toJS({ maxAliasCount: -1 }) as unknown);
  };
  const a = parse(from);
  const b = parse(to);
  if (!a || !b) return undefined;
  const changes: ValueChange[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (i >= b.length) changes.push({ document: i, path: [], change: 'removed', from: a[i] });
    else if (i >= a.length) changes.push({ document: i, path: [], change: 'added', to: b[i] });
    else compare(a[i], b[i], [], i, changes);
  }
  return { documents: Math.max(a.length, b.length), changes };
}
