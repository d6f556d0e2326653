/**
 * The calibration file: what `npm run bench:pipeline` measured on the real collector and Kafka of one machine —
 * events/s per collector core for each rendered role and signal — and the sizing basis the plan makes of it (or of
 * seed 002's figures when there is no file). Reading validates with zod and fails like a bad definition: the file,
 * the path inside it, what was expected, a suggestion (exit 2).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';

import { CALIBRATION_FILE_NAME, CALIBRATION_KIND, SEED_EVENTS_PER_CORE, SEED_002_SINGLE_NODE } from '../catalog/capacity.js';
import { DefinitionError, formatPath } from '../model/errors.js';

export const SIZED_SIGNALS = ['traces', 'metrics', 'logs'] as const;
export type SizedSignal = (typeof SIZED_SIGNALS)[number];

/**
 * Rendered collector roles as measured: `gateway` exports straight to the backends (single-node), `gateway-kafka`
 * is the scalable gateway producing to Kafka, `processor` consumes Kafka and exports to the backends.
 */
export const CALIBRATION_ROLES = ['gateway', 'gateway-kafka', 'processor'] as const;
export type CalibrationRole = (typeof CALIBRATION_ROLES)[number];

const positive = z.number().positive().finite();

const SignalFigure = z.strictObject({
  eventsPerSecondPerCore: positive.describe('events the role handled per CPU-second of its collector process'),
  sustainedPerSecond: positive.describe('the highest offered rate held with zero loss and bounded queues'),
  cpuCores: z.number().nonnegative().describe("the collector's CPU (cores) at that rate"),
});

const RoleFigures = z.strictObject({
  config: z.string().describe('what ran: the rendered config of which example, or a fixture'),
  signals: z.strictObject({ traces: SignalFigure.optional(), metrics: SignalFigure.optional(), logs: SignalFigure.optional() }),
});

export const CalibrationSchema = z.looseObject({
  kind: z.literal(CALIBRATION_KIND),
  version: z.literal(1),
  date: z.string(),
  machine: z.looseObject({ cpus: z.number().int().positive(), model: z.string(), loadAverage: z.array(z.number()).optional() }),
  collector: z.looseObject({ engine: z.literal('otelcol'), version: z.string() }),
  roles: z.strictObject({ gateway: RoleFigures.optional(), 'gateway-kafka': RoleFigures.optional(), processor: RoleFigures.optional() }),
});
export type Calibration = z.output<typeof CalibrationSchema>;

/** Parses and validates calibration JSON text; throws DefinitionError naming `file`. */
export function parseCalibration(file: string, text: string): Calibration {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new DefinitionError([{ file, path: '', message: `not JSON: ${(e as Error).message}`, expected: `a calibration file written by npm run bench:pipeline (kind "${CALIBRATION_KIND}")`, suggestion: 'run npm run bench:pipeline -- --out FILE again, or pass the right file to --calibration' }]);
  }
  const r = CalibrationSchema.safeParse(raw);
  if (r.success) return r.data;
  throw new DefinitionError(
    r.error.issues.map((i) => ({
      file,
      path: formatPath(i.path),
      message: i.message,
      expected: i.path[0] === 'kind' ? `kind "${CALIBRATION_KIND}"` : 'the shape npm run bench:pipeline writes (README: "The calibration file")',
      suggestion: i.path[0] === 'kind' ? 'this JSON file is not a calibration file; pass the one bench:pipeline wrote' : 'write it again with npm run bench:pipeline -- --out FILE rather than by hand',
    })),
  );
}

export function readCalibration(file: string): Calibration {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new DefinitionError([{ file, path: '', message: `cannot read the calibration file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, expected: 'a readable calibration file', suggestion: 'check the --calibration path, or run npm run bench:pipeline -- --out FILE' }]);
  }
  return parseCalibration(file, text);
}

/** The calibration file next to a definition file (calibration.json in its directory), if there is one. */
export function calibrationNextTo(definitionFile: string): string | undefined {
  const p = join(dirname(definitionFile), CALIBRATION_FILE_NAME);
  return existsSync(p) ? p : undefined;
}

/** One per-core figure and where it comes from. */
export interface PerCoreFigure {
  readonly eventsPerSecondPerCore: number;
  readonly source: 'calibration' | 'seed';
}

/** What the sizing divides by: per-core throughput per role and signal, and a description of its source. */
export interface SizingBasis {
  readonly source: 'calibration' | 'seed';
  /** one line for the plan output: which file (machine, collector version, date) or which seed table */
  readonly description: string;
  readonly file?: string;
  /** collector engine the figures were measured on (calibration: otelcol) */
  readonly collector?: string;
  perCore(role: CalibrationRole, signal: SizedSignal): PerCoreFigure;
}

export const SEED_BASIS_DESCRIPTION = `seed 002 tables (Single-Node Capacity Limits: ~${SEED_002_SINGLE_NODE.spansPerSecond / 1000}K spans/s on ${SEED_002_SINGLE_NODE.cores} cores = ${SEED_EVENTS_PER_CORE} events/s per core; Kafka Cluster Sizing and Capacity Planning for brokers)`;

export function seedBasis(reason?: string): SizingBasis {
  return {
    source: 'seed',
    description: reason ? `${SEED_BASIS_DESCRIPTION} — ${reason}` : SEED_BASIS_DESCRIPTION,
    perCore: () => ({ eventsPerSecondPerCore: SEED_EVENTS_PER_CORE, source: 'seed' }),
  };
}

/** The basis of a calibration file; a role or signal it did not measure falls back to the seed figure. */
export function calibrationBasis(file: string, c: Calibration): SizingBasis {
  return {
    source: 'calibration',
    file,
    collector: c.collector.engine,
    description: `calibration file ${file} (measured ${c.date.slice(0, 10)} on ${c.machine.cpus} × ${c.machine.model}, otelcol ${c.collector.version})`,
    perCore(role, signal) {
      const f = c.roles[role]?.signals[signal];
      return f ? { eventsPerSecondPerCore: f.eventsPerSecondPerCore, source: 'calibration' } : { eventsPerSecondPerCore: SEED_EVENTS_PER_CORE, source: 'seed' };
    },
  };
}

/**
 * The sizing basis a command uses for a definition: the calibration file it is given, else calibration.json next
 * to the definition, else seed 002's tables. One lookup, so plan and report size pools alike.
 */
export function sizingBasisFor(definitionFile: string, given?: string): SizingBasis {
  const file = given ?? calibrationNextTo(definitionFile);
  return file ? calibrationBasis(file, readCalibration(file)) : seedBasis('no calibration file (npm run bench:pipeline writes one; pass it with --calibration or put calibration.json next to the definition)');
}
