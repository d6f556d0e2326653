// The sender API shared by OTLP/HTTP and OTLP/gRPC, and the factory choosing between them.
import { readFileSync } from 'node:fs';

import { countItems, encodeRequest } from './encode.js';
import type { RetryPolicy } from './retry.js';
import type { OtlpEncoding, Signal, SignalInputs } from './types.js';

export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';

export interface TlsOptions {
  /** Plaintext even for an endpoint without a scheme (gRPC). An `http://` endpoint is always plaintext. */
  readonly insecure?: boolean;
  /** PEM file of the CA(s) to trust instead of the system roots. */
  readonly caFile?: string;
  /** PEM of the CA(s) to trust (alternative to caFile). */
  readonly ca?: string | Uint8Array;
  /** Do not verify the server certificate (chain or host name). For tests and debugging only. */
  readonly insecureSkipVerify?: boolean;
  /** Client certificate and key (PEM files) for mutual TLS. */
  readonly certFile?: string;
  readonly keyFile?: string;
}

export interface OtlpSenderOptions {
  /**
   * Base URL. OTLP/HTTP: `http(s)://host:port[/prefix]`; `/v1/<signal>` is appended unless signalPaths
   * overrides it. OTLP/gRPC: `http://host:port` (plaintext), `https://host:port` (TLS) or `host:port`
   * (TLS unless tls.insecure).
   */
  readonly endpoint: string;
  /** Default http/protobuf. */
  readonly protocol?: OtlpProtocol;
  /** Extra request headers / gRPC metadata, e.g. X-Scope-OrgID, authorization. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Default none. */
  readonly compression?: 'none' | 'gzip';
  readonly tls?: TlsOptions;
  /** Per-attempt timeout. Default 10 000 ms. */
  readonly timeoutMs?: number;
  /** Partial policy merged over DEFAULT_RETRY_POLICY; false = single attempt. */
  readonly retry?: Partial<RetryPolicy> | false;
  /** OTLP/HTTP only: path per signal, replacing `/v1/<signal>` (joined to the endpoint URL). */
  readonly signalPaths?: Partial<Readonly<Record<Signal, string>>>;
  /** OTLP/HTTP only: maximum keep-alive connections to the endpoint. Default 16. */
  readonly connections?: number;
  /** OTLP/gRPC only: extra grpc-js channel options. */
  readonly grpcChannelOptions?: Readonly<Record<string, string | number>>;
}

/** gRPC status code names as used in results (grpc.status enum keys). */
export type GrpcStatusName =
  | 'OK'
  | 'CANCELLED'
  | 'UNKNOWN'
  | 'INVALID_ARGUMENT'
  | 'DEADLINE_EXCEEDED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'PERMISSION_DENIED'
  | 'RESOURCE_EXHAUSTED'
  | 'FAILED_PRECONDITION'
  | 'ABORTED'
  | 'OUT_OF_RANGE'
  | 'UNIMPLEMENTED'
  | 'INTERNAL'
  | 'UNAVAILABLE'
  | 'DATA_LOSS'
  | 'UNAUTHENTICATED';

export interface SendResult {
  /** The server accepted the export (HTTP 2xx / gRPC OK). Items may still be partially rejected: see `rejected`. */
  readonly ok: boolean;
  readonly signal: Signal;
  readonly protocol: OtlpProtocol;
  /** Last attempt's HTTP status code or gRPC status name; null when no response was received (HTTP). */
  readonly status: number | GrpcStatusName | null;
  /** Attempts made (1 = no retry). */
  readonly attempts: number;
  /** Wall time from the first attempt to the final result, retries and waits included (ms). */
  readonly latencyMs: number;
  /** Duration of the last attempt alone (ms). */
  readonly lastAttemptMs: number;
  /** Items the server rejected in a partial success (0 otherwise). */
  readonly rejected: number;
  /** The partial-success error message, if the server sent one. */
  readonly partialSuccessMessage?: string;
  /** Human-readable reason when ok is false. */
  readonly error?: string;
  /** Low-level error code when no response arrived (e.g. ECONNREFUSED, UND_ERR_HEADERS_TIMEOUT). */
  readonly errorCode?: string;
  /** Why retrying stopped, when it did without success. */
  readonly gaveUp?: 'max-attempts' | 'max-elapsed' | 'aborted';
  /**
   * Request body size in bytes: OTLP/HTTP after compression; OTLP/gRPC the message before compression
   * (grpc-js compresses inside the channel and does not report the result).
   */
  readonly bytesSent: number;
}

