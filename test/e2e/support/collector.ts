// One real OpenTelemetry Collector process running a config rendered by src/render/configs/otelcol.ts from a
// (loopback) topology: its own loopback ports and queue directory (CollectorPlacement), health from the rendered
// health_check extension, its own metrics from the rendered telemetry reader.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';

import { OTELCOL_FARO_RECEIVER } from '../../../src/catalog/otelcol.js';
import { collectorEnvironment, renderCollectorConfig, type CollectorConfig, type CollectorPlacement, type CollectorRole } from '../../../src/render/configs/otelcol.js';
import { toYaml } from '../../../src/render/fileset.js';
import type { RenderInput } from '../../../src/render/types.js';
import { LOOPBACK_HOST, freeLoopbackPorts } from '../../../src/topology/loopback.js';
import { otelcolBin, otelcolWith } from './peers.js';
import { ManagedProcess, waitUntil } from './proc.js';
import { queueState, scrape, totalOf, type QueueState, type Sample } from './telemetry.js';

export interface CollectorPorts {
  readonly otlpGrpc: number;
  readonly otlpHttp: number;
  readonly health: number;
  readonly metrics: number;
  /** the Faro receiver's, used only where the topology has one (a gateway with ingestion.faro) */
  readonly faro: number;
}

export interface CollectorSpec {
  /** process name in messages and file names, e.g. "gateway-0" */
  readonly name: string;
  readonly role: CollectorRole;
  readonly input: RenderInput;
  /** the test's temp dir; the collector gets <dir>/<name>/{config.yaml,queue/,collector.log} */
  readonly dir: string;
  /** a change to the rendered config object before it is written (only where a test says why) */
  readonly adjust?: (config: CollectorConfig) => CollectorConfig;
  /** the process environment instead of the rendered one (GOMEMLIMIT), for configs that are not rendered (bench fixtures) */
  readonly env?: Readonly<Record<string, string>>;
  /** health wait; default 60 s */
  readonly startTimeoutMs?: number;
  /** the tenants' Faro receiver ports (gateway with tenants), by tenant name; default a free loopback port each */
  readonly tenantPorts?: Readonly<Record<string, number>>;
}

/** The component types a config names (ids are `type` or `type/name`), each once, sorted. */
function componentTypes(config: CollectorConfig): string[] {
  const out = new Set<string>();
  for (const kind of ['receivers', 'processors', 'exporters', 'extensions', 'connectors']) {
    for (const id of Object.keys((config[kind] as Record<string, unknown> | undefined) ?? {})) out.add(id.split('/')[0]!);
  }
  return [...out].sort();
}

export class Collector {
  private constructor(
    readonly spec: CollectorSpec,
    readonly ports: CollectorPorts,
    readonly configFile: string,
    readonly storageDir: string,
    readonly config: CollectorConfig,
    private readonly proc: ManagedProcess,
    /** where the gateway's per-tenant Faro receivers listen, by tenant name */
    readonly tenantPorts: Readonly<Record<string, number>>,
  ) {}

  /** Renders the config for this process's placement, writes it, starts the collector, waits for health. */
  static async start(spec: CollectorSpec): Promise<Collector> {
    otelcolBin();
    const [otlpGrpc, otlpHttp, health, metrics, faro] = (await freeLoopbackPorts(5)) as [number, number, number, number, number];
    const ports: CollectorPorts = { otlpGrpc, otlpHttp, health, metrics, faro };
    const home = join(spec.dir, spec.name);
    const storageDir = join(home, 'queue');
    mkdirSync(storageDir, { recursive: true });
    // a gateway's tenants' receivers get free ports too, never the topology's fixed ones (tests share the machine)
    const tenants = spec.role === 'gateway' ? (spec.input.topology.tenants ?? []).map((t) => t.name) : [];
    const free = spec.tenantPorts ? [] : await freeLoopbackPorts(tenants.length);
    const tenantPorts = spec.tenantPorts ?? Object.fromEntries(tenants.map((t, i) => [t, free[i]!]));
    const placement: CollectorPlacement = { host: LOOPBACK_HOST, ports, storageDirectory: storageDir, ...(tenants.length > 0 || spec.tenantPorts ? { tenantPorts } : {}) };
    const findings: Parameters<typeof renderCollectorConfig>[2] = [];
    let config = renderCollectorConfig(spec.input, spec.role, findings, placement);
    if (findings.some((f) => f.severity === 'error')) throw new Error(`${spec.name}: render findings: ${JSON.stringify(findings)}`);
    if (spec.adjust) config = spec.adjust(config);
    // every component type the config names must be in the binary: a collector built from an older builder manifest
    // fails here, naming what it lacks, instead of after the health wait
    const bin = otelcolWith(componentTypes(config));
    const configFile = join(home, 'config.yaml');
    writeFileSync(configFile, toYaml(config));
    const proc = ManagedProcess.start(spec.name, bin, {
      args: [`--config=${configFile}`],
      logFile: join(home, 'collector.log'),
      env: spec.env ?? collectorEnvironment(spec.input, spec.role),
    });
    const c = new Collector(spec, ports, configFile, storageDir, config, proc, tenantPorts);
    await c.waitHealthy(spec.startTimeoutMs ?? 60_000);
    return c;
  }

