/**
 * A small parser for Grafana Alloy configuration syntax (Alloy v1.12 "Configuration syntax" documentation), enough
 * to check rendered configurations structurally: Alloy itself cannot be installed on the test machines, and no
 * JavaScript package parses its syntax (the reference implementation is the Go package
 * github.com/grafana/alloy/syntax).
 *
 * Supported: `//` and `/* *\/` comments; attributes `name = expr`; blocks `a.b.c "label" { ... }` (nested);
 * expressions: double-quoted strings with Go escapes, raw backtick strings, numbers, true/false/null, arrays,
 * objects (`{ key = value, "quoted key" = value }`), references (`otelcol.exporter.otlp.tempo_dev.input`) and
 * function calls (`sys.env("X")`). Operators are not supported (the renderer never writes them): they are a parse
 * error, with the line and column.
 */

export type AlloyValue =
  | string
  | number
  | boolean
  | null
  | AlloyValue[]
  | { [key: string]: AlloyValue }
  | AlloyRef
  | AlloyCall;

export class AlloyRef {
  constructor(public readonly path: string[]) {}
  toString(): string {
    return this.path.join('.');
  }
}

export class AlloyCall {
  constructor(public readonly fn: string, public readonly args: AlloyValue[]) {}
}

export interface AlloyBody {
  attrs: Map<string, AlloyValue>;
  blocks: AlloyParsedBlock[];
}

export interface AlloyParsedBlock extends AlloyBody {
  name: string;
  label?: string;
  line: number;
}

export class AlloyParseError extends Error {
  constructor(message: string, public readonly line: number, public readonly column: number) {
    super(`${line}:${column}: ${message}`);
    this.name = 'AlloyParseError';
  }
}

type Tok =
  | { t: 'ident'; v: string }
  | { t: 'string'; v: string }
  | { t: 'number'; v: number }
  | { t: 'punct'; v: string }
  | { t: 'nl' }
  | { t: 'eof' };
type Token = Tok & { line: number; col: number };

