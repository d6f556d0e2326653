/**
 * A small typed builder for Grafana Alloy's configuration syntax, serialised once by `formatAlloy`.
 *
 * The syntax follows the Alloy v1.12 documentation ("Configuration syntax": syntax, types and values, referencing
 * component exports): a file is a list of attributes (`name = expr`) and blocks (`name "label" { ... }`); block
 * names are dotted identifiers, labels are identifiers in double quotes; expressions are strings (double-quoted with
 * Go-style escapes, or raw in backticks), numbers, bools, null, arrays `[a, b]`, objects `{ key = value }` and
 * references to component exports such as `otelcol.exporter.otlp.tempo_dev.input`.
 *
 * There is no maintained JavaScript library that writes (or parses) Alloy syntax — Alloy's own formatter is the Go
 * package github.com/grafana/alloy/syntax — hence this hand-written builder. The formatter is deterministic: the
 * order of nodes is the order they were built in (renderers sort what they build), `=` signs of consecutive
 * attributes are aligned and blocks indented with tabs, as `alloy fmt` writes them (checked byte for byte against
 * the real Alloy 1.12.0's `alloy fmt` on the bundled examples' configurations).
 */

export type AlloyExpr =
  | { kind: 'string'; value: string }
  | { kind: 'raw'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' }
  | { kind: 'list'; items: AlloyExpr[] }
  | { kind: 'object'; entries: Array<[string, AlloyExpr]> }
  | { kind: 'ref'; path: string[] }
  | { kind: 'call'; fn: string[]; args: AlloyExpr[] };

export interface AlloyAttribute {
  kind: 'attr';
  name: string;
  value: AlloyExpr;
}

export interface AlloyBlock {
  kind: 'block';
  /** dotted block name, e.g. `otelcol.receiver.otlp` or `client` */
  name: string;
  label?: string;
  body: AlloyNode[];
}

export interface AlloyComment {
  kind: 'comment';
  lines: string[];
}

export type AlloyNode = AlloyAttribute | AlloyBlock | AlloyComment;

export interface AlloyFile {
  /** `//` comment lines at the top of the file */
  header: string[];
  body: AlloyNode[];
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** True for a valid Alloy identifier (letters, digits, underscores; not starting with a digit). */
export function isIdentifier(s: string): boolean {
  return IDENT.test(s);
}

/** Turns any name (e.g. a DNS label "ca7f8f-dev") into an identifier usable as a label: `ca7f8f_dev`. */
export function toIdentifier(s: string): string {
  const id = s.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(id) ? `_${id}` : id || '_';
}

function assertIdentifier(s: string, what: string): void {
  if (!isIdentifier(s)) throw new Error(`alloy builder: ${what} "${s}" is not an identifier`);
}

// ── expressions ──────────────────────────────────────────────────────────────
export const str = (value: string): AlloyExpr => ({ kind: 'string', value });
/** A raw (backtick) string: no escapes; used for OTTL statements, which contain double quotes. */
export const raw = (value: string): AlloyExpr => {
  if (value.includes('`')) throw new Error('alloy builder: a raw string cannot contain a backtick');
  return { kind: 'raw', value };
};
export const num = (value: number): AlloyExpr => {
  if (!Number.isFinite(value)) throw new Error(`alloy builder: ${value} is not a finite number`);
  return { kind: 'number', value };
};
export const bool = (value: boolean): AlloyExpr => ({ kind: 'bool', value });
export const nul: AlloyExpr = { kind: 'null' };
export const list = (items: AlloyExpr[]): AlloyExpr => ({ kind: 'list', items });
/** An object; entries keep the order given (callers sort when the order is not meaningful). */
export const obj = (entries: Array<[string, AlloyExpr]> | Record<string, AlloyExpr>): AlloyExpr => ({
  kind: 'object',
  entries: Array.isArray(entries) ? entries : Object.entries(entries),
});
/** A map(string) object with sorted keys. */
export const stringMap = (m: Record<string, string>): AlloyExpr =>
  obj(Object.keys(m).sort().map((k) => [k, str(m[k]!)] as [string, AlloyExpr]));
/** A reference: `ref('otelcol.exporter.otlp', 'tempo_dev', 'input')` → otelcol.exporter.otlp.tempo_dev.input */
export const ref = (...parts: string[]): AlloyExpr => {
  const path = parts.flatMap((p) => p.split('.'));
  for (const p of path) assertIdentifier(p, 'reference segment');
  return { kind: 'ref', path };
};
export const call = (fn: string, ...args: AlloyExpr[]): AlloyExpr => {
  const path = fn.split('.');
  for (const p of path) assertIdentifier(p, 'function name segment');
  return { kind: 'call', fn: path, args };
};

// ── statements ───────────────────────────────────────────────────────────────
export const attr = (name: string, value: AlloyExpr): AlloyAttribute => {
  assertIdentifier(name, 'attribute name');
  return { kind: 'attr', name, value };
};

/** Attributes from a record, skipping undefined values; order as given. */
export function attrs(rec: Record<string, AlloyExpr | undefined>): AlloyAttribute[] {
  return Object.entries(rec)
    .filter((e): e is [string, AlloyExpr] => e[1] !== undefined)
    .map(([k, v]) => attr(k, v));
}

export const block = (name: string, body: Array<AlloyNode | undefined | false>, label?: string): AlloyBlock => {
  for (const p of name.split('.')) assertIdentifier(p, 'block name segment');
  if (label !== undefined) assertIdentifier(label, 'block label');
  return { kind: 'block', name, ...(label !== undefined ? { label } : {}), body: body.filter((n): n is AlloyNode => !!n) };
};

export const comment = (...lines: string[]): AlloyComment => ({ kind: 'comment', lines });

/** A labelled component and how to reference its exports. */
export interface Component {
  block: AlloyBlock;
  /** reference to one of its exported fields, e.g. `.export('input')` */
  export(field: string): AlloyExpr;
}

export function component(type: string, label: string, body: Array<AlloyNode | undefined | false>): Component {
  const b = block(type, body, label);
  return { block: b, export: (field: string) => ref(type, label, field) };
}

// ── serialisation ────────────────────────────────────────────────────────────
function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(n);
}

function isSimple(e: AlloyExpr): boolean {
  return e.kind !== 'list' && e.kind !== 'object' && e.kind !== 'call';
}

const INDENT = '\t';

function formatExpr(e: AlloyExpr, depth: number): string {
  switch (e.kind) {
    case 'string':
      return quote(e.value);
    case 'raw':
      return `\`${e.value}\``;
    case 'number':
      return formatNumber(e.value);
    case 'bool':
      return e.value ? 'true' : 'false';
    case 'null':
      return 'null';
    case 'ref':
      return e.path.join('.');
    case 'call':
      return `${e.fn.join('.')}(${e.args.map((a) => formatExpr(a, depth)).join(', ')})`;
    case 'list': {
      if (e.items.length === 0) return '[]';
      const oneLine = `[${e.items.map((i) => formatExpr(i, depth)).join(', ')}]`;
      if (e.items.every(isSimple) && e.items.length <= 1 && oneLine.length <= 100) return oneLine;
      const pad = INDENT.repeat(depth + 1);
      return `[\n${e.items.map((i) => `${pad}${formatExpr(i, depth + 1)},\n`).join('')}${INDENT.repeat(depth)}]`;
    }
    case 'object': {
      if (e.entries.length === 0) return '{}';
      const pad = INDENT.repeat(depth + 1);
      const lines = aligned(e.entries.map(([k, v]) => [isIdentifier(k) ? k : quote(k), formatExpr(v, depth + 1)])).map((l) => `${pad}${l},\n`);
      return `{\n${lines.join('')}${INDENT.repeat(depth)}}`;
    }
  }
}

/**
 * `name = value` lines with the `=` signs aligned as `alloy fmt` aligns them (Go's tabwriter, as gofmt): within a
 * section of consecutive entries; an entry whose value spans several lines closes its section, so the entry after
 * it starts a new one.
 */
function aligned(entries: Array<[string, string]>): string[] {
  const out: string[] = [];
  let section: Array<[string, string]> = [];
  const flush = () => {
    const width = Math.max(0, ...section.map(([k]) => k.length));
    for (const [k, v] of section) out.push(`${k.padEnd(width)} = ${v}`);
    section = [];
  };
  for (const entry of entries) {
    section.push(entry);
    if (entry[1].includes('\n')) flush();
  }
  flush();
  return out;
}

function formatNodes(nodes: AlloyNode[], depth: number): string[] {
  const out: string[] = [];
  const pad = INDENT.repeat(depth);
  let i = 0;
  let prev: AlloyNode['kind'] | undefined;
  while (i < nodes.length) {
    const n = nodes[i]!;
    if (n.kind === 'attr') {
      // a run of consecutive attributes: align their `=`
      const run: AlloyAttribute[] = [];
      while (i < nodes.length && nodes[i]!.kind === 'attr') run.push(nodes[i++] as AlloyAttribute);
      if (prev === 'block') out.push('');
      for (const l of aligned(run.map((a) => [a.name, formatExpr(a.value, depth)]))) out.push(`${pad}${l}`);
      prev = 'attr';
      continue;
    }
    if (n.kind === 'comment') {
      if (prev !== undefined) out.push('');
      for (const l of n.lines) out.push(l === '' ? `${pad}//` : `${pad}// ${l}`);
      i++;
      prev = 'comment';
      continue;
    }
    if (prev === 'attr' || prev === 'block') out.push('');
    const head = n.label !== undefined ? `${n.name} ${quote(n.label)}` : n.name;
    if (n.body.length === 0) out.push(`${pad}${head} { }`);
    else {
      out.push(`${pad}${head} {`);
      out.push(...formatNodes(n.body, depth + 1));
      out.push(`${pad}}`);
    }
    prev = 'block';
    i++;
  }
  return out;
}

/** Serialises a file: header comments, then the body, ending with one newline. */
export function formatAlloy(file: AlloyFile): string {
  const lines = [...file.header.map((l) => (l === '' ? '//' : `// ${l}`))];
  const body = formatNodes(file.body, 0);
  if (lines.length && body.length) lines.push('');
  lines.push(...body);
  return `${lines.join('\n')}\n`;
}
