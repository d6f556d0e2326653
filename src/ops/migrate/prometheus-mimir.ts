/**
 * "Prometheus → Mimir" (issue 10, seed 000's "to deprecate" per-namespace Prometheus datasources): remote write
 * first, then the full migration, on compose:
 *  1. Mimir starts beside the running Prometheus;
 *  2. Prometheus remote-writes everything it scrapes and receives to Mimir (the step's prometheus.yml) — its own
 *     TSDB keeps everything as before; the gates compare what both hold (series and metric names, on both query
 *     APIs) and Prometheus's remote-write failures and lag;
 *  3. the collectors' metrics exporter moves to Mimir (the rolling deploy, gateways then processors);
 *  4. Grafana's datasources and the rules move to Mimir;
 *  5. after Prometheus's retention (its history from before step 2 lives only there), Prometheus and its datasource
 *     are retired.
 * Prometheus's key names and metric names are facts of the catalog (PROMETHEUS_MIGRATION).
 */
import { PROMETHEUS_MIGRATION as P } from '../../catalog/migrations.js';
import { prometheusConfig } from '../../render/configs/engines.js';
import { toYaml } from '../../render/fileset.js';
import type { Topology } from '../../topology/types.js';
import { promql } from './gates.js';
import { Steps, type Difference, type GateCondition, type Runbook } from './types.js';
import { DSKIT_TENANT_HEADER } from '../../catalog/dskit.js';

export const PROMETHEUS_MIMIR_RUNBOOK = 'prometheus-to-mimir';

/** Why the runbook does not apply (undefined: it does). */
export function prometheusMimirRefusal(from: Topology, to: Topology): string | undefined {
  const a = from.engines.find((e) => e.signal === 'metrics');
  const b = to.engines.find((e) => e.signal === 'metrics');
  if (a?.engine !== 'prometheus' || b?.engine !== 'mimir') return 'not a change of the metrics engine from Prometheus to Mimir';
  if (from.env.target !== 'compose') return `the Prometheus → Mimir runbook covers compose environments (otelstack deploys Prometheus on compose and VMs only); ${from.env.name} is a ${from.env.target} environment`;
  if (!a.managed || !b.managed) return 'the Prometheus → Mimir runbook needs both engines deployed by otelstack (managed)';
  return undefined;
}

/** The differences the runbook makes: the metrics engine, its components and buckets. */
export function prometheusMimirCovers(d: Difference): boolean {
  return d.subject === 'metrics' || d.subject.startsWith('mimir/') || d.subject.startsWith('prometheus/') || (d.what === 'bucket' && /metrics/.test(d.subject));
}

/** The running Prometheus's config with remote write to Mimir's push endpoint (and the tenant header Mimir takes). */
export function remoteWriteConfig(to: Topology): Record<string, unknown> {
  const m = to.engines.find((e) => e.engine === 'mimir')!;
  return {
    ...prometheusConfig(),
    [P.keys.remoteWrite]: [{ [P.keys.url]: m.endpoints.push, ...(m.tenant ? { [P.keys.headers]: { [DSKIT_TENANT_HEADER]: m.tenant } } : {}) }],
  };
}

const compare = (description: string, query: string, tolerancePercent: number): GateCondition => ({ kind: 'compare', description, query, tolerancePercent });