export interface SendOptions {
  /** Cancels the send, including waits between retries. */
  readonly signal?: AbortSignal;
}

export interface OtlpSender {
  readonly protocol: OtlpProtocol;
  readonly endpoint: string;
  /** Encoding of request bodies this sender sends (and sendEncoded expects). */
  readonly encoding: OtlpEncoding;
  /** Sends an already encoded Export*ServiceRequest body as-is (it is compressed here if configured). */
  sendEncoded(signal: Signal, body: Uint8Array, options?: SendOptions): Promise<SendResult>;
  /** Encodes and sends items. */
  send<S extends Signal>(signal: S, input: SignalInputs[S], options?: SendOptions): Promise<SendResult & { readonly items: number }>;
  sendTraces(input: SignalInputs['traces'], options?: SendOptions): Promise<SendResult & { readonly items: number }>;
  sendMetrics(input: SignalInputs['metrics'], options?: SendOptions): Promise<SendResult & { readonly items: number }>;
  sendLogs(input: SignalInputs['logs'], options?: SendOptions): Promise<SendResult & { readonly items: number }>;
  /** Releases connections. The sender must not be used afterwards. */
  close(): Promise<void>;
}

/** Common part of both senders: item encoding on top of sendEncoded. */
export abstract class BaseSender implements OtlpSender {
  abstract readonly protocol: OtlpProtocol;
  abstract readonly endpoint: string;
  abstract readonly encoding: OtlpEncoding;
  abstract sendEncoded(signal: Signal, body: Uint8Array, options?: SendOptions): Promise<SendResult>;
  abstract close(): Promise<void>;

  async send<S extends Signal>(signal: S, input: SignalInputs[S], options?: SendOptions): Promise<SendResult & { readonly items: number }> {
    const body = encodeRequest(signal, input, this.encoding);
    const result = await this.sendEncoded(signal, body, options);
    return { ...result, items: countItems(signal, input) };
  }
  sendTraces(input: SignalInputs['traces'], options?: SendOptions): Promise<SendResult & { readonly items: number }> {
    return this.send('traces', input, options);
  }
  sendMetrics(input: SignalInputs['metrics'], options?: SendOptions): Promise<SendResult & { readonly items: number }> {
    return this.send('metrics', input, options);
  }
  sendLogs(input: SignalInputs['logs'], options?: SendOptions): Promise<SendResult & { readonly items: number }> {
    return this.send('logs', input, options);
  }
}

/** Reads the PEM material named by TLS options. */
export function loadTlsMaterial(tls: TlsOptions | undefined): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  const out: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {};
  if (!tls) return out;
  if (tls.ca !== undefined) out.ca = Buffer.from(tls.ca);
  else if (tls.caFile) out.ca = readFileSync(tls.caFile);
  if (tls.certFile) out.cert = readFileSync(tls.certFile);
  if (tls.keyFile) out.key = readFileSync(tls.keyFile);
  return out;
}

/**
 * Whether a low-level error code (SendResult.errorCode) means the TLS handshake failed: a plaintext server behind a
 * TLS client ("wrong version number"), an untrusted or mismatched certificate. Such errors are reported as TLS
 * errors, never as the server refusing the export.
 */
export function isTlsErrorCode(code: string | undefined): boolean {
  return code !== undefined && (code === 'TLS' || /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED|SELF_SIGNED_CERT|ERR_OSSL_)/.test(code));
}

/** Codes of a connection that could not be made at all (nothing listens, no route, no such host). */
export const UNREACHABLE_ERROR_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);

/** Text of a thrown value, with its `code` when it has one. */
export function describeError(e: unknown): { message: string; code?: string } {
  if (e instanceof Error) {
    const code = (e as Error & { code?: unknown }).code;
    let message = e.message;
    // Node/undici often wrap the socket error as `cause` ("fetch failed" → "connect ECONNREFUSED …").
    const cause = (e as Error & { cause?: unknown }).cause;
    if (cause instanceof Error && cause.message && !message.includes(cause.message)) message = `${message}: ${cause.message}`;
    const causeCode = cause instanceof Error ? (cause as Error & { code?: unknown }).code : undefined;
    const c = typeof code === 'string' ? code : typeof causeCode === 'string' ? causeCode : e.name !== 'Error' ? e.name : undefined;
    return c === undefined ? { message } : { message, code: c };
  }
  return { message: String(e) };
}
