// Temp dirs for e2e tests: one per suite, removed in after() unless OTELSTACK_E2E_KEEP is set (to read the logs).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function makeTempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `otelstack-e2e-${name}-`));
}

export function removeTempDir(dir: string | undefined): void {
  if (!dir) return;
  if (process.env['OTELSTACK_E2E_KEEP']) {
    console.log(`# e2e: kept ${dir} (OTELSTACK_E2E_KEEP)`);
    return;
  }
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

/**
 * A suite's setup whose failure (a missing engine, an engine that did not start) fails every test of the suite with
 * its message — node:test would otherwise report the tests behind a failed before() as "cancelled", not failed.
 */
export class Setup<T> {
  private value: T | undefined;
  private error: unknown;
  private done = false;

  constructor(private readonly fn: () => Promise<T>) {}

  /** Pass to before(): runs the setup once, keeping its error. */
  readonly run = async (): Promise<void> => {
    try {
      this.value = await this.fn();
    } catch (e) {
      this.error = e;
    } finally {
      this.done = true;
    }
  };

  /** The setup's result; throws the setup's error (so the calling test fails with it). */
  get(): T {
    if (!this.done) throw new Error('e2e setup has not run');
    if (this.error !== undefined) throw this.error;
    return this.value as T;
  }
}
