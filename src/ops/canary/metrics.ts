// The canary's Prometheus metrics (prom-client, names from src/catalog/canary.ts) and how a round's report lands in
// them. Every (env, signal) series is created at zero when an environment is registered, so a first loss is an
// increase Prometheus can see (a counter born at 1 has no increase()).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

import { CANARY_ERROR_KINDS, CANARY_LABELS as L, CANARY_LATENCY_BUCKETS, CANARY_METRICS as M, CANARY_SIGNALS } from '../../catalog/canary.js';
import type { RoundReport } from './round.js';

export class CanaryMetrics {
  readonly registry = new Registry();
  private readonly latency: Histogram<string>;
  private readonly pushed: Counter<string>;
  private readonly found: Counter<string>;
  private readonly missing: Counter<string>;
  private readonly duplicated: Counter<string>;
  private readonly brokenLinks: Counter<string>;
  private readonly queryErrors: Counter<string>;
  private readonly pushErrors: Counter<string>;
  private readonly rounds: Counter<string>;
  private readonly lastSuccess: Gauge<string>;
  private readonly inFlight: Gauge<string>;

  constructor() {
    const registers = [this.registry];
    const perSignal = [L.env, L.signal];
    this.latency = new Histogram({ name: M.latency, help: 'seconds from the push of a canary item until it reached the stage (accepted by the ingestion endpoint, visible in its backend, linked to its trace, stored in object storage)', labelNames: [L.env, L.signal, L.stage], buckets: [...CANARY_LATENCY_BUCKETS], registers });
    this.pushed = new Counter({ name: M.pushed, help: 'canary items pushed through the ingestion endpoint', labelNames: perSignal, registers });
    this.found = new Counter({ name: M.found, help: 'canary items read back from their backend within the deadline', labelNames: perSignal, registers });
    this.missing = new Counter({ name: M.missing, help: 'canary items not visible within the deadline (lost, or later than the deadline)', labelNames: perSignal, registers });
    this.duplicated = new Counter({ name: M.duplicated, help: 'canary items the backend returned more than once', labelNames: perSignal, registers });
    this.brokenLinks = new Counter({ name: M.brokenLinks, help: 'found canary items whose link (exemplar / log trace id) did not lead to their trace', labelNames: perSignal, registers });
    this.queryErrors = new Counter({ name: M.queryErrors, help: 'failed reads of the backends, by kind (unreachable, timeout, http, bad-response, other)', labelNames: [L.env, L.signal, L.kind], registers });
    this.pushErrors = new Counter({ name: M.pushErrors, help: 'canary pushes the ingestion endpoint did not accept', labelNames: perSignal, registers });
    this.rounds = new Counter({ name: M.rounds, help: 'canary rounds, by result (ok, failed, skipped)', labelNames: [L.env, L.result], registers });
    this.lastSuccess = new Gauge({ name: M.lastSuccess, help: 'unix time of the end of the last round in which every check passed (0: none yet)', labelNames: [L.env], registers });
    this.inFlight = new Gauge({ name: M.inFlight, help: 'canary rounds started and not finished', labelNames: [L.env], registers });
  }

  /** Creates every series of an environment at zero. */
  register(env: string): void {
    for (const signal of CANARY_SIGNALS) {
      const l = { [L.env]: env, [L.signal]: signal };
      for (const c of [this.pushed, this.found, this.missing, this.duplicated, this.brokenLinks, this.pushErrors]) c.inc(l, 0);
      for (const kind of CANARY_ERROR_KINDS) this.queryErrors.inc({ ...l, [L.kind]: kind }, 0);
    }
    for (const result of ['ok', 'failed', 'skipped']) this.rounds.inc({ [L.env]: env, [L.result]: result }, 0);
    this.lastSuccess.set({ [L.env]: env }, 0);
    this.inFlight.set({ [L.env]: env }, 0);
  }

  roundStarted(env: string): void {
    this.inFlight.inc({ [L.env]: env });
  }

  roundSkipped(env: string): void {
    this.rounds.inc({ [L.env]: env, [L.result]: 'skipped' });
  }

  /** A round that threw (a bug or an unexpected error): counted as failed, nothing else known. */
  roundCrashed(env: string): void {
    this.inFlight.dec({ [L.env]: env });
    this.rounds.inc({ [L.env]: env, [L.result]: 'failed' });
  }

  record(r: RoundReport): void {
    const env = r.env;
    this.inFlight.dec({ [L.env]: env });
    for (const s of r.signals) {
      const l = { [L.env]: env, [L.signal]: s.signal };
      if (s.status === 'skipped') continue;
      this.pushed.inc(l);
      if (s.pushError !== undefined) this.pushErrors.inc(l);
      if (s.status === 'found') this.found.inc(l);
      else this.missing.inc(l);
      if (s.copies > 1) this.duplicated.inc(l);
      if (s.linkBroken) this.brokenLinks.inc(l);
      for (const [stage, ms] of Object.entries(s.stages)) this.latency.observe({ ...l, [L.stage]: stage }, ms / 1000);
    }
    for (const e of r.queryErrors) this.queryErrors.inc({ [L.env]: env, [L.signal]: e.signal, [L.kind]: e.kind }, e.count);
    this.rounds.inc({ [L.env]: env, [L.result]: r.ok ? 'ok' : 'failed' });
    if (r.ok) this.lastSuccess.set({ [L.env]: env }, r.endedAt / 1000);
  }

  /** The exposition text (what /metrics serves). */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
