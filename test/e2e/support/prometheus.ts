// A real Prometheus on loopback with its remote-write receiver on (the Debian package; see scripts/peers), a temp
// TSDB, no scrape jobs. Readiness from /-/ready (PROMETHEUS_API.ready).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';

import { PROMETHEUS_API } from '../../../src/catalog/prometheus.js';
import { LOOPBACK_HOST } from '../../../src/topology/loopback.js';
import { prometheusBin } from './peers.js';
import { ManagedProcess, waitUntil } from './proc.js';

export class PrometheusServer {
  private constructor(
    readonly port: number,
    private readonly proc: ManagedProcess,
    readonly configFile: string,
    private readonly https = false,
  ) {}

  /**
   * Starts Prometheus on 127.0.0.1:`port` (a port the topology's metrics engine was mapped to). `opts.name` gives it
   * its own directory under `dir` (several side by side), `opts.config` its prometheus.yml (default: no scrape jobs).
   */
  static async start(dir: string, port: number, timeoutMs = 60_000, opts: { name?: string; config?: string; args?: readonly string[]; tls?: { ca: Buffer; cert?: Buffer; key?: Buffer } } = {}): Promise<PrometheusServer> {
    const bin = prometheusBin();
    const home = join(dir, opts.name ?? 'prometheus');
    mkdirSync(join(home, 'data'), { recursive: true });
    const cfg = join(home, 'prometheus.yml');
    writeFileSync(cfg, opts.config ?? 'global:\n  scrape_interval: 15s\nscrape_configs: []\n');
    const proc = ManagedProcess.start('prometheus', bin, {
      args: [
        `--config.file=${cfg}`,
        `--storage.tsdb.path=${join(home, 'data')}`,
        `--web.listen-address=${LOOPBACK_HOST}:${port}`,
        '--web.enable-remote-write-receiver',
        '--log.level=warn',
        ...(opts.args ?? []),
      ],
      logFile: join(home, 'prometheus.log'),
    });
    const p = new PrometheusServer(port, proc, cfg, opts.tls !== undefined);
    const dispatcher = opts.tls ? new Agent({ connect: { ca: opts.tls.ca, ...(opts.tls.cert ? { cert: opts.tls.cert, key: opts.tls.key } : {}) } }) : undefined;
    await waitUntil('prometheus to be ready', timeoutMs, async () => {
      if (!proc.running) throw new Error(`prometheus exited:\n${proc.logTail()}`);
      const res = await request(`${p.url}${PROMETHEUS_API.ready}`, { headersTimeout: 2000, bodyTimeout: 2000, ...(dispatcher ? { dispatcher } : {}) });
      await res.body.dump();
      return res.statusCode === 200;
    }, { details: () => proc.logTail() });
    return p;
  }

  get url(): string {
    return `${this.https ? 'https' : 'http'}://${LOOPBACK_HOST}:${this.port}`;
  }

  logTail(n = 40): string {
    return this.proc.logTail(n);
  }

  async stop(): Promise<void> {
    await this.proc.stop({ signal: 'SIGTERM', graceMs: 15_000 });
  }
}
