/**
 * Runs a DeployPlan (plan.ts) through a ProcessManager (what starts and stops services: Docker Compose in the CLI,
 * the real-engine test's processes in test/e2e) and a LoadBalancer (HAProxy's runtime API). Every wait is a bounded
 * poll. A failed gate aborts the deploy:
 *  - before the service was stopped (drain or queue wait timed out): it is put back in the load balancer, nothing
 *    was stopped;
 *  - after (start, health, back in the load balancer): that one service is rolled back — stopped, its previous
 *    version started, its health waited for, put back in the load balancer — and every other service is left as it
 *    is (those already rolled stay on the new version, the rest on the old one).
 * The result says which, and the CLI exits 1.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import { COLLECTOR_METRICS } from '../../catalog/metrics.js';
import type { DeployAction, DeployPlan, DeployUnit, HealthGate, LbServer } from './plan.js';
import { parseExposition } from './metrics-text.js';

export interface ProcessManager {
  /** fetch the new images before anything stops (optional) */
  pull?(services: readonly string[]): Promise<void>;
  /** stop, giving it `graceS` seconds to exit on its own */
  stop(service: string, graceS: number): Promise<void>;
  /** start the new version (`next`), or the one that ran before the deploy (`previous`, for a rollback) */
  start(service: string, version: 'next' | 'previous'): Promise<void>;
  /** one health check now (no waiting) */
  healthy(service: string, gate: HealthGate): Promise<boolean>;
  /** the collector's metrics in the Prometheus text format, from `source` */
  metricsText(service: string, source: { readonly url: string; readonly via: string }): Promise<string>;
}

export interface LbServerState extends LbServer {
  /** HAProxy status column: UP, DOWN, DRAIN, MAINT, "UP 1/2", "no check" … */
  readonly status: string;
  /** current sessions (scur) */
  readonly sessions: number;
}

export interface LoadBalancer {
  setState(server: LbServer, state: 'drain' | 'ready'): Promise<void>;
  servers(): Promise<LbServerState[]>;
}

export interface DeployTimeouts {
  /** until the load balancer has no session on a drained gateway; default 30 s */
  readonly drainS: number;
  /** until a drained gateway's exporter queues are empty; default 120 s */
  readonly queuesS: number;
  /** until a started service is healthy; default 120 s */
  readonly healthS: number;
  /** until the load balancer sees a re-enabled gateway UP; default 60 s */
  readonly lbUpS: number;
  /** poll interval; default 1000 ms */
  readonly pollMs: number;
}

export const DEFAULT_TIMEOUTS: DeployTimeouts = { drainS: 30, queuesS: 120, healthS: 120, lbUpS: 60, pollMs: 1000 };

export interface StepRecord {
  readonly n: number;
  readonly action: DeployAction | 'rollback';
  readonly service: string;
  readonly ok: boolean;
  readonly detail?: string;
  readonly ms: number;
}

export interface DeployResult {
  readonly ok: boolean;
  readonly stack: string;
  readonly env: string;
  /** services rolled to the new version, in order */
  readonly deployed: readonly string[];
  readonly failed?: { readonly service: string; readonly action: DeployAction; readonly message: string };
  /** the failed service, rolled back to its previous version (or why that did not work either) */
  readonly rollback?: { readonly service: string; readonly ok: boolean; readonly message: string };
  /** services the aborted deploy did not reach (still on the previous version) */
  readonly notReached: readonly string[];
  readonly steps: readonly StepRecord[];
}

export interface ExecuteOptions {
  readonly timeouts?: Partial<DeployTimeouts>;
  /** called as each step finishes (progress output) */
  readonly onStep?: (r: StepRecord) => void;
}

class GateFailed extends Error {}

/** Sum of otelcol_exporter_queue_size over exporters; undefined when the collector reports no sending queue. */
export function queueDepth(metricsText: string): number | undefined {
  const name = COLLECTOR_METRICS.otelcol.exporterQueueSize;
  const samples = parseExposition(metricsText).filter((s) => s.name === name);
  return samples.length === 0 ? undefined : samples.reduce((a, s) => a + s.value, 0);
}