export function prometheusToMimir(from: Topology, to: Topology): Runbook {
  const env = to.env.name;
  const fromDir = `out/compose/${env}`;
  const toDir = `next/compose/${env}`;
  const compose = (dir: string) => `docker compose -f ${dir}/docker-compose.yaml`;
  const mimir = to.components.filter((c) => c.engine === 'mimir' && c.budgeted);
  const prom = from.components.find((c) => c.engine === 'prometheus');
  const s = new Steps({ prometheus: prom?.replicas ?? 1, ...Object.fromEntries(mimir.map((c) => [c.component, 0])) });

  const mimirUp = Object.fromEntries(mimir.map((c) => [c.component, c.replicas]));
  const gateways = to.ingestion?.kafkaBuffer ? 'gateways,processors' : 'gateways';

  s.add(
    {
      id: 'mimir-up',
      title: 'Start Mimir beside the running Prometheus',
      source: 'issue 10 "Prometheus → Mimir (remote write first, then full migration)"; derived order',
      change: { summary: `Mimir (${mimir.map((c) => `${c.component} ×${c.replicas}`).join(', ')}) and its buckets; nothing sends to it yet`, actions: [`render the target definition to ${toDir}, then \`${compose(toDir)} up -d --no-deps mimir buckets-init\``] },
      gate: [{ kind: 'manual', description: `Mimir answers GET /ready with 200 (${compose(toDir)} ps mimir: healthy)` }],
      onFailure: 'fix Mimir (its log, the buckets) before anything writes to it; Prometheus is untouched',
      rollback: `${compose(toDir)} rm -sf mimir (nothing was written to it)`,
    },
    mimirUp,
  );

  s.add(
    {
      id: 'remote-write',
      title: 'Prometheus remote-writes to Mimir (dual: its own TSDB keeps everything)',
      source: 'issue 10: "Prometheus remote-writes to Mimir; gates compare series counts and a sample of queries on both"',
      change: {
        summary: `the step's prometheus.yml adds ${P.keys.remoteWrite} to Mimir's push endpoint; Prometheus keeps scraping, receiving and storing as before`,
        files: { 'prometheus.yml': `# Prometheus with remote write to Mimir — migrate step 2, rendered by otelstack.\n${toYaml(remoteWriteConfig(to))}` },
        actions: [`copy the step's prometheus.yml over ${fromDir}/prometheus.yml, then \`${compose(fromDir)} restart prometheus\` (or POST /-/reload where --web.enable-lifecycle is set)`],
      },
      gate: [
        promql('Prometheus sends without failures', `sum(rate(${P.metrics.samplesFailed}[5m])) > 0`, 'zero'),
        promql('Prometheus is at most 60 s behind in what it sends', `max(${P.metrics.highestTimestamp}) - max(${P.metrics.highestSentTimestamp}) > 60`, 'zero'),
        compare('Mimir holds the series Prometheus holds (last 5 min, within 2 %)', 'count({__name__=~".+"})', 2),
        compare('Mimir holds the metric names Prometheus holds', 'count(count by (__name__) ({__name__=~".+"}))', 0),
      ],
      onFailure: `read Prometheus's remote-write log lines and ${P.metrics.samplesFailed}; Mimir's distributor limits (ingestion rate, series) are the usual cause`,
      rollback: `put the running prometheus.yml back (${fromDir}/prometheus.yml) and restart Prometheus`,
    },
    {},
  );

  s.add(
    {
      id: 'collectors',
      title: "Move the collectors' metrics exporter to Mimir",
      source: 'derived: the rolling deploy of issue 16',
      change: {
        summary: "the collectors' metrics go to Mimir's OTLP endpoint instead of Prometheus (traces and logs unchanged)",
        actions: [`otelstack deploy <to> --env ${env} --only ${gateways} --dir ${toDir} --previous ${fromDir}`],
      },
      gate: [compare('Mimir still holds at least the series Prometheus holds (Prometheus keeps remote-writing its own scrapes)', 'count({__name__=~".+"})', 2), { kind: 'manual', description: `otelstack verify <to> --env ${env}: a metric with an exemplar reaches Mimir` }],
      onFailure: 'the deploy rolls the failing collector back and stops; the others keep exporting to Prometheus',
      rollback: `otelstack deploy <from> --env ${env} --only ${gateways} --dir ${fromDir} --previous ${toDir}`,
    },
    {},
  );

  s.add(
    {
      id: 'datasources',
      title: "Switch Grafana's datasources and the rules to Mimir",
      source: 'issue 10: "dashboards and rules switch datasource"',
      change: { summary: "Grafana's metrics datasource and the alert rules read Mimir; the Prometheus datasource stays, marked for retirement", actions: [`\`${compose(toDir)} up -d --no-deps\` the Grafana services of the target render`] },
      gate: [{ kind: 'manual', description: 'the dashboards show data from Mimir (the datasource test in Grafana, a panel of the self-monitoring dashboard)' }],
      onFailure: 'put the running Grafana provisioning back',
      rollback: `\`${compose(fromDir)} up -d --no-deps\` the Grafana services of the running render`,
    },
    {},
  );

  s.add(
    {
      id: 'keep-history',
      title: "Keep Prometheus through its retention",
      source: 'derived: the history from before step 2 lives only in Prometheus',
      change: { summary: `nothing writes to Prometheus but its own remote-written scrapes; its history from before step 2 is still only there until its retention (${P.defaultRetention.what}) has passed` },
      gate: [{ kind: 'wait', seconds: P.defaultRetention.seconds, description: `wait ${P.defaultRetention.what} (Prometheus's default retention; longer if its --storage.tsdb.retention.time says so)` }],
      onFailure: 'keep Prometheus running until the history it holds is no longer needed',
      rollback: 'nothing to roll back: Prometheus still runs',
    },
    {},
  );

  s.add(
    {
      id: 'retire-prometheus',
      title: 'Retire Prometheus and its datasource',
      source: 'seed 000 "to deprecate": the per-namespace Prometheus datasources',
      change: { summary: 'remove Prometheus and the Grafana datasource that reads it', actions: [`${compose(fromDir)} rm -sf prometheus`, 'remove the Prometheus datasource from Grafana (the target render no longer provisions it)'] },
      gate: [],
      onFailure: 'start Prometheus again from the running render: its volume holds its TSDB until it is removed',
      rollback: 'none once its volume is removed',
    },
    { prometheus: 0 },
  );

  return {
    id: PROMETHEUS_MIMIR_RUNBOOK,
    title: 'Prometheus → Mimir (remote write first, then the full migration)',
    engine: 'mimir',
    engines: ['mimir', 'prometheus'],
    signal: 'metrics',
    from: 'prometheus',
    to: 'mimir',
    source: 'issue 10 runbook 4; the order and the gates are derived',
    notes: [
      `the running render is ${fromDir} and the target render ${toDir}`,
      'both engines run side by side until Prometheus is retired (the last step): the plan counts both',
      `step 2's comparisons run each query on Prometheus (--prometheus-url) and on Mimir (--target-url, --target-api mimir)`,
    ],
    steps: s.steps,
  };
}
