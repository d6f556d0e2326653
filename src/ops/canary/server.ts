// The canary's /metrics endpoint: node's http server, one path, the registry's exposition text.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { CANARY_METRICS_PATH } from '../../catalog/canary.js';
import type { CanaryMetrics } from './metrics.js';

export interface MetricsServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function serveMetrics(metrics: CanaryMetrics, host: string, port: number): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== CANARY_METRICS_PATH) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: the canary serves GET ${CANARY_METRICS_PATH}\n`);
      return;
    }
    metrics.text().then(
      (text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(text),
      (e: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${e.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address() as AddressInfo;
  return {
    host: a.address,
    port: a.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
