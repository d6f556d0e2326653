/**
 * Edits the `tenants:` block of a YAML definition in place. The yaml library's Document API finds the nodes and
 * their source ranges and serialises the new entry; the edit itself is a splice of the source text at those ranges,
 * because re-serialising the whole Document (doc.toString()) re-indents comments and re-flows long lines elsewhere
 * in the file — the user's formatting outside the tenants block must stay byte for byte. Every splice is checked by
 * parsing the result back: it must mean exactly the intended definition. Where the layout is one the splice does not
 * handle (a flow-style `tenants: { … }` or top level), the Document API edits and re-serialises the file instead,
 * comments kept, and the result says `reformatted`.
 */
import { isDeepStrictEqual } from 'node:util';
import { Document, isMap, isScalar, isSeq, parseDocument, visit, type Node, type Pair, type YAMLMap } from 'yaml';
import type { TenantBlock } from './flags.js';
import { TenantInputError } from './errors.js';

export interface YamlEdit {
  text: string;
  /** true when the whole file was re-serialised by the yaml library (comments kept, layout not) */
  reformatted: boolean;
}

type AnyPair = Pair<unknown, unknown>;

const lineStart = (src: string, pos: number): number => src.lastIndexOf('\n', pos - 1) + 1;
const column = (src: string, pos: number): number => pos - lineStart(src, pos);
/** The start of the line after the one holding pos - 1 (pos itself when it already starts a line). */
function nextLine(src: string, pos: number): number {
  if (pos === 0 || src[pos - 1] === '\n') return pos;
  const nl = src.indexOf('\n', pos);
  return nl === -1 ? src.length : nl + 1;
}
/** Past the comment lines indented deeper than `col` that follow pos: they belong to the entry that ends at pos. */
function pastDeeperComments(src: string, pos: number, col: number): number {
  let p = pos;
  for (;;) {
    if (p >= src.length) return p;
    const nl = src.indexOf('\n', p);
    const line = src.slice(p, nl === -1 ? src.length : nl);
    const m = /^( *)#/.exec(line);
    if (!m || m[1]!.length <= col) return p;
    p = nl === -1 ? src.length : nl + 1;
  }
}

const keyOf = (p: AnyPair): unknown => (isScalar(p.key) ? p.key.value : p.key);
const rangeOf = (n: unknown): [number, number, number] | undefined => (n && typeof n === 'object' && 'range' in n ? ((n as Node).range ?? undefined) : undefined);
/** Where a pair's content ends (its value's, else its key's), in the source. */
function endOf(p: AnyPair): number | undefined {
  return rangeOf(p.value)?.[1] ?? rangeOf(p.key)?.[1];
}

/** The indentation step of the file: the column of the first nested block mapping's first key, else 2. */
function indentUnit(root: YAMLMap, src: string): number {
  for (const p of root.items as AnyPair[]) {
    const v = p.value;
    if (isMap(v) && !v.flow && v.items.length > 0) {
      const k = rangeOf((v.items[0] as AnyPair).key);
      const base = rangeOf(p.key);
      if (k && base) {
        const step = column(src, k[0]) - column(src, base[0]);
        if (step > 0 && step <= 8) return step;
      }
    }
  }
  return 2;
}

/**
 * `name:` and its block, indented by `base` spaces with steps of `unit`: the tenant's keys in block style, its
 * lists and small maps in flow style with double-quoted strings, like examples/rum.
 */
export function serializeTenant(name: string, block: TenantBlock, unit: number, base: number): string {
  const doc = new Document({ [name]: block });
  visit(doc, {
    Map(_, node, path) {
      if (path.length >= 5) node.flow = true;
    },
    Seq(_, node) {
      node.flow = true;
    },
    Scalar(_, node, path) {
      if (typeof node.value === 'string' && isSeq(path[path.length - 1])) node.type = 'QUOTE_DOUBLE';
    },
  });
  const text = doc.toString({ indent: unit, lineWidth: 0 });
  const pad = ' '.repeat(base);
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => `${pad}${l}\n`)
    .join('');
}

function parseOk(file: string, src: string) {
  const doc = parseDocument(src);
  if (doc.errors.length > 0) throw new TenantInputError(`${file} is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`, 'fix the YAML first (`otelstack plan` shows where)');
  return doc;
}

/** An empty or missing tenants block is the same definition (the schema defaults it to {}). */
function normal(v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = { ...(v as Record<string, unknown>) };
    const t = o['tenants'];
    if (t === null || (t && typeof t === 'object' && Object.keys(t).length === 0)) delete o['tenants'];
    return o;
  }
  return v;
}

function means(src: string, expected: unknown): boolean {
  const doc = parseDocument(src);
  return doc.errors.length === 0 && isDeepStrictEqual(normal(doc.toJS()), normal(expected));
}

function tenantsPair(root: YAMLMap): AnyPair | undefined {
  return (root.items as AnyPair[]).find((p) => keyOf(p) === 'tenants');
}

