// The real Jaeger v2 (scripts/peers/jaeger.sh) on loopback: the all-in-one shape of the binary's embedded
// cmd/jaeger/internal/all-in-one.yaml (OTLP receivers → in-memory storage, the query service) with every listener on
// 127.0.0.1 at a free port, and only the extensions the test reads (no sampling, zpages, expvar). And a TCP relay in
// front of its OTLP/gRPC port that a test closes to stop feeding Jaeger while its query service keeps answering.
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { request } from 'undici';

import { JAEGER_API } from '../../../src/catalog/jaeger.js';
import { toYaml } from '../../../src/render/fileset.js';
import { LOOPBACK_HOST, freeLoopbackPorts } from '../../../src/topology/loopback.js';
import { jaegerBin } from './peers.js';
import { ManagedProcess, waitUntil } from './proc.js';

export class JaegerServer {
  private constructor(
    readonly ports: { otlpGrpc: number; otlpHttp: number; query: number },
    private readonly proc: ManagedProcess,
  ) {}

  static async start(dir: string, timeoutMs = 60_000): Promise<JaegerServer> {
    const bin = jaegerBin();
    const [otlpGrpc, otlpHttp, query, queryGrpc] = (await freeLoopbackPorts(4)) as [number, number, number, number];
    const home = join(dir, 'jaeger');
    mkdirSync(home, { recursive: true });
    const config = {
      service: {
        extensions: ['jaeger_storage', 'jaeger_query'],
        pipelines: { traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['jaeger_storage_exporter'] } },
        telemetry: { metrics: { level: 'none' } },
      },
      extensions: {
        jaeger_query: { storage: { traces: 'mem' }, http: { endpoint: `${LOOPBACK_HOST}:${query}` }, grpc: { endpoint: `${LOOPBACK_HOST}:${queryGrpc}` } },
        jaeger_storage: { backends: { mem: { memory: { max_traces: 100_000 } } } },
      },
      receivers: { otlp: { protocols: { grpc: { endpoint: `${LOOPBACK_HOST}:${otlpGrpc}` }, http: { endpoint: `${LOOPBACK_HOST}:${otlpHttp}` } } } },
      processors: { batch: {} },
      exporters: { jaeger_storage_exporter: { trace_storage: 'mem' } },
    };
    const cfg = join(home, 'jaeger.yaml');
    writeFileSync(cfg, toYaml(config));
    const proc = ManagedProcess.start('jaeger', bin, { args: ['--config', cfg], logFile: join(home, 'jaeger.log') });
    const j = new JaegerServer({ otlpGrpc, otlpHttp, query }, proc);
    await waitUntil('jaeger to answer its query API', timeoutMs, async () => {
      if (!proc.running) throw new Error(`jaeger exited:\n${proc.logTail()}`);
      try {
        const res = await request(`${j.queryUrl}${JAEGER_API.services}`, { headersTimeout: 2000, bodyTimeout: 2000 });
        await res.body.dump();
        return res.statusCode === 200;
      } catch {
        return false;
      }
    }, { details: () => proc.logTail() });
    return j;
  }

  get queryUrl(): string {
    return `http://${LOOPBACK_HOST}:${this.ports.query}`;
  }

  logTail(n = 40): string {
    return this.proc.logTail(n);
  }

  async stop(): Promise<void> {
    await this.proc.stop({ signal: 'SIGTERM', graceMs: 10_000 });
  }
}

/** A loopback TCP relay to `target`; close() refuses new connections and drops the open ones (an outage). */
export class TcpRelay {
  private readonly sockets = new Set<net.Socket>();
  private server: net.Server | undefined;

  private constructor(readonly port: number, private readonly target: number) {}

  static async start(target: number): Promise<TcpRelay> {
    const [port] = (await freeLoopbackPorts(1)) as [number];
    const r = new TcpRelay(port, target);
    await r.open();
    return r;
  }

  async open(): Promise<void> {
    if (this.server) return;
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target, LOOPBACK_HOST);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, LOOPBACK_HOST, () => resolve());
    });
    this.server = server;
  }

  get endpoint(): string {
    return `http://${LOOPBACK_HOST}:${this.port}`;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    for (const x of this.sockets) x.destroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