const ESCAPES: Record<string, string> = { '\\': '\\', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', "'": "'", '"': '"' };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let col = 1;
  const adv = (n = 1) => {
    for (let k = 0; k < n; k++) {
      if (src[i] === '\n') {
        line++;
        col = 1;
      } else col++;
      i++;
    }
  };
  const err = (m: string): never => {
    throw new AlloyParseError(m, line, col);
  };
  while (i < src.length) {
    const c = src[i]!;
    const at = { line, col };
    if (c === '\n') {
      out.push({ t: 'nl', ...at });
      adv();
    } else if (c === ' ' || c === '\t' || c === '\r') adv();
    else if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') adv();
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) err('unterminated block comment');
      adv(end + 2 - i);
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < src.length && /[A-Za-z0-9_]/.test(src[j]!)) j++;
      out.push({ t: 'ident', v: src.slice(i, j), ...at });
      adv(j - i);
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(src.slice(i))!;
      out.push({ t: 'number', v: Number(m[0]), ...at });
      adv(m[0].length);
    } else if (c === '"') {
      adv();
      let s = '';
      for (;;) {
        if (i >= src.length || src[i] === '\n') err('unterminated string');
        const ch = src[i]!;
        if (ch === '"') {
          adv();
          break;
        }
        if (ch === '\\') {
          const e = src[i + 1] ?? '';
          if (e in ESCAPES) {
            s += ESCAPES[e];
            adv(2);
          } else if (e === 'u' || e === 'U' || e === 'x') {
            const n = e === 'u' ? 4 : e === 'U' ? 8 : 2;
            const hex = src.slice(i + 2, i + 2 + n);
            if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) err(`bad \\${e} escape`);
            s += String.fromCodePoint(parseInt(hex, 16));
            adv(2 + n);
          } else if (/[0-7]/.test(e)) {
            const oct = src.slice(i + 1, i + 4);
            if (!/^[0-7]{3}$/.test(oct)) err('bad octal escape');
            s += String.fromCharCode(parseInt(oct, 8));
            adv(4);
          } else err(`unknown escape \\${e}`);
          continue;
        }
        s += ch;
        adv();
      }
      out.push({ t: 'string', v: s, ...at });
    } else if (c === '`') {
      const end = src.indexOf('`', i + 1);
      if (end < 0) err('unterminated raw string');
      out.push({ t: 'string', v: src.slice(i + 1, end), ...at });
      adv(end + 1 - i);
    } else if ('{}[]()=,.'.includes(c)) {
      if (c === '=' && src[i + 1] === '=') err('operators are not supported');
      out.push({ t: 'punct', v: c, ...at });
      adv();
    } else err(`unexpected character ${JSON.stringify(c)}`);
  }
  out.push({ t: 'eof', line, col });
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Token[]) {}

  private peek(k = 0): Token {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)]!;
  }
  private next(): Token {
    return this.toks[this.i++]!;
  }
  private err(tok: Token, m: string): never {
    throw new AlloyParseError(m, tok.line, tok.col);
  }
  private skipNl(): void {
    while (this.peek().t === 'nl') this.i++;
  }
  private isPunct(tok: Token, v: string): boolean {
    return tok.t === 'punct' && tok.v === v;
  }
  private expectPunct(v: string): Token {
    const tok = this.next();
    if (!this.isPunct(tok, v)) this.err(tok, `expected "${v}"`);
    return tok;
  }

  /** body until `}` (inside a block) or end of file */
  body(inBlock: boolean): AlloyBody {
    const attrs = new Map<string, AlloyValue>();
    const blocks: AlloyParsedBlock[] = [];
    for (;;) {
      this.skipNl();
      const tok = this.peek();
      if (tok.t === 'eof') {
        if (inBlock) this.err(tok, 'unexpected end of file: missing "}"');
        break;
      }
      if (this.isPunct(tok, '}')) {
        if (!inBlock) this.err(tok, 'unexpected "}"');
        break;
      }
      if (tok.t !== 'ident') this.err(tok, 'expected an attribute or a block');
      // dotted name
      const parts = [this.next() as Token & { v: string }];
      while (this.isPunct(this.peek(), '.')) {
        this.next();
        const p = this.next();
        if (p.t !== 'ident') this.err(p, 'expected an identifier after "."');
        parts.push(p as Token & { v: string });
      }
      const name = parts.map((p) => p.v).join('.');
      const after = this.peek();
      if (this.isPunct(after, '=')) {
        if (parts.length > 1) this.err(after, `attribute names cannot be dotted (${name})`);
        this.next();
        if (attrs.has(name)) this.err(tok, `attribute ${name} set twice`);
        attrs.set(name, this.expr());
        this.terminator();
        continue;
      }
      let label: string | undefined;
      if (after.t === 'string') {
        this.next();
        label = after.v;
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(label)) this.err(after, `block label "${label}" is not an identifier`);
      }
      this.expectPunct('{');
      const inner = this.body(true);
      this.expectPunct('}');
      this.terminator();
      blocks.push({ name, ...(label !== undefined ? { label } : {}), line: tok.line, ...inner });
    }
    return { attrs, blocks };
  }

  private terminator(): void {
    const tok = this.peek();
    if (tok.t === 'nl') this.next();
    else if (tok.t === 'eof' || this.isPunct(tok, '}')) return;
    else this.err(tok, 'expected a newline');
  }

  expr(): AlloyValue {
    const tok = this.next();
    switch (tok.t) {
      case 'string':
        return tok.v;
      case 'number':
        return tok.v;
      case 'ident': {
        if (tok.v === 'true') return true;
        if (tok.v === 'false') return false;
        if (tok.v === 'null') return null;
        const path = [tok.v];
        while (this.isPunct(this.peek(), '.')) {
          this.next();
          const p = this.next();
          if (p.t !== 'ident') this.err(p, 'expected an identifier after "."');
          path.push(p.v);
        }
        if (this.isPunct(this.peek(), '(')) {
          this.next();
          const args: AlloyValue[] = [];
          this.skipNl();
          while (!this.isPunct(this.peek(), ')')) {
            args.push(this.expr());
            this.skipNl();
            if (this.isPunct(this.peek(), ',')) {
              this.next();
              this.skipNl();
            } else if (!this.isPunct(this.peek(), ')')) this.err(this.peek(), 'expected "," or ")"');
          }
          this.next();
          return new AlloyCall(path.join('.'), args);
        }
        return new AlloyRef(path);
      }
      case 'punct': {
        if (tok.v === '[') {
          const items: AlloyValue[] = [];
          this.skipNl();
          while (!this.isPunct(this.peek(), ']')) {
            items.push(this.expr());
            const sep = this.peek();
            if (this.isPunct(sep, ',')) {
              this.next();
              this.skipNl();
            } else {
              // a newline before `]` needs a trailing comma (Alloy syntax)
              if (sep.t === 'nl') this.err(sep, 'missing "," before the newline');
              if (!this.isPunct(sep, ']')) this.err(sep, 'expected "," or "]"');
            }
          }
          this.next();
          return items;
        }
        if (tok.v === '{') {
          const o: Record<string, AlloyValue> = {};
          this.skipNl();
          while (!this.isPunct(this.peek(), '}')) {
            const k = this.next();
            if (k.t !== 'ident' && k.t !== 'string') this.err(k, 'expected an object key');
            const key = (k as { v: string }).v;
            if (key in o) this.err(k, `object key ${key} set twice`);
            this.expectPunct('=');
            o[key] = this.expr();
            const sep = this.peek();
            if (this.isPunct(sep, ',')) {
              this.next();
              this.skipNl();
            } else {
              if (sep.t === 'nl') this.err(sep, 'missing "," before the newline');
              if (!this.isPunct(sep, '}')) this.err(sep, 'expected "," or "}"');
            }
          }
          this.next();
          return o;
        }
        return this.err(tok, `unexpected "${tok.v}"`);
      }
      default:
        return this.err(tok, 'expected an expression');
    }
  }
}