/** The definition's text with tenants.<name> added at the end of the tenants block (the block created if missing). */
export function addTenantToYaml(file: string, src: string, name: string, block: TenantBlock): YamlEdit {
  const doc = parseOk(file, src);
  const js = doc.toJS() as Record<string, unknown>;
  const expected = { ...js, tenants: { ...((js['tenants'] as Record<string, unknown> | null | undefined) ?? {}), [name]: JSON.parse(JSON.stringify(block)) as unknown } };
  const spliced = spliceAdd(src, doc.contents, name, block);
  if (spliced !== undefined && means(spliced, expected)) return { text: spliced, reformatted: false };
  doc.setIn(['tenants', name], doc.createNode(block));
  const text = doc.toString();
  if (!means(text, expected)) throw new TenantInputError(`could not add tenants.${name} to ${file} without changing its meaning`, 'add the block by hand (the object is printed with --format json under "tenant")');
  return { text, reformatted: true };
}

function spliceAdd(src: string, root: unknown, name: string, block: TenantBlock): string | undefined {
  if (!isMap(root) || root.flow) return undefined;
  const rootKey = rangeOf((root.items[0] as AnyPair | undefined)?.key);
  if (rootKey && column(src, rootKey[0]) !== 0) return undefined;
  const unit = indentUnit(root, src);
  const pair = tenantsPair(root);
  const at = (pos: number, text: string) => {
    const lead = pos > 0 && src[pos - 1] !== '\n' ? '\n' : '';
    return `${src.slice(0, pos)}${lead}${text}${src.slice(pos)}`;
  };
  if (!pair) {
    const last = root.items[root.items.length - 1] as AnyPair | undefined;
    const end = last ? endOf(last) : undefined;
    const pos = end === undefined ? src.length : pastDeeperComments(src, nextLine(src, end), 0);
    return at(pos, `tenants:\n${serializeTenant(name, block, unit, unit)}`);
  }
  const keyRange = rangeOf(pair.key);
  if (!keyRange || column(src, keyRange[0]) !== 0) return undefined;
  const v = pair.value;
  if (isMap(v) && !v.flow && v.items.length > 0) {
    const items = v.items as AnyPair[];
    const first = rangeOf(items[0]!.key);
    const end = endOf(items[items.length - 1]!);
    if (!first || end === undefined) return undefined;
    const base = column(src, first[0]);
    const inner = items[0]!.value;
    const innerFirst = isMap(inner) && !inner.flow && inner.items.length > 0 ? rangeOf((inner.items[0] as AnyPair).key) : undefined;
    const step = innerFirst ? column(src, innerFirst[0]) - base : base;
    return at(pastDeeperComments(src, nextLine(src, end), base), serializeTenant(name, block, step > 0 ? step : unit, base));
  }
  const empty = v === null || v === undefined || (isScalar(v) && v.value === null) || (isMap(v) && v.items.length === 0);
  if (!empty) return undefined;
  // `tenants:`, `tenants: ~` or `tenants: {}`: the pair becomes a block
  const end = rangeOf(v)?.[1] ?? keyRange[1];
  const rest = src.slice(end);
  const entry = serializeTenant(name, block, unit, unit);
  return `${src.slice(0, keyRange[0])}tenants:\n${/^[ \t]*(#.*)?(\n|$)/.test(rest) ? entry.replace(/\n$/, '') : entry}${rest}`;
}

/** The definition's text without tenants.<name> (and without the tenants block when it was the last tenant). */
export function removeTenantFromYaml(file: string, src: string, name: string): YamlEdit {
  const doc = parseOk(file, src);
  const js = doc.toJS() as Record<string, unknown>;
  const tenants = { ...((js['tenants'] as Record<string, unknown> | null | undefined) ?? {}) };
  if (!(name in tenants)) throw new TenantInputError(`${file} has no tenant "${name}"`, Object.keys(tenants).length ? `its tenants: ${Object.keys(tenants).join(', ')}` : 'it has no tenants');
  delete tenants[name];
  const expected = { ...js, tenants };
  const spliced = spliceRemove(src, doc.contents, name);
  if (spliced !== undefined && means(spliced, expected)) return { text: spliced, reformatted: false };
  doc.deleteIn(['tenants', name]);
  const text = doc.toString();
  if (!means(text, expected)) throw new TenantInputError(`could not remove tenants.${name} from ${file} without changing its meaning`, `delete the tenants.${name} block by hand`);
  return { text, reformatted: true };
}

function spliceRemove(src: string, root: unknown, name: string): string | undefined {
  if (!isMap(root) || root.flow) return undefined;
  const pair = tenantsPair(root);
  const v = pair?.value;
  if (!pair || !isMap(v) || v.flow) return undefined;
  const items = v.items as AnyPair[];
  const entry = items.find((p) => keyOf(p) === name);
  const keyRange = rangeOf(entry?.key);
  const end = entry ? endOf(entry) : undefined;
  if (!entry || !keyRange || end === undefined) return undefined;
  const only = items.length === 1;
  const from = only ? rangeOf(pair.key)![0] : keyRange[0];
  const start = lineStart(src, from);
  if (src.slice(start, from).trim() !== '') return undefined; // another key before it on its line
  const stop = pastDeeperComments(src, nextLine(src, end), column(src, keyRange[0]));
  return `${src.slice(0, start)}${src.slice(stop)}`;
}
