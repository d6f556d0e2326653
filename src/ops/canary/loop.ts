// The canary's schedule: per environment, a round every interval. A round waits up to its deadline, which may be
// longer than the interval, so rounds overlap (each with its own trace id); at most ceil(deadline / interval) + 1
// run at once per environment, and a round that would exceed that is skipped (and counted) rather than queued.
import type { VerifyClients } from '../verify/run.js';
import type { VerifyTargets } from '../verify/targets.js';
import { REAL_CLOCK, type Clock } from '../verify/poll.js';
import type { CanaryMetrics } from './metrics.js';
import { runRound, type RoundOptions, type RoundReport } from './round.js';

export interface CanaryEnvironment {
  readonly targets: VerifyTargets;
  readonly clients: VerifyClients;
}

export interface CanaryLoopOptions extends RoundOptions {
  readonly intervalMs: number;
  /** one round per environment, then stop */
  readonly once?: boolean;
  /** stops the loop: no new round starts, and rounds still waiting are abandoned (their items are not counted) */
  readonly signal?: AbortSignal;
  readonly onRound?: (r: RoundReport) => void;
  readonly onError?: (env: string, e: Error) => void;
}

export function maxInFlight(intervalMs: number, deadlineMs: number, storageDeadlineMs = 0): number {
  return Math.ceil(Math.max(deadlineMs, storageDeadlineMs) / intervalMs) + 1;
}

/** Runs until `signal` aborts, or one round per environment with `once` (then resolves when those have finished). */
export async function runCanary(envs: readonly CanaryEnvironment[], metrics: CanaryMetrics, o: CanaryLoopOptions): Promise<RoundReport[]> {
  const clock: Clock = o.clock ?? REAL_CLOCK;
  const cap = maxInFlight(o.intervalMs, o.deadlineMs, o.checkStorage ? o.storageDeadlineMs : 0);
  const running = new Set<Promise<void>>();
  const perEnv = new Map<string, number>();
  const done: RoundReport[] = [];
  for (const e of envs) metrics.register(e.targets.env);

  const start = (e: CanaryEnvironment): void => {
    const env = e.targets.env;
    const n = perEnv.get(env) ?? 0;
    if (n >= cap) {
      metrics.roundSkipped(env);
      return;
    }
    perEnv.set(env, n + 1);
    metrics.roundStarted(env);
    const p: Promise<void> = runRound(e.targets, e.clients, o)
      .then(
        (r) => {
          metrics.record(r);
          if (o.once) done.push(r);
          // the caller's report of a finished round (stderr, a test's hook): its failure is not a crashed round
          try {
            o.onRound?.(r);
          } catch (err) {
            o.onError?.(env, err instanceof Error ? err : new Error(String(err)));
          }
        },
        (err: unknown) => {
          metrics.roundCrashed(env);
          o.onError?.(env, err instanceof Error ? err : new Error(String(err)));
        },
      )
      .finally(() => {
        perEnv.set(env, (perEnv.get(env) ?? 1) - 1);
        running.delete(p);
      });
    running.add(p);
  };

  let next = clock.now();
  while (!o.signal?.aborted) {
    for (const e of envs) start(e);
    if (o.once) break;
    next += o.intervalMs;
    // a late tick (a slow event loop) starts the next round at once, it does not pile up missed ones
    const wait = next - clock.now();
    if (wait < 0) next = clock.now();
    else await clock.sleep(wait, o.signal);
  }
  while (running.size > 0 && !o.signal?.aborted) await Promise.race([Promise.all([...running]), aborted(o.signal)]);
  return done;
}

function aborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!signal) return;
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