/** Parses a whole configuration file; throws AlloyParseError with line:column. */
export function parseAlloy(src: string): AlloyBody {
  return new Parser(tokenize(src)).body(false);
}

/** A top-level component instance: `otelcol.exporter.otlp "tempo_dev"` → id otelcol.exporter.otlp.tempo_dev */
export interface ComponentNode {
  id: string;
  type: string;
  label: string;
  block: AlloyParsedBlock;
}

/** A reference from one component's body to another component's export. */
export interface ComponentEdge {
  from: string;
  to: string;
  /** the exported field referenced (input, receiver, handler …) */
  field: string;
  /** where in the source block: e.g. output.traces, forward_to, sending_queue.storage */
  at: string;
}

export interface ComponentGraph {
  components: Map<string, ComponentNode>;
  edges: ComponentEdge[];
}

function refsIn(v: AlloyValue, at: string, out: Array<{ ref: AlloyRef; at: string }>): void {
  if (v instanceof AlloyRef) out.push({ ref: v, at });
  else if (v instanceof AlloyCall) v.args.forEach((a) => refsIn(a, at, out));
  else if (Array.isArray(v)) v.forEach((x) => refsIn(x, at, out));
  else if (v && typeof v === 'object') for (const x of Object.values(v)) refsIn(x, at, out);
}

function bodyRefs(b: AlloyBody, prefix: string, out: Array<{ ref: AlloyRef; at: string }>): void {
  for (const [k, v] of b.attrs) refsIn(v, prefix ? `${prefix}.${k}` : k, out);
  for (const nb of b.blocks) bodyRefs(nb, prefix ? `${prefix}.${nb.name}` : nb.name, out);
}

/**
 * The component graph: labelled top-level blocks and the references between them. A reference must name an
 * existing component (its path minus the exported field); anything else throws (a dangling reference).
 */
export function componentGraph(file: AlloyBody): ComponentGraph {
  const components = new Map<string, ComponentNode>();
  for (const b of file.blocks) {
    if (b.label === undefined) continue;
    const id = `${b.name}.${b.label}`;
    if (components.has(id)) throw new Error(`component ${id} is defined twice`);
    components.set(id, { id, type: b.name, label: b.label, block: b });
  }
  const edges: ComponentEdge[] = [];
  for (const c of components.values()) {
    const refs: Array<{ ref: AlloyRef; at: string }> = [];
    bodyRefs(c.block, '', refs);
    for (const { ref, at } of refs) {
      const to = ref.path.slice(0, -1).join('.');
      if (!components.has(to)) throw new Error(`${c.id} (${at}) refers to ${ref.toString()}: no component ${to}`);
      edges.push({ from: c.id, to, field: ref.path[ref.path.length - 1]!, at });
    }
  }
  return { components, edges };
}

/** Convenience: nested block by path of names (first match). */
export function blockAt(b: AlloyBody, ...names: string[]): AlloyParsedBlock | undefined {
  let cur: AlloyBody | undefined = b;
  let found: AlloyParsedBlock | undefined;
  for (const n of names) {
    found = cur?.blocks.find((x) => x.name === n);
    cur = found;
  }
  return found;
}
