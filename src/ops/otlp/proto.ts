// The OTLP protobuf schema, loaded once from the official .proto files.
//
// Encoding approach (why protobufjs + .proto files and not @opentelemetry/otlp-transformer):
// - The official serializers in @opentelemetry/otlp-transformer (0.301.x, checked) take SDK objects
//   (ReadableSpan, ResourceMetrics, ReadableLogRecord). Their metrics serializer never writes exemplars
//   (the SDK DataPoint type has no exemplars), so "a datapoint carrying an exemplar with a trace id" is
//   impossible through them; building SDK objects with explicit ids/timestamps for a load generator is
//   also roundabout. They ship no request *decoder* either, which the test sink needs.
// - Since 0.223 the transformer no longer contains protobufjs-generated code at all (it hand-writes the
//   wire format), and the older versions only had it as an undocumented internal module.
// - So we use protobufjs (the standard JS protobuf library, also what grpc-js's proto-loader uses) with
//   the upstream opentelemetry-proto .proto files verbatim. The published npm package carrying them is
//   @elastic/mockotlpserver, which vendors open-telemetry/opentelemetry-proto at tag v1.4.0 (see its
//   opentelemetry/proto/collector/README.md). Message shapes below therefore follow OTLP proto v1.4.0.
import { createRequire } from 'node:module';
import path from 'node:path';
import protobuf from 'protobufjs';

import type { Signal } from './types.js';

/** The opentelemetry-proto release the .proto files come from (vendored by @elastic/mockotlpserver). */
export const OTLP_PROTO_VERSION = 'v1.4.0';

const PROTO_FILES = [
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
  'opentelemetry/proto/collector/logs/v1/logs_service.proto',
];

interface SignalSchema {
  readonly request: protobuf.Type;
  readonly response: protobuf.Type;
  /** Full gRPC method path, e.g. /opentelemetry.proto.collector.trace.v1.TraceService/Export */
  readonly grpcPath: string;
  /** Name of the partial-success counter field in the response's partial_success message. */
  readonly rejectedField: 'rejectedSpans' | 'rejectedDataPoints' | 'rejectedLogRecords';
}

export interface OtlpSchema {
  readonly root: protobuf.Root;
  readonly signals: Readonly<Record<Signal, SignalSchema>>;
  /** google.rpc.Status — the body of OTLP/HTTP error responses. */
  readonly rpcStatus: protobuf.Type;
}

let cached: OtlpSchema | undefined;

/** Directory holding the `opentelemetry/proto/...` tree. */
export function protoDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@elastic/mockotlpserver/package.json'));
}

function buildRpcStatus(): protobuf.Type {
  // google.rpc.Status is three fields; the .proto for it is not in the OTLP package, so it is declared
  // through protobufjs's reflection API (the library still does all the encoding/decoding).
  const any = new protobuf.Type('Any')
    .add(new protobuf.Field('typeUrl', 1, 'string'))
    .add(new protobuf.Field('value', 2, 'bytes'));
  const status = new protobuf.Type('Status')
    .add(new protobuf.Field('code', 1, 'int32'))
    .add(new protobuf.Field('message', 2, 'string'))
    .add(new protobuf.Field('details', 3, 'Any', 'repeated'));
  new protobuf.Root().define('google.rpc').add(any).add(status);
  status.resolveAll();
  return status;
}

/** Loads (once) and returns the OTLP schema. Synchronous: the files are local and small. */
export function otlpSchema(): OtlpSchema {
  if (cached) return cached;
  const base = protoDir();
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(base, target);
  root.loadSync(PROTO_FILES);
  root.resolveAll();
  const c = 'opentelemetry.proto.collector';
  const signals: Record<Signal, SignalSchema> = {
    traces: {
      request: root.lookupType(`${c}.trace.v1.ExportTraceServiceRequest`),
      response: root.lookupType(`${c}.trace.v1.ExportTraceServiceResponse`),
      grpcPath: `/${c}.trace.v1.TraceService/Export`,
      rejectedField: 'rejectedSpans',
    },
    metrics: {
      request: root.lookupType(`${c}.metrics.v1.ExportMetricsServiceRequest`),
      response: root.lookupType(`${c}.metrics.v1.ExportMetricsServiceResponse`),
      grpcPath: `/${c}.metrics.v1.MetricsService/Export`,
      rejectedField: 'rejectedDataPoints',
    },
    logs: {
      request: root.lookupType(`${c}.logs.v1.ExportLogsServiceRequest`),
      response: root.lookupType(`${c}.logs.v1.ExportLogsServiceResponse`),
      grpcPath: `/${c}.logs.v1.LogsService/Export`,
      rejectedField: 'rejectedLogRecords',
    },
  };
  cached = { root, signals, rpcStatus: buildRpcStatus() };
  return cached;
}

/** gRPC method path of a signal's Export RPC. */
export function grpcMethodPath(signal: Signal): string {
  return otlpSchema().signals[signal].grpcPath;
}
