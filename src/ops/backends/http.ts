// A small JSON-over-HTTP GET helper shared by the read clients (Tempo, Prometheus/Mimir, Loki), over undici's
// keep-alive pool. Every failure comes back as a BackendError whose `kind` tells "could not reach it" from "it
// answered with an error" from "it answered something we cannot read", so callers (verify) can say which.
import { Agent, request } from 'undici';

import { describeError, loadTlsMaterial, type TlsOptions } from '../otlp/sender.js';
import { DSKIT_TENANT_HEADER } from '../../catalog/dskit.js';

export type BackendErrorKind = 'unreachable' | 'timeout' | 'http' | 'bad-response';

export class BackendError extends Error {
  override readonly name = 'BackendError';
  constructor(
    message: string,
    readonly kind: BackendErrorKind,
    readonly url: string,
    readonly status?: number,
    readonly body?: string,
  ) {
    super(message);
  }
}

export interface BackendClientOptions {
  /** Base URL of the API, e.g. http://tempo:3200, http://mimir:8080/prometheus, http://prometheus:9090. */
  readonly url: string;
  /** Tenant sent as X-Scope-OrgID (omitted when undefined). */
  readonly tenant?: string;
  /** Extra headers (e.g. authorization). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Per-request timeout; default 10 000 ms. */
  readonly timeoutMs?: number;
  /** Skip TLS verification (tests only). */
  readonly insecureSkipVerify?: boolean;
  /** The CA to verify the server with and, for mutual TLS, the client's certificate and key (PEM files). */
  readonly tls?: TlsOptions;
}

export interface HttpReply {
  readonly status: number;
  readonly url: string;
  readonly text: string;
  readonly contentType: string;
}

/** Strips trailing slashes so that `${base}${path}` never doubles them. */
export function trimBase(url: string): string {
  return url.replace(/\/+$/, '');
}

/** The base of every read client: GET with headers and a timeout; JSON decoding with clear errors. */
export class HttpJsonClient {
  readonly baseUrl: string;
  readonly tenant: string | undefined;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly agent: Agent;

  constructor(opts: BackendClientOptions, tenantHeader: string = DSKIT_TENANT_HEADER) {
    let u: URL;
    try {
      u = new URL(opts.url);
    } catch {
      throw new BackendError(`not a URL: ${JSON.stringify(opts.url)}`, 'bad-response', opts.url);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new BackendError(`not an http(s) URL: ${opts.url}`, 'bad-response', opts.url);
    this.baseUrl = trimBase(opts.url);
    this.tenant = opts.tenant;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.headers = { accept: 'application/json', 'user-agent': 'otelstack', ...(opts.headers ?? {}) };
    if (opts.tenant !== undefined) this.headers[tenantHeader] = opts.tenant;
    this.agent = new Agent({
      connections: 8,
      keepAliveTimeout: 10_000,
      connect: { timeout: this.timeoutMs, ...loadTlsMaterial(opts.tls), ...(opts.insecureSkipVerify ? { rejectUnauthorized: false } : {}) },
    });
  }

  /** URL of `path` with query parameters (undefined values are left out). */
  urlOf(path: string, params: Readonly<Record<string, string | number | undefined>> = {}): string {
    const u = new URL(`${this.baseUrl}${path}`);
    for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  /** GET; any HTTP status is returned (network failures and timeouts throw BackendError). */
  async get(path: string, params: Readonly<Record<string, string | number | undefined>> = {}, signal?: AbortSignal): Promise<HttpReply> {
    const url = this.urlOf(path, params);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const abort = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const res = await request(url, { method: 'GET', headers: this.headers, dispatcher: this.agent, signal: abort });
      const text = await res.body.text();
      const ct = res.headers['content-type'];
      return { status: res.statusCode, url, text, contentType: (Array.isArray(ct) ? ct[0] : ct) ?? '' };
    } catch (e) {
      if (timeout.aborted && !signal?.aborted) throw new BackendError(`GET ${url}: no answer within ${this.timeoutMs} ms`, 'timeout', url);
      const d = describeError(e);
      throw new BackendError(`GET ${url}: cannot reach it (${d.code ? `${d.code}: ` : ''}${d.message})`, 'unreachable', url);
    }
  }

  /** GET expecting 2xx JSON; anything else throws BackendError ('http' with the status and a body excerpt). */
  async getJson(path: string, params: Readonly<Record<string, string | number | undefined>> = {}, signal?: AbortSignal): Promise<unknown> {
    const reply = await this.get(path, params, signal);
    if (reply.status < 200 || reply.status >= 300) throw httpError(reply);
    return parseJson(reply);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

export function httpError(reply: HttpReply): BackendError {
  const excerpt = reply.text.trim().slice(0, 300);
  return new BackendError(`GET ${reply.url}: HTTP ${reply.status}${excerpt ? `: ${excerpt}` : ''}`, 'http', reply.url, reply.status, reply.text);
}

export function parseJson(reply: HttpReply): unknown {
  try {
    return JSON.parse(reply.text) as unknown;
  } catch {
    throw new BackendError(`GET ${reply.url}: answer is not JSON (${reply.contentType || 'no content-type'}): ${reply.text.slice(0, 120)}`, 'bad-response', reply.url, reply.status);
  }
}

export type Json = Record<string, unknown>;
export function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
export function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
