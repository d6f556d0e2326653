// One HTTP exchange with a browser-facing endpoint (the Faro receivers, the HAProxy in front of them): the status,
// the headers in lowercase and the body as text — what the CORS and rate-limit assertions read.
import { request } from 'undici';

const TIMEOUT_MS = 10_000;

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export async function send(url: string, method: 'POST' | 'OPTIONS' | 'GET', headers: Record<string, string>, body?: string): Promise<Reply> {
  const res = await request(url, { method, headers, ...(body !== undefined ? { body } : {}), headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS });
  const text = await res.body.text();
  const h: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return { status: res.statusCode, headers: h, body: text };
}
