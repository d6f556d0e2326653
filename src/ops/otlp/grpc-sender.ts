// OTLP/gRPC sender over @grpc/grpc-js. One channel for all three Export services; requests go as raw,
// already-encoded protobuf bytes (identity serializer), so a load generator can encode once and send many
// times.
import * as grpc from '@grpc/grpc-js';

import { decodeResponse } from './decode.js';
import { grpcMethodPath } from './proto.js';
import { resolveRetryPolicy, runWithRetry, type AttemptOutcome, type RetryPolicy } from './retry.js';
import {
  BaseSender,
  loadTlsMaterial,
  UNREACHABLE_ERROR_CODES,
  type GrpcStatusName,
  type OtlpSenderOptions,
  type SendOptions,
  type SendResult,
} from './sender.js';
import type { Signal } from './types.js';

/** Status codes the OTLP spec marks retryable that this sender retries. */
export const RETRYABLE_GRPC_STATUS: ReadonlySet<GrpcStatusName> = new Set<GrpcStatusName>(['UNAVAILABLE', 'RESOURCE_EXHAUSTED']);

const DEFAULT_TIMEOUT_MS = 10_000;

const STATUS_NAMES: ReadonlyMap<number, GrpcStatusName> = new Map(
  (Object.entries(grpc.status) as [string, string | number][])
    .filter((e): e is [GrpcStatusName, number] => typeof e[1] === 'number')
    .map(([name, code]) => [code, name]),
);

/** grpc.status code → name (e.g. 14 → UNAVAILABLE). */
export function grpcStatusName(code: number): GrpcStatusName {
  return STATUS_NAMES.get(code) ?? 'UNKNOWN';
}

type AttemptResult = Omit<SendResult, 'attempts' | 'latencyMs' | 'gaveUp'>;

const identity = (b: Buffer): Buffer => b;

/** Parses a gRPC endpoint into a grpc-js target and whether to use TLS. */
export function parseGrpcEndpoint(endpoint: string, insecure: boolean | undefined): { target: string; tls: boolean } {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(endpoint);
  if (!m) return { target: endpoint, tls: insecure !== true };
  const scheme = (m[1] ?? '').toLowerCase();
  const rest = (m[2] ?? '').replace(/\/+$/, '');
  if (scheme === 'http') return { target: rest, tls: false };
  if (scheme === 'https') return { target: rest, tls: insecure !== true };
  // dns:///host:port, unix:///path … are grpc-js targets already.
  return { target: endpoint, tls: insecure !== true };
}

/**
 * What a failed call's details say about the connection: grpc-js reports a failed TLS handshake and a refused
 * connection both as UNAVAILABLE ("No connection established. Last error: …"), which a report must not count as the
 * server refusing the export. Returns a code in SendResult.errorCode's vocabulary ('TLS', 'ECONNREFUSED', …).
 */
export function connectionErrorCode(details: string): string | undefined {
  if (/SSL routines|wrong version number|handshake|certificate|self[- ]signed|unable to verify|ERR_SSL|ERR_TLS/i.test(details)) return 'TLS';
  const m = /\b(E[A-Z]+)\b/.exec(details);
  if (m && UNREACHABLE_ERROR_CODES.has(m[1]!)) return m[1];
  return undefined;
}

/** OpenSSL's reason out of grpc-js's details ("…:SSL routines:ssl3_get_record:wrong version number:…" → the reason). */
function tlsReason(details: string): string {
  const m = /SSL routines:[^:]*:([^:]+)/.exec(details);
  return m ? m[1]!.trim() : details.replace(/^No connection established\. Last error: /, '').trim();
}

export class GrpcSender extends BaseSender {
  readonly protocol = 'grpc' as const;
  readonly encoding = 'protobuf' as const;
  readonly endpoint: string;
  private readonly client: grpc.Client;
  private readonly metadata: grpc.Metadata;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  /** Whether the channel speaks TLS. */
  readonly tls: boolean;

