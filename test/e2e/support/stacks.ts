// The definitions e2e tests run: the checked-in examples, and variants of them made by editing the DEFINITION (the
// raw YAML value, then the same validation `otelstack` applies), never the rendered files. Each is placed on
// loopback through the topology (src/topology/loopback.ts).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

import { loadStack, resolveDefinition, validateDefinition } from '../../../src/model/load.js';
import type { Stack } from '../../../src/model/schema.js';
import type { RenderInput } from '../../../src/render/types.js';
import { expand } from '../../../src/topology/expand.js';
import { allocateLoopbackPorts, toLoopback, type LoopbackOptions } from '../../../src/topology/loopback.js';
import type { Topology } from '../../../src/topology/types.js';
import type { OtlpSink } from '../../support/otlp-sink.js';
import { ROOT } from '../../support/paths.js';

export const EXAMPLES_DIR = join(ROOT, 'examples');

/** Every example directory holding a definition (stack.ts / stack.yaml), sorted. */
export function exampleNames(): string[] {
  return readdirSync(EXAMPLES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && ['stack.ts', 'stack.yaml', 'stack.yml'].some((f) => existsSync(join(EXAMPLES_DIR, d.name, f))))
    .map((d) => d.name)
    .sort();
}

export async function loadExample(name: string): Promise<Stack> {
  return (await loadStack(join(EXAMPLES_DIR, name))).stack;
}

/** A YAML example with its definition edited by `edit` (on the raw value), validated like any definition. */
export function exampleVariant(name: string, edit: (raw: Record<string, any>) => void): Stack {
  const file = resolveDefinition(join(EXAMPLES_DIR, name));
  if (!/\.ya?ml$/.test(file)) throw new Error(`exampleVariant: ${file} is not YAML`);
  const raw = parse(readFileSync(file, 'utf8')) as Record<string, any>;
  edit(raw);
  return validateDefinition(`${file} (e2e variant)`, raw);
}

export interface LoopbackInputOptions {
  /** The test sink stands in for Tempo (gRPC), the metrics backend and Loki (HTTP). */
  readonly sink?: OtlpSink;
  /** The signals the sink stands in for; default all three. */
  readonly sinkSignals?: readonly ('traces' | 'metrics' | 'logs')[];
  /** Per-signal stand-ins beyond the sink's. */
  readonly standIns?: LoopbackOptions['standIns'];
  /** The local Kafka cluster's client ports. */
  readonly kafkaPorts?: readonly number[];
  /** Fixed ports for some authorities (the rest are allocated). */
  readonly ports?: Readonly<Record<string, number>>;
}

/** Stand-ins for the push endpoints the sink takes: Tempo's OTLP/gRPC, the metrics backend's and Loki's OTLP/HTTP. */
export function sinkStandIns(sink: OtlpSink, signals: readonly ('traces' | 'metrics' | 'logs')[] = ['traces', 'metrics', 'logs']): NonNullable<LoopbackOptions['standIns']> {
  const all = { traces: { push: sink.grpcEndpoint }, metrics: { push: sink.httpEndpoint }, logs: { push: sink.httpEndpoint } };
  return Object.fromEntries(signals.map((s) => [s, all[s]]));
}

/** expand(stack, env) placed on loopback: every authority gets a free port unless given; the sink stands in for backends. */
export async function loopbackTopology(stack: Stack, env: string, opts: LoopbackInputOptions = {}): Promise<Topology> {
  const t = expand(stack, env);
  const ports = { ...(await allocateLoopbackPorts(t)), ...(opts.ports ?? {}) };
  return toLoopback(t, {
    ports,
    standIns: { ...(opts.sink ? sinkStandIns(opts.sink, opts.sinkSignals) : {}), ...(opts.standIns ?? {}) },
    ...(opts.kafkaPorts ? { kafkaPorts: opts.kafkaPorts } : {}),
  });
}

export async function loopbackInput(stack: Stack, env: string, opts: LoopbackInputOptions = {}): Promise<RenderInput> {
  return { stack, topology: await loopbackTopology(stack, env, opts) };
}
