// Polling with exponential backoff until a check sees what it waits for, an error says waiting is pointless, or
// the deadline passes. Written here (not p-retry & co.): "not yet" is a normal answer, not an exception, and the
// loop must report the last error and when the answer arrived.
import { setTimeout as sleepTimer } from 'node:timers/promises';

import { BackendError } from '../backends/http.js';

export interface Clock {
  /** ms since the epoch */
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const REAL_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    await sleepTimer(ms, undefined, signal ? { signal } : undefined).catch(() => undefined);
  },
};

export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
}
export const DEFAULT_BACKOFF: Backoff = { initialMs: 100, maxMs: 2000, factor: 1.6 };

export interface PollOutcome<T> {
  readonly value?: T;
  /** ms since the epoch when the value was seen */
  readonly at?: number;
  readonly attempts: number;
  /** The last error thrown by an attempt (when no value was seen). */
  readonly lastError?: Error;
  /** The attempt's error made further polling pointless (e.g. HTTP 400/401/403). */
  readonly fatal?: boolean;
}

/** Errors after which polling again cannot help: client errors other than 404 (not there yet) and 429 (slow down). */
export function isFatal(e: unknown): boolean {
  return e instanceof BackendError && e.kind === 'http' && e.status !== undefined && e.status >= 400 && e.status < 500 && e.status !== 404 && e.status !== 429;
}

/** Calls `attempt` until it returns a value (not undefined), throws a fatal error, or `deadline` (epoch ms) passes. */
export async function pollUntil<T>(attempt: () => Promise<T | undefined>, deadline: number, clock: Clock = REAL_CLOCK, backoff: Backoff = DEFAULT_BACKOFF): Promise<PollOutcome<T>> {
  let delay = backoff.initialMs;
  let lastError: Error | undefined;
  for (let n = 1; ; n++) {
    try {
      const v = await attempt();
      if (v !== undefined) return { value: v, at: clock.now(), attempts: n };
    } catch (e) {
      lastError = e instanceof Error ? e : new Error(String(e));
      if (isFatal(e)) return { attempts: n, lastError, fatal: true };
    }
    const left = deadline - clock.now();
    if (left <= 0) return { attempts: n, ...(lastError ? { lastError } : {}) };
    await clock.sleep(Math.min(delay, left));
    delay = Math.min(backoff.maxMs, delay * backoff.factor);
  }
}
