// OTLP client: encode traces/metrics/logs, send them over OTLP/HTTP or OTLP/gRPC, decode requests.
// Used by `otelstack verify` and `otelstack load`, and by the test sink.
import { GrpcSender } from './grpc-sender.js';
import { HttpSender } from './http-sender.js';
import type { OtlpSender, OtlpSenderOptions } from './sender.js';

export * from './types.js';
export { OTLP_PROTO_VERSION, grpcMethodPath } from './proto.js';
export {
  DEFAULT_SCOPE,
  buildTraceTree,
  countItems,
  encodeLogs,
  encodeMetrics,
  encodeRequest,
  encodeTraces,
  nowUnixNano,
  randomSpanId,
  randomTraceId,
  toUnixNano,
  traceTreeSize,
  type TraceTreeOptions,
} from './encode.js';
export {
  anyValueToJs,
  attributesToRecord,
  countDecodedItems,
  dataPointsOf,
  decodeLogsRequest,
  decodeMetricsRequest,
  decodeRequest,
  decodeResponse,
  decodeRpcStatus,
  decodeTracesRequest,
  encodeResponse,
  encodeRpcStatus,
  exemplarsOf,
  logRecordsOf,
  spansOf,
  type DataPointInContext,
  type LogRecordInContext,
  type RpcStatus,
  type SpanInContext,
} from './decode.js';
export { DEFAULT_RETRY_POLICY, NO_RETRY, backoffDelayMs, parseRetryAfter, resolveRetryPolicy, type RetryPolicy } from './retry.js';
export type { GrpcStatusName, OtlpProtocol, OtlpSender, OtlpSenderOptions, SendOptions, SendResult, TlsOptions } from './sender.js';
export { HttpSender, RETRYABLE_HTTP_STATUS } from './http-sender.js';
export { GrpcSender, RETRYABLE_GRPC_STATUS, connectionErrorCode, grpcStatusName, parseGrpcEndpoint } from './grpc-sender.js';
export { UNREACHABLE_ERROR_CODES, isTlsErrorCode } from './sender.js';

/** Creates the sender for `options.protocol` (default http/protobuf). Call close() when done. */
export function createOtlpSender(options: OtlpSenderOptions): OtlpSender {
  return options.protocol === 'grpc' ? new GrpcSender(options) : new HttpSender(options);
}
