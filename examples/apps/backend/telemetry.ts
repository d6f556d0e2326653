// The backend's OpenTelemetry SDK for Node: traces, metrics and logs, each over OTLP/HTTP (JSON bodies) to the stack's
// gateway. The exporters read the standard variables themselves (OTEL_EXPORTER_OTLP_ENDPOINT, default
// http://localhost:4318, plus /v1/traces, /v1/metrics, /v1/logs; OTEL_EXPORTER_OTLP_HEADERS; ...), the resource
// takes OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (envDetector). Only what the SDK for Node does not read by
// itself outside NodeSDK is read here: OTEL_METRIC_EXPORT_INTERVAL.
//
// Why the separate SDK packages and not @opentelemetry/sdk-node: NodeSDK brings every exporter (gRPC, Zipkin,
// Prometheus) and auto-instrumentation along; this sample needs three OTLP/HTTP exporters and shows each of them.
import { logs, type Logger } from '@opentelemetry/api-logs';
import { metrics, type Meter, type Tracer } from '@opentelemetry/api';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

export const SCOPE = 'otelstack-sample-backend';

export interface Telemetry {
  readonly tracer: Tracer;
  readonly meter: Meter;
  readonly logger: Logger;
  /** Exports what is buffered (spans, log records, the metrics collected so far). */
  flush(): Promise<void>;
  /** Flushes and stops the three providers. */
  shutdown(): Promise<void>;
}

export interface TelemetryOptions {
  /** service.name unless OTEL_SERVICE_NAME (or service.name in OTEL_RESOURCE_ATTRIBUTES) says otherwise */
  readonly serviceName: string;
  readonly serviceVersion?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Starts the three SDK providers and registers them globally: the tracer provider with the W3C trace-context
 * propagator and the AsyncLocalStorage context manager (NodeTracerProvider.register's defaults), so
 * `propagation.extract` reads the browser's `traceparent` and `context.with` carries it through async code.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  const env = options.env ?? process.env;
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName, [ATTR_SERVICE_VERSION]: options.serviceVersion ?? '0.1.0' }))
    .merge(detectResources({ detectors: [envDetector] }));

  const tracerProvider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter(), { scheduledDelayMillis: 500 })] });
  tracerProvider.register();

  const interval = Number(env['OTEL_METRIC_EXPORT_INTERVAL'] ?? 60_000);
  const exportIntervalMillis = Number.isFinite(interval) && interval > 0 ? interval : 60_000;
  const meterProvider = new MeterProvider({
    resource,
    readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter(), exportIntervalMillis, exportTimeoutMillis: Math.min(30_000, exportIntervalMillis) })],
  });
  metrics.setGlobalMeterProvider(meterProvider);

  const loggerProvider = new LoggerProvider({ resource, processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter(), scheduledDelayMillis: 500 })] });
  logs.setGlobalLoggerProvider(loggerProvider);

  return {
    tracer: tracerProvider.getTracer(SCOPE),
    meter: meterProvider.getMeter(SCOPE),
    logger: loggerProvider.getLogger(SCOPE),
    async flush() {
      await Promise.all([tracerProvider.forceFlush(), meterProvider.forceFlush(), loggerProvider.forceFlush()]);
    },
    async shutdown() {
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown(), loggerProvider.shutdown()]);
    },
  };
}