  constructor(opts: OtlpSenderOptions) {
    super();
    if (opts.protocol !== undefined && opts.protocol !== 'grpc') throw new Error(`GrpcSender: protocol ${opts.protocol} needs HttpSender (use createOtlpSender)`);
    this.endpoint = opts.endpoint;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retry = resolveRetryPolicy(opts.retry);
    const { target, tls } = parseGrpcEndpoint(opts.endpoint, opts.tls?.insecure);
    this.tls = tls;
    let creds: grpc.ChannelCredentials;
    if (tls) {
      const m = loadTlsMaterial(opts.tls);
      const skip = opts.tls?.insecureSkipVerify === true;
      creds = grpc.credentials.createSsl(m.ca ?? null, m.key ?? null, m.cert ?? null, skip ? { rejectUnauthorized: false, checkServerIdentity: () => undefined } : {});
    } else {
      creds = grpc.credentials.createInsecure();
    }
    const channelOptions: grpc.ChannelOptions = {
      // Our own retry loop counts attempts; grpc-js's built-in retries would hide them.
      'grpc.enable_retries': 0,
      // Reconnect soon after a backend comes back (grpc-js's default backoff grows to 120 s).
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 2000,
      'grpc.max_send_message_length': -1,
      ...(opts.compression === 'gzip' ? { 'grpc.default_compression_algorithm': grpc.compressionAlgorithms.gzip } : {}),
      ...(opts.grpcChannelOptions ?? {}),
    };
    this.client = new grpc.Client(target, creds, channelOptions);
    this.metadata = new grpc.Metadata();
    for (const [k, v] of Object.entries(opts.headers ?? {})) this.metadata.set(k.toLowerCase(), v);
  }

  async sendEncoded(signal: Signal, body: Uint8Array, options?: SendOptions): Promise<SendResult> {
    const payload = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    const started = performance.now();
    const run = await runWithRetry(this.retry, () => this.attempt(signal, payload, options?.signal), options?.signal);
    return {
      ...run.result,
      attempts: run.attempts,
      latencyMs: performance.now() - started,
      ...(run.gaveUp ? { gaveUp: run.gaveUp } : {}),
    };
  }

  private attempt(signal: Signal, payload: Buffer, userSignal: AbortSignal | undefined): Promise<AttemptOutcome<AttemptResult>> {
    const common = { signal, protocol: this.protocol, bytesSent: payload.byteLength, rejected: 0 } as const;
    const t0 = performance.now();
    return new Promise((resolve) => {
      const call = this.client.makeUnaryRequest<Buffer, Buffer>(
        grpcMethodPath(signal),
        identity,
        identity,
        payload,
        this.metadata.clone(),
        { deadline: Date.now() + this.timeoutMs },
        (err, value) => {
          userSignal?.removeEventListener('abort', onAbort);
          const lastAttemptMs = performance.now() - t0;
          if (!err) {
            let info: { rejected: number; errorMessage?: string } = { rejected: 0 };
            try {
              info = decodeResponse(signal, value ?? Buffer.alloc(0));
            } catch {
              // An OK with an undecodable body is still an accepted export.
            }
            resolve({
              retryable: false,
              result: {
                ...common,
                ok: true,
                status: 'OK',
                lastAttemptMs,
                rejected: info.rejected,
                ...(info.errorMessage !== undefined ? { partialSuccessMessage: info.errorMessage } : {}),
              },
            });
            return;
          }
          const status = grpcStatusName(err.code);
          // grpc-js appends an empty "Resolution note: " to connection errors; drop the noise.
          const details = (err.details ?? '').replace(/\.?\s*Resolution note:\s*$/, '');
          const userAborted = userSignal?.aborted === true;
          const errorCode = status === 'UNAVAILABLE' ? connectionErrorCode(details) : undefined;
          const error =
            errorCode === 'TLS'
              ? `gRPC ${grpcMethodPath(signal)} at ${this.endpoint}: TLS handshake failed: ${tlsReason(details)}${this.tls && /wrong version number|packet length too long/.test(details) ? ' (the server does not speak TLS)' : ''}`
              : `gRPC ${grpcMethodPath(signal)} at ${this.endpoint}: ${status}${details ? `: ${details}` : ''}`;
          resolve({
            // a handshake that failed once fails again: retrying it only hides the cause
            retryable: !userAborted && errorCode !== 'TLS' && RETRYABLE_GRPC_STATUS.has(status),
            aborted: userAborted,
            result: { ...common, ok: false, status, lastAttemptMs, error, ...(errorCode !== undefined ? { errorCode } : {}) },
          });
        },
      );
      const onAbort = (): void => call.cancel();
      userSignal?.addEventListener('abort', onAbort, { once: true });
      if (userSignal?.aborted) call.cancel();
    });
  }

  async close(): Promise<void> {
    this.client.close();
  }
}
