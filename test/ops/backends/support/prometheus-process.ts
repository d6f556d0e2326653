// Starts the real Prometheus (scripts/peers/prometheus.sh installs it: $PROMETHEUS_BIN, else
// ${OTELSTACK_CACHE:-~/.cache/otelstack}/bin/prometheus) on 127.0.0.1 with the remote-write receiver and exemplar
// storage on, a temporary data directory, a bounded start-up wait; stop() always kills it and removes the data.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { request } from 'undici';

export function prometheusBinary(): string {
  const fromEnv = process.env['PROMETHEUS_BIN'];
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const cache = process.env['OTELSTACK_CACHE'] ?? path.join(os.homedir(), '.cache', 'otelstack');
  const p = path.join(cache, 'bin', 'prometheus');
  if (existsSync(p)) return p;
  throw new Error(`Prometheus not found: set PROMETHEUS_BIN or run scripts/peers/prometheus.sh (looked for ${p})`);
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export class PrometheusProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly port: number,
    private readonly log: () => string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(startupTimeoutMs = 30_000): Promise<PrometheusProcess> {
    const bin = prometheusBinary();
    const help = spawnSync(bin, ['--help'], { encoding: 'utf8' });
    const text = `${help.stdout}${help.stderr}`;
    const rwFlag = text.includes('--web.enable-remote-write-receiver') ? '--web.enable-remote-write-receiver' : '--enable-feature=remote-write-receiver';
    const dir = mkdtempSync(path.join(os.tmpdir(), 'otelstack-prom-'));
    writeFileSync(path.join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\nscrape_configs: []\n');
    const port = await freePort();
    let log = '';
    const child = spawn(
      bin,
      [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, rwFlag, '--enable-feature=exemplar-storage'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    const p = new PrometheusProcess(child, dir, port, () => log);
    const deadline = Date.now() + startupTimeoutMs;
    for (;;) {
      if (child.exitCode !== null) {
        await p.stop();
        throw new Error(`prometheus exited during start-up (code ${child.exitCode}):\n${log}`);
      }
      try {
        const res = await request(`${p.url}/-/ready`, { signal: AbortSignal.timeout(1000) });
        await res.body.dump();
        if (res.statusCode === 200) return p;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await p.stop();
        throw new Error(`prometheus not ready on ${p.url} within ${startupTimeoutMs} ms:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  get output(): string {
    return this.log();
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