  get name(): string {
    return this.spec.name;
  }
  get running(): boolean {
    return this.proc.running;
  }
  get pid(): number {
    return this.proc.pid;
  }
  /** OTLP/HTTP base URL of the rendered otlp receiver (gateway). */
  get otlpHttpEndpoint(): string {
    return `http://${LOOPBACK_HOST}:${this.ports.otlpHttp}`;
  }
  /** OTLP/gRPC endpoint of the rendered otlp receiver (gateway), plaintext. */
  get otlpGrpcEndpoint(): string {
    return `http://${LOOPBACK_HOST}:${this.ports.otlpGrpc}`;
  }
  /** URL of the rendered faro receiver (gateway with ingestion.faro): its path is the catalog's. */
  get faroUrl(): string {
    return `http://${LOOPBACK_HOST}:${this.ports.faro}${OTELCOL_FARO_RECEIVER.path}`;
  }
  /** URL of a tenant's own Faro receiver on this gateway (its CORS, its X-Scope-OrgID). */
  tenantFaroUrl(tenant: string): string {
    const port = this.tenantPorts[tenant];
    if (port === undefined) throw new Error(`${this.name} has no Faro receiver for tenant ${tenant} (tenants: ${Object.keys(this.tenantPorts).join(', ') || 'none'})`);
    return `http://${LOOPBACK_HOST}:${port}${OTELCOL_FARO_RECEIVER.path}`;
  }
  get metricsUrl(): string {
    return `http://${LOOPBACK_HOST}:${this.ports.metrics}/metrics`;
  }
  logTail(n = 40): string {
    return this.proc.logTail(n);
  }
  get logFile(): string {
    return this.proc.logFile;
  }

  async healthy(): Promise<boolean> {
    try {
      const res = await request(`http://${LOOPBACK_HOST}:${this.ports.health}/`, { headersTimeout: 2000, bodyTimeout: 2000 });
      await res.body.dump();
      return res.statusCode === 200;
    } catch {
      return false;
    }
  }

  async waitHealthy(timeoutMs = 60_000): Promise<void> {
    await waitUntil(`${this.name} (otelcol ${this.spec.role}) to report healthy`, timeoutMs, async () => {
      if (!this.proc.running) throw new Error(`${this.name} exited (${JSON.stringify(this.proc.exit)}):\n${this.proc.logTail()}`);
      return this.healthy();
    }, { details: () => `--- ${this.logFile} ---\n${this.proc.logTail()}` });
  }

  /** Graceful stop (SIGTERM; the collector drains its pipelines and closes its queues). */
  async stop(graceMs = 30_000): Promise<{ killed: boolean }> {
    return this.proc.stop({ signal: 'SIGTERM', graceMs });
  }

  /** A crash: SIGKILL, nothing flushed. */
  async kill9(): Promise<void> {
    await this.proc.kill9();
  }

  /** Starts the process again (same ports, same queue directory, whatever config file is there now) without waiting. */
  startAgain(): void {
    this.proc.restart();
  }

  /** Starts the same config again (same ports, same queue directory) and waits for health. */
  async restart(timeoutMs = 60_000): Promise<void> {
    this.proc.restart();
    await this.waitHealthy(timeoutMs);
  }

  async samples(): Promise<Sample[]> {
    return scrape(this.metricsUrl);
  }

  async queues(): Promise<QueueState> {
    return queueState(await this.samples());
  }

  /** Waits until every exporter queue of this collector is empty; returns the final state. */
  async waitQueuesDrained(timeoutMs: number): Promise<QueueState> {
    let last: QueueState | undefined;
    await waitUntil(`${this.name}: every exporter queue at 0`, timeoutMs, async () => {
      last = await this.queues();
      return Object.keys(last.queueSize).length > 0 && totalOf(last.queueSize) === 0;
    }, { intervalMs: 500, details: () => `queues: ${JSON.stringify(last)}` });
    return last!;
  }
}
