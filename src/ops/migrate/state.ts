import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { MigrationInputError } from './plan.js';
import type { StepProgress } from './types.js';

/**
 * Where a half-done migration stands, written only by `otelstack migrate check`:
 *   { version: 1, stack, env, runbook, passed: [{ step, passedAt (ISO 8601), forced }] (sorted by step),
 *     waits?: [{ step, startedAt }] (when the first check of a step with a timed wait ran) }
 */
export interface MigrationState {
  version: 1;
  stack: string;
  env: string;
  runbook: string;
  passed: StepProgress[];
  /** when the first `check` of a step with a timed wait ran: its wait counts from there */
  waits?: Array<{ step: number; startedAt: string }>;
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

function writeState(file: string, state: MigrationState): MigrationState {
  const tmp = join(dirname(resolve(file)), `.${basename(file)}.${process.pid}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
  return state;
}

/** Records step `step` as passed (atomically: a temp file renamed over the state file). */
export function recordPass(file: string, base: { stack: string; env: string; runbook: string }, prior: MigrationState | undefined, step: number, forced: boolean, now: Date = new Date()): MigrationState {
  const passed = (prior?.passed ?? []).filter((p) => p.step !== step).concat([{ step, passedAt: now.toISOString(), forced }]).sort((a, b) => a.step - b.step);
  return writeState(file, { version: 1, ...base, passed, ...(prior?.waits?.length ? { waits: prior.waits } : {}) });
}

/** When the timed waits of `step` started (undefined: not yet). */
export function waitStart(state: MigrationState | undefined, step: number): Date | undefined {
  const w = state?.waits?.find((x) => x.step === step);
  return w ? new Date(w.startedAt) : undefined;
}

/** Starts the clock of `step`'s timed waits (the first `check` of the step, after it was applied). */
export function recordWaitStart(file: string, base: { stack: string; env: string; runbook: string }, prior: MigrationState | undefined, step: number, now: Date = new Date()): MigrationState {
  const waits = (prior?.waits ?? []).filter((w) => w.step !== step).concat([{ step, startedAt: now.toISOString() }]).sort((a, b) => a.step - b.step);
  return writeState(file, { version: 1, ...base, passed: prior?.passed ?? [], waits });
}

/** The first step not passed yet (null when every step has). */
export function nextStep(state: MigrationState | undefined, steps: number): number | null {
  for (let n = 1; n <= steps; n++) if (!state?.passed.some((p) => p.step === n)) return n;
  return null;
}
