// OTLP/HTTP sender: POST <endpoint>/v1/{traces,metrics,logs} with a protobuf or JSON body, over undici
// (keep-alive connection pool; TLS options Node's global fetch cannot take without an undici dispatcher).
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';

import { Agent, request } from 'undici';

import { decodeResponse, decodeRpcStatus } from './decode.js';
import { resolveRetryPolicy, parseRetryAfter, runWithRetry, type AttemptOutcome, type RetryPolicy } from './retry.js';
import {
  BaseSender,
  describeError,
  loadTlsMaterial,
  type OtlpProtocol,
  type OtlpSenderOptions,
  type SendOptions,
  type SendResult,
} from './sender.js';
import type { OtlpEncoding, Signal } from './types.js';

const gzip = promisify(gzipCb);

/** Status codes the OTLP/HTTP spec marks retryable. */
export const RETRYABLE_HTTP_STATUS: ReadonlySet<number> = new Set([429, 502, 503, 504]);

const DEFAULT_TIMEOUT_MS = 10_000;

type AttemptResult = Omit<SendResult, 'attempts' | 'latencyMs' | 'gaveUp'>;

export class HttpSender extends BaseSender {
  readonly protocol: OtlpProtocol;
  readonly endpoint: string;
  readonly encoding: OtlpEncoding;
  private readonly agent: Agent;
  private readonly urls: Readonly<Record<Signal, string>>;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly gzip: boolean;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;

  constructor(opts: OtlpSenderOptions) {
    super();
    const protocol = opts.protocol ?? 'http/protobuf';
    if (protocol === 'grpc') throw new Error('HttpSender: protocol grpc needs GrpcSender (use createOtlpSender)');
    this.protocol = protocol;
    this.encoding = protocol === 'http/json' ? 'json' : 'protobuf';
    let base: URL;
    try {
      base = new URL(opts.endpoint);
    } catch {
      throw new Error(`OTLP/HTTP endpoint must be an http:// or https:// URL, got ${JSON.stringify(opts.endpoint)}`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new Error(`OTLP/HTTP endpoint must be an http:// or https:// URL, got ${JSON.stringify(opts.endpoint)}`);
    }
    this.endpoint = opts.endpoint;
    const prefix = base.pathname.replace(/\/+$/, '');
    const urlFor = (signal: Signal): string => {
      const custom = opts.signalPaths?.[signal];
      if (custom !== undefined) return new URL(custom, `${base.origin}${prefix}/`).toString();
      return `${base.origin}${prefix}/v1/${signal}`;
    };
    this.urls = { traces: urlFor('traces'), metrics: urlFor('metrics'), logs: urlFor('logs') };
    this.gzip = opts.compression === 'gzip';
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retry = resolveRetryPolicy(opts.retry);
    this.headers = {
      'user-agent': 'otelstack-otlp',
      ...(opts.headers ?? {}),
      'content-type': this.encoding === 'json' ? 'application/json' : 'application/x-protobuf',
      ...(this.gzip ? { 'content-encoding': 'gzip' } : {}),
    };
    const tls = loadTlsMaterial(opts.tls);
    const skipVerify = opts.tls?.insecureSkipVerify === true;
    this.agent = new Agent({
      connections: opts.connections ?? 16,
      keepAliveTimeout: 30_000,
      connect: {
        timeout: this.timeoutMs,
        ...tls,
        ...(skipVerify ? { rejectUnauthorized: false, checkServerIdentity: () => undefined } : {}),
      },
    });
  }

  /** The URL a signal is posted to. */
  urlFor(signal: Signal): string {
    return this.urls[signal];
  }

  async sendEncoded(signal: Signal, body: Uint8Array, options?: SendOptions): Promise<SendResult> {
    const payload = this.gzip ? await gzip(body) : body;
    const started = performance.now();
    const run = await runWithRetry(this.retry, () => this.attempt(signal, payload, options?.signal), options?.signal);
    return {
      ...run.result,
      attempts: run.attempts,
      latencyMs: performance.now() - started,
      ...(run.gaveUp ? { gaveUp: run.gaveUp } : {}),
    };
  }

  private async attempt(signal: Signal, payload: Uint8Array, userSignal: AbortSignal | undefined): Promise<AttemptOutcome<AttemptResult>> {
    const url = this.urls[signal];
    const common = { signal, protocol: this.protocol, bytesSent: payload.byteLength, rejected: 0 } as const;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const abort = userSignal ? AbortSignal.any([userSignal, timeout]) : timeout;
    const t0 = performance.now();
    try {
      const res = await request(url, {
        method: 'POST',
        dispatcher: this.agent,
        headers: this.headers,
        body: payload,
        signal: abort,
      });
      const respBody = Buffer.from(await res.body.arrayBuffer());
      const lastAttemptMs = performance.now() - t0;
      const status = res.statusCode;
      const ctHeader = res.headers['content-type'];
      const ct = (Array.isArray(ctHeader) ? ctHeader[0] : ctHeader) ?? '';
      const respEncoding: OtlpEncoding = ct.includes('json') ? 'json' : 'protobuf';
      if (status >= 200 && status < 300) {
        let info: { rejected: number; errorMessage?: string } = { rejected: 0 };
        try {
          info = decodeResponse(signal, respBody, respEncoding);
        } catch {
          // A 2xx with an undecodable body is still an accepted export.
        }
        return {
          retryable: false,
          result: {
            ...common,
            ok: true,
            status,
            lastAttemptMs,
            rejected: info.rejected,
            ...(info.errorMessage !== undefined ? { partialSuccessMessage: info.errorMessage } : {}),
          },
        };
      }
      const retryable = RETRYABLE_HTTP_STATUS.has(status);
      const retryAfterMs = retryable ? parseRetryAfter(res.headers['retry-after']) : undefined;
      const rpc = ct.includes('protobuf') || ct.includes('json') ? decodeRpcStatus(respBody, respEncoding) : undefined;
      const text = rpc?.message ?? (ct.startsWith('text/') ? respBody.toString('utf8', 0, Math.min(respBody.length, 300)).trim() : '');
      return {
        retryable,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        result: { ...common, ok: false, status, lastAttemptMs, error: `POST ${url}: HTTP ${status}${text ? `: ${text}` : ''}` },
      };
    } catch (e) {
      const lastAttemptMs = performance.now() - t0;
      const userAborted = userSignal?.aborted === true;
      const timedOut = !userAborted && timeout.aborted;
      const d = describeError(e);
      const message = timedOut ? `timed out after ${this.timeoutMs} ms` : userAborted ? 'aborted' : d.message;
      const errorCode = timedOut ? 'ETIMEDOUT' : userAborted ? 'ABORTED' : d.code;
      return {
        retryable: !userAborted && this.retry.retryOnNetworkError,
        aborted: userAborted,
        result: {
          ...common,
          ok: false,
          status: null,
          lastAttemptMs,
          error: `POST ${url}: ${message}`,
          ...(errorCode !== undefined ? { errorCode } : {}),
        },
      };
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
