/**
 * The ProcessManager of `otelstack deploy`: Docker Compose v2 on the rendered files.
 *   stop:    docker compose -p <project> -f <dir>/docker-compose.yaml stop -t <grace> <service>
 *   start:   docker compose -p <project> -f <dir>/docker-compose.yaml up -d --no-deps <service>
 *            (the previous version: the same with the previous render's directory — same project, so the same
 *            named volumes)
 *   health:  a probe-backed service: `exec -T <probe> wget -q -O /dev/null <ready url>` (the busybox probe's own
 *            tool, checking now rather than waiting for its healthcheck interval); otherwise the new container's
 *            own healthcheck status (`docker inspect`, which starts at "starting" with the container)
 *   metrics: `exec -T <probe> wget -q -O - <metrics url>`
 * Every command is bounded by a timeout; a failing command's stderr is in the error.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

import type { ProcessManager } from './execute.js';
import type { HealthGate } from './plan.js';

export const COMPOSE_FILE = 'docker-compose.yaml';

export interface DockerComposeOptions {
  readonly project: string;
  /** the new render's compose directory (compose/<env>) */
  readonly dir: string;
  /** the running version's compose directory, for rollbacks; absent: a rollback starts the service from `dir` again */
  readonly previousDir?: string;
  /** docker binary; default "docker" */
  readonly docker?: string;
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(bin: string, args: readonly string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error(`${bin} not found: otelstack deploy drives Docker Compose v2 (install Docker, or give --docker <path>)`));
        return;
      }
      if (err && (err as { killed?: boolean }).killed) {
        reject(new Error(`${bin} ${args.join(' ')} timed out after ${Math.round(timeoutMs / 1000)} s`));
        return;
      }
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

export class DockerCompose implements ProcessManager {
  private readonly docker: string;

  constructor(readonly options: DockerComposeOptions) {
    this.docker = options.docker ?? 'docker';
  }

  /** The compose arguments for the new (`next`) or the previous render. */
  composeArgs(version: 'next' | 'previous' = 'next'): string[] {
    const dir = version === 'previous' ? (this.options.previousDir ?? this.options.dir) : this.options.dir;
    return ['compose', '-p', this.options.project, '-f', join(dir, COMPOSE_FILE)];
  }

  private async compose(args: readonly string[], timeoutMs: number, version: 'next' | 'previous' = 'next'): Promise<Run> {
    const full = [...this.composeArgs(version), ...args];
    const r = await run(this.docker, full, timeoutMs);
    if (r.code !== 0) throw new Error(`${this.docker} ${full.join(' ')} failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-5).join(' | ')}`);
    return r;
  }

  async pull(services: readonly string[]): Promise<void> {
    await this.compose(['pull', ...services], 30 * 60_000);
  }

  async stop(service: string, graceS: number): Promise<void> {
    await this.compose(['stop', '-t', String(graceS), service], (graceS + 60) * 1000);
  }

  async start(service: string, version: 'next' | 'previous'): Promise<void> {
    await this.compose(['up', '-d', '--no-deps', service], 10 * 60_000, version);
  }

  async healthy(service: string, gate: HealthGate): Promise<boolean> {
    if (gate.kind === 'ready-url') {
      const r = await run(this.docker, [...this.composeArgs(), 'exec', '-T', gate.via, 'wget', '-q', '-O', '/dev/null', gate.url], 30_000);
      return r.code === 0;
    }
    const id = (await this.compose(['ps', '-q', service], 30_000)).stdout.trim();
    if (!id) return false;
    const r = await run(this.docker, ['inspect', '--format', '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}', id], 30_000);
    return r.code === 0 && r.stdout.trim() === 'healthy';
  }

  async metricsText(_service: string, source: { readonly url: string; readonly via: string }): Promise<string> {
    return (await this.compose(['exec', '-T', source.via, 'wget', '-q', '-O', '-', source.url], 30_000)).stdout;
  }
}
