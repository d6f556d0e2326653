/**
 * A value as a TypeScript object literal the way one writes it in a stack.ts: unquoted identifier keys, single-quoted
 * strings, two-space indentation. Hand-written because JSON.stringify quotes every key (valid, but not what a
 * definition looks like) and no dependency of the project prints TypeScript source.
 */
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const str = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;

export function tsLiteral(v: unknown, indent = 0): string {
  const pad = ' '.repeat(indent);
  if (typeof v === 'string') return str(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (Array.isArray(v)) {
    const items = v.map((x) => tsLiteral(x, indent + 2));
    const flat = `[${items.join(', ')}]`;
    return flat.length <= 80 && !flat.includes('\n') ? flat : `[\n${items.map((i) => `${pad}  ${i},`).join('\n')}\n${pad}]`;
  }
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return '{}';
    const parts = entries.map(([k, x]) => `${IDENT.test(k) ? k : str(k)}: ${tsLiteral(x, indent + 2)}`);
    const flat = `{ ${parts.join(', ')} }`;
    const nested = entries.some(([, x]) => x !== null && typeof x === 'object' && !Array.isArray(x));
    return flat.length <= 80 && !nested && !flat.includes('\n') ? flat : `{\n${parts.map((p) => `${pad}  ${p},`).join('\n')}\n${pad}}`;
  }
  throw new Error(`cannot print ${typeof v} as a TypeScript literal`);
}
