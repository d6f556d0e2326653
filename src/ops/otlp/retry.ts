// Retry policy shared by the HTTP and gRPC senders: exponential backoff with jitter, bounded by a number
// of attempts and by total elapsed time, honouring a server-given delay (HTTP Retry-After).
//
// Written here rather than with a retry library (p-retry, async-retry): the loop is a dozen lines, and
// what it must do is OTLP-specific — per-attempt results that are not exceptions, a server-suggested
// delay that overrides the backoff, and a give-up rule based on the *next* delay exceeding the time
// budget — which those libraries would need wrapping for anyway.
import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryPolicy {
  /** Total attempts including the first; 1 disables retries. Default 5. */
  readonly maxAttempts: number;
  /** First backoff delay. Default 1000 ms (the OTLP exporters' default). */
  readonly initialBackoffMs: number;
  /** Cap of the exponential backoff (a server's Retry-After may exceed it). Default 5000 ms. */
  readonly maxBackoffMs: number;
  /** Backoff growth factor. Default 1.5. */
  readonly multiplier: number;
  /** Random jitter as a fraction of the delay, 0–1: delay × (1 ± jitter). Default 0.2. */
  readonly jitter: number;
  /** Give up when the next attempt would start later than this after the first one. Default 60 000 ms. */
  readonly maxElapsedMs: number;
  /** Retry when no response arrived at all (connection refused/reset, timeout). Default true. */
  readonly retryOnNetworkError: boolean;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 5,
  initialBackoffMs: 1000,
  maxBackoffMs: 5000,
  multiplier: 1.5,
  jitter: 0.2,
  maxElapsedMs: 60_000,
  retryOnNetworkError: true,
});

/** A policy that makes exactly one attempt. */
export const NO_RETRY: RetryPolicy = Object.freeze({ ...DEFAULT_RETRY_POLICY, maxAttempts: 1 });

export function resolveRetryPolicy(p: Partial<RetryPolicy> | false | undefined): RetryPolicy {
  if (p === false) return NO_RETRY;
  const r = { ...DEFAULT_RETRY_POLICY, ...(p ?? {}) };
  if (!Number.isInteger(r.maxAttempts) || r.maxAttempts < 1) throw new RangeError(`retry.maxAttempts must be an integer >= 1, got ${r.maxAttempts}`);
  for (const k of ['initialBackoffMs', 'maxBackoffMs', 'maxElapsedMs'] as const) {
    if (!(r[k] >= 0)) throw new RangeError(`retry.${k} must be >= 0, got ${r[k]}`);
  }
  if (!(r.multiplier >= 1)) throw new RangeError(`retry.multiplier must be >= 1, got ${r.multiplier}`);
  if (!(r.jitter >= 0 && r.jitter <= 1)) throw new RangeError(`retry.jitter must be within 0..1, got ${r.jitter}`);
  return r;
}

/** Backoff before attempt `attempt + 1`, where `attempt` (1-based) is the attempt that just failed. */
export function backoffDelayMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * policy.multiplier ** (attempt - 1));
  const jitter = policy.jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(base * (1 + jitter)));
}

/**
 * Parses an HTTP Retry-After value (delta-seconds or an HTTP-date) into milliseconds from `now`.
 * Returns undefined when absent or unparseable; a date in the past gives 0.
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined) return undefined;
  const s = v.trim();
  if (s === '') return undefined;
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const at = Date.parse(s);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** What one attempt produced, as the retry loop sees it. */
export interface AttemptOutcome<R> {
  readonly result: R;
  /** Whether a further attempt may help. */
  readonly retryable: boolean;
  /** Delay the server asked for (Retry-After), if any. */
  readonly retryAfterMs?: number;
  /** The attempt was cut short by the caller's AbortSignal. */
  readonly aborted?: boolean;
}

export interface RetryRun<R> {
  readonly result: R;
  readonly attempts: number;
  /** Why the loop stopped without success, when it did: attempts exhausted or time budget exceeded. */
  readonly gaveUp?: 'max-attempts' | 'max-elapsed' | 'aborted';
}

/**
 * Runs `attempt` until it succeeds (retryable false), attempts run out, or the next attempt would start
 * after maxElapsedMs. The wait before a retry is max(backoff, Retry-After).
 */
export async function runWithRetry<R>(
  policy: RetryPolicy,
  attempt: (n: number) => Promise<AttemptOutcome<R>>,
  signal?: AbortSignal,
): Promise<RetryRun<R>> {
  const started = performance.now();
  for (let n = 1; ; n++) {
    const outcome = await attempt(n);
    if (outcome.aborted) return { result: outcome.result, attempts: n, gaveUp: 'aborted' };
    if (!outcome.retryable) return { result: outcome.result, attempts: n };
    if (n >= policy.maxAttempts) return { result: outcome.result, attempts: n, gaveUp: 'max-attempts' };
    const delay = Math.max(backoffDelayMs(policy, n), outcome.retryAfterMs ?? 0);
    if (performance.now() - started + delay > policy.maxElapsedMs) return { result: outcome.result, attempts: n, gaveUp: 'max-elapsed' };
    if (signal?.aborted) return { result: outcome.result, attempts: n, gaveUp: 'aborted' };
    try {
      await sleep(delay, undefined, signal ? { signal } : undefined);
    } catch {
      return { result: outcome.result, attempts: n, gaveUp: 'aborted' };
    }
  }
}
