// Seed 002's sample gateway configuration (bench/fixtures/seed-002-gateway.yaml, the seed's text) made runnable next
// to the rendered gateway: same loopback placement, exporters pointed at the same sink. Every change is listed in
// `changes` so the bench prints it; the seed's memory_limiter and batch settings are kept as written.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

import type { CollectorConfig } from '../../src/render/configs/otelcol.js';
import { toYaml } from '../../src/render/fileset.js';
import { ROOT } from '../../test/support/paths.js';

export const SEED_GATEWAY_FIXTURE = join(ROOT, 'bench', 'fixtures', 'seed-002-gateway.yaml');

type Obj = Record<string, any>;

export interface SeedGateway {
  readonly config: CollectorConfig;
  /** what was changed against the seed's text, one line each */
  readonly changes: readonly string[];
  /** the real collector's verdict on the seed's text with only placement and sink changes (before check_interval) */
  readonly asWrittenVerdict: string;
}

/** The signal each of the seed's exporters carries, by the pipeline that names it. */
function signalOfExporter(seed: Obj, name: string): string | undefined {
  for (const [pipeline, p] of Object.entries((seed['service']?.['pipelines'] ?? {}) as Obj)) {
    if ((p['exporters'] as string[] | undefined)?.includes(name)) return pipeline.split('/')[0];
  }
  return undefined;
}

/**
 * The seed's config with the rendered gateway's receiver endpoints, the sink as the backend of each pipeline, and the
 * rendered health_check and metrics reader. `validate(config)` runs `otelcol validate` and returns its refusal, or ''.
 */
export function seedGatewayConfig(rendered: CollectorConfig, validate: (c: CollectorConfig) => string): SeedGateway {
  const seed = parse(readFileSync(SEED_GATEWAY_FIXTURE, 'utf8')) as Obj;
  const r = rendered as Obj;
  const changes: string[] = [];
  const c: Obj = structuredClone(seed);
  // placement: the rendered gateway's loopback ports
  c['receivers']['otlp'] = structuredClone(r['receivers']['otlp']);
  changes.push('receivers.otlp endpoints: 0.0.0.0:4317/4318 → the loopback ports the bench allocated');
  // exporters: the rendered gateway's exporter per signal, stripped to where it sends (defaults otherwise)
  const renderedBySignal: Record<string, [string, Obj]> = {};
  for (const [pipeline, p] of Object.entries(r['service']['pipelines'] as Obj)) {
    const name = (p['exporters'] as string[])[0]!;
    renderedBySignal[pipeline.split('/')[0]!] = [name, r['exporters'][name] as Obj];
  }
  const exporters: Obj = {};
  for (const name of Object.keys(seed['exporters'] as Obj)) {
    const signal = signalOfExporter(seed, name);
    const rd = signal ? renderedBySignal[signal] : undefined;
    if (!signal || !rd) throw new Error(`seed gateway: exporter ${name} is in no traces/metrics/logs pipeline`);
    const [type] = rd[0].split('/');
    const sinkName = `${type}/sink-${signal}`;
    exporters[sinkName] = { endpoint: rd[1]['endpoint'], ...(rd[1]['tls'] ? { tls: rd[1]['tls'] } : {}) };
    for (const p of Object.values(c['service']['pipelines'] as Obj)) {
      p['exporters'] = (p['exporters'] as string[]).map((e) => (e === name ? sinkName : e));
    }
    changes.push(`exporters.${name} (Kafka) → ${sinkName}: ${rd[1]['endpoint']} (the rendered gateway's sink), default queue and retry`);
  }
  c['exporters'] = exporters;
  // measurement: health and the collector's own metrics, as the rendered gateway has them
  c['extensions'] = { health_check: structuredClone(r['extensions']['health_check']) };
  c['service']['extensions'] = ['health_check'];
  c['service']['telemetry'] = structuredClone(r['service']['telemetry']);
  changes.push('extensions.health_check and service.telemetry (metrics reader): added so the bench sees it start and reads its queues');
  const asWrittenVerdict = validate(c as CollectorConfig);
  const ml = c['processors']?.['memory_limiter'] as Obj | undefined;
  if (ml && ml['check_interval'] === undefined && asWrittenVerdict) {
    ml['check_interval'] = '1s';
    changes.push(`processors.memory_limiter.check_interval: 1s added — the real collector refuses the seed's text: ${asWrittenVerdict}`);
  }
  return { config: c as CollectorConfig, changes, asWrittenVerdict };
}

/** `otelcol validate` of a config: '' when valid, else the collector's error line(s). */
export function validateWith(bin: string): (c: CollectorConfig) => string {
  return (c) => {
    const dir = mkdtempSync(join(tmpdir(), 'otelstack-bench-validate-'));
    try {
      const f = join(dir, 'config.yaml');
      writeFileSync(f, toYaml(c));
      const p = spawnSync(bin, ['validate', `--config=${f}`], { encoding: 'utf8', timeout: 60_000 });
      if (p.status === 0) return '';
      const text = `${p.stderr}\n${p.stdout}`.trim();
      const line = text.split('\n').find((l) => /error|invalid|must/i.test(l)) ?? text.split('\n').pop() ?? `exit ${p.status}`;
      return line.trim().slice(0, 400);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
