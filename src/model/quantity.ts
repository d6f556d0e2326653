/**
 * Kubernetes resource quantities (the subset platform teams write in values files): CPU as
 * millicores ("250m") or cores ("0.5", "2"), bytes with binary ("Ki".."Ti") or decimal ("k".."T")
 * suffixes. Parsed by hand: the grammar is tiny and no maintained npm package parses it without
 * pulling in a whole Kubernetes client; errors must also suggest the right unit ("512MB" → "512Mi").
 */

const BINARY: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5 };
const DECIMAL: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };

export type QuantityResult = { ok: true; value: number } | { ok: false; expected: string; suggestion: string };

const NUMBER = /^(\d+(?:\.\d+)?)/;

/** Suggests the Kubernetes spelling for a wrong byte unit such as "512MB", "2GB", "1gi", "300 Mi". */
function suggestBytes(raw: string): string {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(raw);
  if (!m) return 'write a number with a binary suffix, e.g. "512Mi" or "2Gi"';
  const [, num, unit = ''] = m;
  const first = unit.charAt(0).toUpperCase();
  const map: Record<string, string> = { K: 'Ki', M: 'Mi', G: 'Gi', T: 'Ti', P: 'Pi' };
  const fixed = map[first];
  return fixed ? `did you mean "${num}${fixed}"? Kubernetes writes binary units as Ki, Mi, Gi, Ti` : `write "${num}Mi" or "${num}Gi"`;
}

export function parseBytes(raw: string | number): QuantityResult {
  if (typeof raw === 'number') {
    return Number.isFinite(raw) && raw >= 0
      ? { ok: true, value: Math.round(raw) }
      : { ok: false, expected: 'a non-negative byte quantity', suggestion: 'write e.g. "512Mi"' };
  }
  const s = raw.trim();
  const m = NUMBER.exec(s);
  if (!m) return { ok: false, expected: 'a byte quantity such as "512Mi" or "2Gi"', suggestion: suggestBytes(s) };
  const num = Number(m[1]);
  const unit = s.slice(m[1]!.length);
  const mult = BINARY[unit] ?? DECIMAL[unit];
  if (mult === undefined) {
    return { ok: false, expected: 'a byte quantity with a Kubernetes unit (Ki, Mi, Gi, Ti)', suggestion: suggestBytes(s) };
  }
  return { ok: true, value: Math.round(num * mult) };
}

export function parseCpu(raw: string | number): QuantityResult {
  if (typeof raw === 'number') {
    return Number.isFinite(raw) && raw >= 0
      ? { ok: true, value: Math.round(raw * 1000) }
      : { ok: false, expected: 'a non-negative CPU quantity', suggestion: 'write e.g. "250m" or "1"' };
  }
  const s = raw.trim();
  const milli = /^(\d+)m$/.exec(s);
  if (milli) return { ok: true, value: Number(milli[1]) };
  const cores = /^(\d+(?:\.\d+)?)$/.exec(s);
  if (cores) return { ok: true, value: Math.round(Number(cores[1]) * 1000) };
  const num = NUMBER.exec(s)?.[1];
  return {
    ok: false,
    expected: 'a CPU quantity in millicores ("250m") or cores ("0.5", "2")',
    suggestion: num ? `did you mean "${num}m" (millicores) or "${num}" (cores)?` : 'write e.g. "250m"',
  };
}

const GI = 1024 ** 3;
const MI = 1024 ** 2;

/**
 * The range a quantity can have in a real cluster. Values outside it are typos or units gone wrong
 * ("999999999Ti", 1e308, 0 memory) and are rejected with the range in the message; without an upper bound,
 * replicas × per-replica sizes overflow every sum downstream and rendering never finishes.
 */
export interface QuantityRange {
  min: number;
  max: number;
  /** how the bounds are written for the user ("16Mi", "256 cores") */
  format: (v: number) => string;
  /** a valid example for the suggestion */
  example: string;
}

const TI = 1024 ** 4;
const PI = 1024 ** 5;
const formatRangeBytes = (b: number): string => (b === 0 ? '0' : b >= PI && b % PI === 0 ? `${b / PI}Pi` : b >= TI && b % TI === 0 ? `${b / TI}Ti` : formatBytes(b));
const formatRangeCpu = (m: number): string => (m === 0 ? '0' : m % 1000 === 0 ? `${m / 1000} cores` : `${m}m`);

/** Per replica (a container): 1m up to the largest machines' 256 cores. */
export const CPU_PER_REPLICA: QuantityRange = { min: 1, max: 256_000, format: formatRangeCpu, example: '"250m" or "2"' };
/** Per replica: below 16Mi no engine (nor the collector's memory_limiter, which works in whole MiB) can run; 4Ti is the largest machine. */
export const MEMORY_PER_REPLICA: QuantityRange = { min: 16 * MI, max: 4 * TI, format: formatRangeBytes, example: '"512Mi" or "2Gi"' };
/** A per-tenant ingestion rate or burst in bytes (per second): 1Ki up to 64Gi, far beyond any one tenant's share. */
export const BYTES_PER_TENANT: QuantityRange = { min: 1024, max: 64 * 1024 * MI, format: formatRangeBytes, example: '"4Mi" or "512Ki"' };
/** A persistent volume: 0 (no volume: the component keeps nothing on disk) up to 64Ti (the largest block volumes clouds offer). */
export const STORAGE_PER_VOLUME: QuantityRange = { min: 0, max: 64 * TI, format: formatRangeBytes, example: '"10Gi"' };
/** A namespace or cluster total (quota, headroom, used): 0 up to 1,000,000 cores. */
export const CPU_TOTAL: QuantityRange = { min: 0, max: 1_000_000_000, format: formatRangeCpu, example: '"8" or "2500m"' };
/** A namespace or cluster total of memory or storage: 0 up to 1Pi. */
export const BYTES_TOTAL: QuantityRange = { min: 0, max: PI, format: formatRangeBytes, example: '"64Gi"' };
/** A quota rounding step: like a total, but never 0 (requests are rounded up to multiples of it). */
export const CPU_STEP: QuantityRange = { ...CPU_TOTAL, min: 1 };
export const BYTES_STEP: QuantityRange = { ...BYTES_TOTAL, min: MI };

