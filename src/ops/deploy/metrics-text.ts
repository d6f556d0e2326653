// The Prometheus text exposition format (format 0.0.4: `name{label="value",...} number [timestamp]` per sample line,
// `#` lines for HELP/TYPE), parsed for the few collector metrics the deploy (and the e2e tests) read. Hand-written: prom-client (our
// Prometheus dependency) only produces this format, and only names, labels and values are needed here.
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LABEL_RE = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    // one pass over the escapes (\\, \", \n), so an escaped backslash before an n stays a backslash and an n
    if (m[3]) for (const l of m[3].matchAll(LABEL_RE)) labels[l[1]!] = l[2]!.replace(/\\(["\\n])/g, (_e, c: string) => (c === 'n' ? '\n' : c));
    out.push({ name: m[1]!, labels, value: Number(m[4]) });
  }
  return out;
}
