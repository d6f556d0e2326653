// Parsing and validation of `otelstack load` settings (and the duration / header syntax `verify` shares). Errors
// are LoadInputError values with the flag named; the CLI turns them into exit code 2.
import type { Signal } from '../otlp/types.js';

export class LoadInputError extends Error {
  override readonly name = 'LoadInputError';
  constructor(
    message: string,
    readonly suggestion?: string,
  ) {
    super(message);
  }
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "500ms", "30s", "2m", "1h", "1.5s" → ms. A bare number is seconds. */
export function parseDuration(flag: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v.trim());
  if (!m) throw new LoadInputError(`${flag} must be a duration such as 30s, 500ms or 2m, got ${JSON.stringify(v)}`);
  const ms = Number(m[1]) * UNIT_MS[m[2] ?? 's']!;
  if (!(ms > 0)) throw new LoadInputError(`${flag} must be more than 0, got ${JSON.stringify(v)}`);
  return ms;
}

export function parsePositiveInt(flag: string, v: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(v.trim())) throw new LoadInputError(`${flag} must be a whole number, got ${JSON.stringify(v)}`);
  const n = Number(v);
  if (n < min || n > max) throw new LoadInputError(`${flag} must be within ${min}..${max}, got ${n}`);
  return n;
}

export function parseRatio(flag: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new LoadInputError(`${flag} must be a number within 0..1, got ${JSON.stringify(v)}`);
  return n;
}

/** "k=v,k2=v2" (several flags may be given) → headers. */
export function parseHeaders(flag: string, values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    for (const part of v.split(',')) {
      if (part.trim() === '') continue;
      const i = part.indexOf('=');
      const k = i > 0 ? part.slice(0, i).trim() : '';
      if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(k)) throw new LoadInputError(`${flag} takes name=value pairs separated by commas, got ${JSON.stringify(part)}`);
      out[k] = part.slice(i + 1).trim();
    }
  }
  return out;
}

export const SIGNAL_NAMES: readonly Signal[] = ['traces', 'metrics', 'logs'];

export function parseSignals(flag: string, v: string): Signal[] {
  const out: Signal[] = [];
  for (const s of v.split(',').map((x) => x.trim()).filter(Boolean)) {
    if (!(SIGNAL_NAMES as readonly string[]).includes(s)) throw new LoadInputError(`${flag}: unknown signal ${JSON.stringify(s)}`, 'use traces, metrics, logs (comma-separated)');
    if (!out.includes(s as Signal)) out.push(s as Signal);
  }
  if (out.length === 0) throw new LoadInputError(`${flag} names no signal`, 'use traces, metrics, logs (comma-separated)');
  return SIGNAL_NAMES.filter((s) => out.includes(s));
}

/**
 * "--rate traces=200,metrics=100" or a bare "500" (every signal). Units: traces per second, data points per second,
 * log records per second, summed over all workers; 0 = as fast as possible.
 */
export function parseRates(flag: string, v: string, signals: readonly Signal[]): Record<Signal, number> {
  const out: Record<Signal, number> = { traces: 0, metrics: 0, logs: 0 };
  const num = (x: string): number => {
    const n = Number(x);
    if (x.trim() === '' || !Number.isFinite(n) || n < 0) throw new LoadInputError(`${flag}: a rate must be a number >= 0 (0 = unthrottled), got ${JSON.stringify(x)}`);
    return n;
  };
  if (/^[\d.]+$/.test(v.trim())) {
    const n = num(v);
    for (const s of signals) out[s] = n;
    return out;
  }
  for (const part of v.split(',').map((x) => x.trim()).filter(Boolean)) {
    const [k, x] = part.split('=');
    if (x === undefined || !(SIGNAL_NAMES as readonly string[]).includes(k ?? '')) {
      throw new LoadInputError(`${flag} takes signal=rate pairs such as traces=200,metrics=100 (or one number for all), got ${JSON.stringify(part)}`);
    }
    if (!signals.includes(k as Signal)) throw new LoadInputError(`${flag} sets a rate for ${k}, which --signals does not include`);
    out[k as Signal] = num(x);
  }
  return out;
}