export function describeRange(r: QuantityRange): string {
  return `from ${r.format(r.min)} to ${r.format(r.max)}`;
}

/** The parsed value if it lies in the range, else what was expected and a suggestion. */
export function inRange(value: number, r: QuantityRange, what: string): QuantityResult {
  if (value >= r.min && value <= r.max) return { ok: true, value };
  return {
    ok: false,
    expected: `${what} ${describeRange(r)}`,
    suggestion: `write a value ${describeRange(r)}, e.g. ${r.example}${value > r.max ? ' (check the unit: Mi, Gi, Ti)' : ''}`,
  };
}

/** Formats bytes the way a quota request is read: Gi with at most two decimals above 1Gi, else Mi. */
export function formatBytes(bytes: number): string {
  if (bytes === 0) return '0';
  if (bytes >= GI) {
    const gi = bytes / GI;
    return `${Number.isInteger(gi) ? gi : Number(gi.toFixed(2))}Gi`;
  }
  const mi = bytes / MI;
  return `${Number.isInteger(mi) ? mi : Number(mi.toFixed(1))}Mi`;
}

export function formatCpu(millicores: number): string {
  return `${millicores}m`;
}

/** Kubernetes canonical quantity strings for rendered manifests ("512Mi", "2Gi", "250m"). */
export function toK8sBytes(bytes: number): string {
  for (const [unit, mult] of [['Ti', 1024 ** 4], ['Gi', GI], ['Mi', MI], ['Ki', 1024]] as const) {
    if (bytes % mult === 0 && bytes >= mult) return `${bytes / mult}${unit}`;
  }
  return String(bytes);
}
export function toK8sCpu(millicores: number): string {
  return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`;
}

/**
 * Event rates (the expected load of a signal: spans, data points or log records per second): a number with an
 * optional SI multiplier (k / K = 10³, M = 10⁶, G = 10⁹) and an optional "/s", "/min" or "/h"; a bare number is per
 * second. "50k/s", "1.5M/s", "3000/min", 12000. Parsed by hand like the other quantities: the grammar is tiny and
 * the errors must point at the usual slips ("50m/s" is milli, "50kps", "50 k/sec").
 */
export function parseRate(raw: string | number): QuantityResult {
  if (typeof raw === 'number') {
    return Number.isFinite(raw) && raw >= 0
      ? { ok: true, value: raw }
      : { ok: false, expected: 'a non-negative rate such as "50k/s"', suggestion: 'write e.g. "50k/s" or 50000 (per second)' };
  }
  const s = raw.trim();
  const m = /^(\d+(?:\.\d+)?)\s*([kKMG]?)\s*(?:\/\s*(s|sec|min|m|h))?$/.exec(s);
  const expected = 'a rate such as "50k/s", "1.5M/s" or "3000/min" (k = thousand, M = million, G = billion; per second when no unit)';
  if (m) {
    const [, num, mult = '', per = 's'] = m;
    if (per === 'm') return { ok: false, expected, suggestion: `"/m" is ambiguous: write "${num}${mult}/min" (per minute) or "${num}${mult}/s"` };
    const factor = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9 }[mult]!;
    const perSecond = { s: 1, sec: 1, min: 60, h: 3600 }[per]!;
    return { ok: true, value: (Number(num) * factor) / perSecond };
  }
  const n = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)/.exec(s);
  if (!n) return { ok: false, expected, suggestion: 'write e.g. "50k/s"' };
  const [, num, unit = ''] = n;
  if (unit === 'm') return { ok: false, expected, suggestion: `"m" is milli; did you mean "${num}M/s" (million per second) or "${num}k/s"?` };
  const mult = /^[kKMG]/.exec(unit)?.[0] ?? '';
  return { ok: false, expected, suggestion: `did you mean "${num}${mult === 'K' ? 'k' : mult}/s"?` };
}

/** An expected load: 0 (the signal carries nothing) up to 10 G events/s, beyond any single stack. */
export const RATE: QuantityRange = { min: 0, max: 1e10, format: (v) => formatRate(v), example: '"50k/s"' };

/** "50k/s", "1.2M/s", "800/s": three significant digits at most. */
export function formatRate(perSecond: number): string {
  const fmt = (v: number) => String(Number(v.toPrecision(3)));
  if (perSecond >= 1e9) return `${fmt(perSecond / 1e9)}G/s`;
  if (perSecond >= 1e6) return `${fmt(perSecond / 1e6)}M/s`;
  if (perSecond >= 1e3) return `${fmt(perSecond / 1e3)}k/s`;
  return `${fmt(perSecond)}/s`;
}

/**
 * Milliseconds of a definition duration: a whole number and one unit, "500ms", "30s", "2m", "1h" (the grammar the
 * schema's durations accept). undefined when it is not one.
 */
export function durationMs(d: string): number | undefined {
  const m = /^(\d+)(ms|s|m|h)$/.exec(d.trim());
  return m ? Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'] : undefined;
}
