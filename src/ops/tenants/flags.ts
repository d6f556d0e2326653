/**
 * `otelstack tenant add` flags → the `tenants.<name>` block of the definition (the keys of the schema's Tenant, in
 * its order). Each flag is checked here with a message naming the flag, what was expected and a suggestion; the whole
 * edited definition is then validated by the loader (cross-checks: environments, shared ids and ports).
 */
import { checkOrigin } from '../../model/schema.js';
import { TenantInputError } from './errors.js';

export interface TenantFlags {
  origin?: string[];
  rate?: string;
  burst?: string;
  sampling?: string;
  host?: string;
  ingressRate?: string;
  ingressBurst?: string;
  id?: string;
  env?: string[];
  propagateTo?: string[];
}

/** What `tenant add` writes under tenants.<name>: only the keys given, in the schema's key order. */
export interface TenantBlock {
  id?: string;
  environments?: string[];
  origins: string[];
  host?: string;
  /** written by `tenant add` when the name order would move other tenants' ports */
  port?: number;
  sampling?: number;
  rateLimit: { perSecond: number; burst?: number };
  ingressRateLimit?: { perSecond: number; burst?: number };
  propagateTo?: string[];
}

/** TenantBlock's keys in the schema's order (the order they are written in). */
export const TENANT_BLOCK_KEYS = ['id', 'environments', 'origins', 'host', 'port', 'sampling', 'rateLimit', 'ingressRateLimit', 'propagateTo'] as const satisfies readonly (keyof TenantBlock)[];

/** The schema's tenant name: a DNS label (it names Kubernetes objects and compose services). */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function checkTenantName(name: string): void {
  if (DNS_LABEL.test(name) && name.length <= 63) return;
  const fixed = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);
  throw new TenantInputError(
    `tenant name ${JSON.stringify(name)} is not a DNS label`,
    `lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters${fixed ? `: e.g. "${fixed}"` : ''}`,
  );
}

/** "50/s" (or "2.5/s") → 50; the schema's bounds for a request rate. */
export function parseRate(flag: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)\/s$/.exec(v.trim());
  const n = m ? Number(m[1]) : NaN;
  if (!m) throw new TenantInputError(`${flag} must be a rate in requests per second written N/s, got ${JSON.stringify(v)}`, `e.g. ${flag} ${/^\d+(\.\d+)?$/.test(v.trim()) ? `${v.trim()}/s` : '50/s'}`);
  if (!(n >= 1 && n <= 100_000_000)) throw new TenantInputError(`${flag} ${v} is out of range`, `give from 1/s to 100000000/s`);
  return n;
}

function parseBurst(flag: string, v: string): number {
  const n = /^\d+$/.test(v.trim()) ? Number(v.trim()) : NaN;
  if (!(Number.isInteger(n) && n >= 1 && n <= 1_000_000_000)) throw new TenantInputError(`${flag} must be a whole number of requests from 1 to 1000000000, got ${JSON.stringify(v)}`, `e.g. ${flag} 100 (leave it out for twice the rate)`);
  return n;
}

function parseSampling(v: string): number {
  const t = v.trim();
  const n = /^(\d+(\.\d*)?|\.\d+)$/.test(t) ? Number(t) : NaN;
  if (!(n > 0 && n <= 1)) throw new TenantInputError(`--sampling must be the share of browser sessions sampled, 0 < s ≤ 1, got ${JSON.stringify(v)}`, 'e.g. --sampling 0.1 (one session in ten), or leave it out to sample every session');
  return n;
}

function parseOrigin(v: string): string {
  const r = checkOrigin(v);
  if (!r.ok) throw new TenantInputError(`--origin ${r.message}`, `${r.suggestion} (expected ${r.expected})`);
  return v;
}

function parseHost(v: string): string {
  if (/^(?=.{1,253}$)([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,63}$/.test(v)) return v;
  const bare = v.replace(/^[a-z]+:\/\//i, '').replace(/[/:].*$/, '').toLowerCase();
  throw new TenantInputError(`--host must be a lowercase DNS name, got ${JSON.stringify(v)}`, bare && bare !== v ? `write --host ${bare} (the host only: no scheme, port or path)` : 'e.g. --host faro.app.example.com');
}

function parseId(v: string): string {
  if (/^[A-Za-z0-9!._*'()-]{1,150}$/.test(v)) return v;
  throw new TenantInputError(`--id ${JSON.stringify(v)} is not a tenant id the engines accept`, "up to 150 of the letters, digits and !-_.*'() (or leave --id out: the id is the tenant's name)");
}

function parseUrl(flag: string, v: string): string {
  try {
    const u = new URL(v);
    if (u.protocol === 'http:' || u.protocol === 'https:') return v;
  } catch {
    // reported below
  }
  throw new TenantInputError(`${flag} must be an http(s) URL prefix of one of the tenant's backends, got ${JSON.stringify(v)}`, 'e.g. --propagate-to https://api.app.example.com');
}

/** The tenant block the flags describe; throws TenantInputError on the first bad flag. */
export function tenantFromFlags(f: TenantFlags): TenantBlock {
  const origins = f.origin ?? [];
  if (origins.length === 0) throw new TenantInputError('--origin is required: the origins of the pages the tenant\'s browsers send from (CORS)', 'e.g. --origin https://app.example.com (repeat --origin for several)');
  if (f.rate === undefined) throw new TenantInputError('--rate is required: the gateway\'s limit for the tenant\'s Faro requests', 'e.g. --rate 50/s [--burst 100]');
  if (f.ingressBurst !== undefined && f.ingressRate === undefined) throw new TenantInputError('--ingress-burst needs --ingress-rate', 'give --ingress-rate N/s too, or leave both out: the ingress then takes the gateway\'s limit');
  const block: TenantBlock = {
    ...(f.id !== undefined ? { id: parseId(f.id) } : {}),
    ...(f.env && f.env.length > 0 ? { environments: [...new Set(f.env)] } : {}),
    origins: [...new Set(origins.map(parseOrigin))],
    ...(f.host !== undefined ? { host: parseHost(f.host) } : {}),
    ...(f.sampling !== undefined ? { sampling: parseSampling(f.sampling) } : {}),
    rateLimit: { perSecond: parseRate('--rate', f.rate), ...(f.burst !== undefined ? { burst: parseBurst('--burst', f.burst) } : {}) },
    ...(f.ingressRate !== undefined
      ? { ingressRateLimit: { perSecond: parseRate('--ingress-rate', f.ingressRate), ...(f.ingressBurst !== undefined ? { burst: parseBurst('--ingress-burst', f.ingressBurst) } : {}) } }
      : {}),
    ...(f.propagateTo && f.propagateTo.length > 0 ? { propagateTo: [...new Set(f.propagateTo.map((u) => parseUrl('--propagate-to', u)))] } : {}),
  };
  return block;
}
