// A tiny HTTP server on 127.0.0.1 answering from a route function, recording every request: used to serve the
// documented response shapes of Tempo, Loki, Prometheus and S3 to the read clients.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string>>;
}

export interface FakeReply {
  readonly status?: number;
  /** Serialised as JSON unless `text` is given. */
  readonly json?: unknown;
  readonly text?: string;
  readonly contentType?: string;
}

export class FakeHttp {
  readonly requests: FakeRequest[] = [];
  private constructor(
    private readonly server: http.Server,
    readonly port: number,
  ) {}

  static async start(route: (req: FakeRequest) => FakeReply | Promise<FakeReply>): Promise<FakeHttp> {
    let self: FakeHttp | undefined;
    const server = http.createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
      const fr: FakeRequest = { method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, headers };
      self?.requests.push(fr);
      req.resume();
      req.on('end', () => {
        Promise.resolve(route(fr))
          .then((r) => {
            const body = r.text ?? (r.json === undefined ? '' : JSON.stringify(r.json));
            res.writeHead(r.status ?? 200, { 'content-type': r.contentType ?? (r.text !== undefined ? 'text/plain' : 'application/json') }).end(body);
          })
          .catch((e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e)));
      });
    });
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new FakeHttp(server, (server.address() as AddressInfo).port);
    return self;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}
