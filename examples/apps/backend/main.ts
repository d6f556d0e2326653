// Starts the sample backend against a stack's gateway. Configuration, all from the environment:
//   OTEL_EXPORTER_OTLP_ENDPOINT  the gateway's OTLP/HTTP base URL (default http://localhost:4318)
//   OTEL_SERVICE_NAME            default "sample-backend"
//   ALLOWED_ORIGINS              comma-separated origins of the pages that may call the API (CORS), e.g. the web app's
//   HOST, PORT                   where to listen (default 127.0.0.1:8081)
//   OTEL_METRIC_EXPORT_INTERVAL  milliseconds between metric exports (default 60000)
// SIGTERM / SIGINT: stops accepting requests, flushes the telemetry, exits.
import { startBackend } from './server.js';
import { startTelemetry } from './telemetry.js';

const env = process.env;
const service = env['OTEL_SERVICE_NAME'] || 'sample-backend';
const allowedOrigins = (env['ALLOWED_ORIGINS'] ?? '')
  .split(',')
  .map((o) => o.trim())
  .filter((o) => o !== '');
const port = Number(env['PORT'] ?? 8081);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`sample-backend: PORT must be a port number (0-65535), got ${JSON.stringify(env['PORT'])}`);
  process.exit(2);
}
if (allowedOrigins.length === 0) console.warn('sample-backend: ALLOWED_ORIGINS is empty: browsers on other origins will be refused (CORS)');

const telemetry = startTelemetry({ serviceName: service });
const backend = await startBackend({ service, allowedOrigins, telemetry, host: env['HOST'] || '127.0.0.1', port });
console.log(`sample-backend ${service} listening on ${backend.url} (GET /api/items); CORS for ${allowedOrigins.join(', ') || 'no origin'}; OTLP to ${env['OTEL_EXPORTER_OTLP_ENDPOINT'] || 'http://localhost:4318'}`);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void (async () => {
      await backend.close();
      await telemetry.shutdown();
      process.exit(0);
    })();
  });
}
