import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { MigrationInputError } from './plan.js';
import type { StepProgress } from './types.js';

/**
 * Where a half-done migration stands, written only by `otelstack migrate check`:
 *   { version: 1, stack, env, runbook, passed: [{ step, passedAt (ISO 8601), forced }] } (sorted by step)
 */
export interface MigrationState {
  version: 1;
  stack: string;
  env: string;
  runbook: string;
  passed: StepProgress[];
}

/** The default state file: .otelstack-migrate-<stack>-<env>.json in the current directory. */
export function defaultStateFile(stack: string, env: string, cwd: string = process.cwd()): string {
  return join(cwd, `.otelstack-migrate-${stack}-${env}.json`);
}

/** Reads a state file (undefined when absent); a file of another stack, environment or runbook is bad input. */
export function readState(file: string, expect: { stack: string; env: string; runbook: string }): MigrationState | undefined {
  if (!existsSync(file)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new MigrationInputError(`${file} is not a migration state file: ${(e as Error).message}`, 'remove it or pass another --state file');
  }
  const s = raw as Partial<MigrationState>;
  if (s.version !== 1 || !Array.isArray(s.passed) || typeof s.runbook !== 'string') throw new MigrationInputError(`${file} is not a migration state file (version 1 with runbook and passed)`, 'remove it or pass another --state file');
  for (const [k, v] of [['stack', expect.stack], ['env', expect.env], ['runbook', expect.runbook]] as const) {
    if (s[k] !== v) throw new MigrationInputError(`${file} records ${k} "${String(s[k])}", not "${v}"`, 'pass the state file of this migration with --state');
  }
  return s as MigrationState;
}

/** Records step `step` as passed (atomically: a temp file renamed over the state file). */
export function recordPass(file: string, base: { stack: string; env: string; runbook: string }, prior: MigrationState | undefined, step: number, forced: boolean, now: Date = new Date()): MigrationState {
  const passed = (prior?.passed ?? []).filter((p) => p.step !== step).concat([{ step, passedAt: now.toISOString(), forced }]).sort((a, b) => a.step - b.step);
  const state: MigrationState = { version: 1, ...base, passed };
  const tmp = join(dirname(resolve(file)), `.${basename(file)}.${process.pid}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
  return state;
}

/** The first step not passed yet (null when every step has). */
export function nextStep(state: MigrationState | undefined, steps: number): number | null {
  for (let n = 1; n <= steps; n++) if (!state?.passed.some((p) => p.step === n)) return n;
  return null;
}