export async function executeDeploy(plan: DeployPlan, pm: ProcessManager, lb: LoadBalancer | undefined, options: ExecuteOptions = {}): Promise<DeployResult> {
  const to: DeployTimeouts = { ...DEFAULT_TIMEOUTS, ...(options.timeouts ?? {}) };
  const records: StepRecord[] = [];
  const deployed: string[] = [];
  const record = (r: StepRecord) => {
    records.push(r);
    options.onStep?.(r);
  };
  if (plan.units.some((u) => u.lbServers.length > 0) && !lb) throw new Error('executeDeploy: the plan drains gateways in a load balancer, but none was given');

  /** Polls `check` until it returns a value (not undefined), bounded by `seconds`. */
  const until = async <T>(what: string, seconds: number, check: () => Promise<T | undefined>, state?: () => string): Promise<T> => {
    const deadline = Date.now() + seconds * 1000;
    let lastError = '';
    for (;;) {
      try {
        const v = await check();
        if (v !== undefined) return v;
      } catch (e) {
        lastError = e instanceof Error ? e.message : String(e);
      }
      if (Date.now() >= deadline) throw new GateFailed(`${what}: not within ${seconds} s${state ? ` (${state()})` : ''}${lastError ? ` — last error: ${lastError}` : ''}`);
      await sleep(to.pollMs);
    }
  };

  const lbStates = async (u: DeployUnit): Promise<LbServerState[]> => {
    const all = await lb!.servers();
    return u.lbServers.map((s) => {
      const st = all.find((x) => x.backend === s.backend && x.server === s.server);
      if (!st) throw new Error(`the load balancer has no server ${s.backend}/${s.server}`);
      return st;
    });
  };
  const waitHealthy = (u: DeployUnit, seconds: number) => until(`${u.service} healthy`, seconds, async () => ((await pm.healthy(u.service, u.health)) ? true : undefined));
  const waitLbUp = async (u: DeployUnit, seconds: number) => {
    let last: LbServerState[] = [];
    await until(`the load balancer to see ${u.service} UP`, seconds, async () => {
      last = await lbStates(u);
      return last.every((s) => s.status.startsWith('UP')) ? true : undefined;
    }, () => last.map((s) => `${s.backend}/${s.server} ${s.status}`).join(', '));
  };

  let n = 0;
  const step = async (action: DeployAction, service: string, fn: () => Promise<string | void>): Promise<void> => {
    const t0 = Date.now();
    n++;
    try {
      const detail = await fn();
      record({ n, action, service, ok: true, ...(detail ? { detail } : {}), ms: Date.now() - t0 });
    } catch (e) {
      record({ n, action, service, ok: false, detail: e instanceof Error ? e.message : String(e), ms: Date.now() - t0 });
      throw e instanceof GateFailed ? e : new GateFailed(e instanceof Error ? e.message : String(e));
    }
  };

  const result = (extra: Partial<DeployResult>): DeployResult => ({
    ok: extra.failed === undefined,
    stack: plan.stack,
    env: plan.env,
    deployed: [...deployed],
    // the failed service is reported as failed, not as not reached; a failed pull stopped nothing, so every service is not reached
    notReached: plan.units.map((u) => u.service).filter((s) => !deployed.includes(s) && (extra.failed?.action === 'pull' || s !== extra.failed?.service)),
    steps: records,
    ...extra,
  });

  if (plan.units.length > 0 && pm.pull) {
    try {
      await step('pull', plan.units.map((u) => u.service).join(','), async () => pm.pull!(plan.units.map((u) => u.service)));
    } catch (e) {
      return result({ failed: { service: plan.units[0]!.service, action: 'pull', message: `pulling the new images failed, nothing was stopped: ${(e as Error).message}` } });
    }
  }

  for (const u of plan.units) {
    let stopped = false;
    let drained = false;
    let action: DeployAction = 'drain';
    try {
      if (u.lbServers.length > 0) {
        action = 'drain';
        await step('drain', u.service, async () => {
          drained = true;
          for (const s of u.lbServers) await lb!.setState(s, 'drain');
        });
        action = 'wait-drained';
        let last: LbServerState[] = [];
        await step('wait-drained', u.service, async () => {
          await until(`the load balancer to have no session on ${u.service}`, to.drainS, async () => {
            last = await lbStates(u);
            return last.every((s) => s.sessions === 0) ? true : undefined;
          }, () => last.map((s) => `${s.backend}/${s.server} ${s.sessions} sessions`).join(', '));
        });
      }
      if (u.waitQueues && u.metrics) {
        action = 'wait-queues';
        let depth: number | undefined;
        await step('wait-queues', u.service, async () => {
          await until(`${u.service}'s exporter queues to empty`, to.queuesS, async () => {
            depth = queueDepth(await pm.metricsText(u.service, u.metrics!));
            return depth === 0 ? true : undefined;
          }, () => (depth === undefined ? `${u.service} reports no exporter queue size: it cannot be told drained` : `${depth} items queued`));
          return 'queues empty';
        });
      }
      action = 'stop';
      await step('stop', u.service, async () => {
        stopped = true;
        await pm.stop(u.service, u.graceS);
      });
      action = 'start';
      await step('start', u.service, async () => pm.start(u.service, 'next'));
      action = 'wait-healthy';
      await step('wait-healthy', u.service, async () => {
        await waitHealthy(u, to.healthS);
      });
      if (u.lbServers.length > 0) {
        action = 'enable';
        await step('enable', u.service, async () => {
          for (const s of u.lbServers) await lb!.setState(s, 'ready');
        });
        action = 'wait-lb-up';
        await step('wait-lb-up', u.service, async () => waitLbUp(u, to.lbUpS));
      }
      deployed.push(u.service);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (!stopped) {
        // nothing stopped: put it back where it was and stop here
        let back = '';
        if (drained) {
          try {
            for (const s of u.lbServers) await lb!.setState(s, 'ready');
            back = '; it was put back in the load balancer';
          } catch (e2) {
            back = `; putting it back in the load balancer failed too (${(e2 as Error).message}) — run: ${u.lbServers.map((s) => `set server ${s.backend}/${s.server} state ready`).join('; ')}`;
          }
        }
        return result({ failed: { service: u.service, action, message: `${message}; ${u.service} was not stopped${back}` } });
      }
      const rollback = await rollBack(u);
      return result({ failed: { service: u.service, action, message }, rollback });
    }
  }
  return result({});

  async function rollBack(u: DeployUnit): Promise<{ service: string; ok: boolean; message: string }> {
    const t0 = Date.now();
    n++;
    const parts: string[] = [];
    let ok = true;
    try {
      await pm.stop(u.service, u.graceS).catch(() => undefined);
      await pm.start(u.service, 'previous');
      parts.push('previous version started');
      await waitHealthy(u, to.healthS);
      parts.push('healthy');
      if (u.lbServers.length > 0) {
        for (const s of u.lbServers) await lb!.setState(s, 'ready');
        await waitLbUp(u, to.lbUpS);
        parts.push('back in the load balancer');
      }
    } catch (e) {
      ok = false;
      parts.push(`rollback failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    const message = parts.join(', ');
    record({ n, action: 'rollback', service: u.service, ok, detail: message, ms: Date.now() - t0 });
    return { service: u.service, ok, message };
  }
}
