/**
 * Rule files per environment:
 *  - kubernetes/<env>/rules/configmap.yaml — a ConfigMap whose one data key `<stack>.rules.yaml` is a Prometheus
 *    rule file (what `promtool check rules` checks), ready for the environment's Mimir ruler: each group is one rule
 *    group of the ruler API (Mimir 3.0 "HTTP API": POST <query endpoint>/prometheus/config/v1/rules/<namespace>,
 *    tenant in X-Scope-OrgID) or for a ruler / Prometheus that mounts rule ConfigMaps; annotated with the tenant
 *    and the rule namespace. (Only Kubernetes objects live under kubernetes/.)
 *  - compose/<env>/rules/<stack>.rules.yaml — the same file for the compose stack's metrics backend.
 *  - RUM (t.rum, loki-rum.ts): the Loki ruler's rule files, one per Loki tenant — on compose under
 *    compose/<env>/loki-rules/<tenant id>/, the directory mounted at the ruler's local rules directory; on
 *    Kubernetes one ConfigMap (kubernetes/<env>/rules/loki-rum.yaml, a key per tenant) that the loki chart's values
 *    mount into the pods running the ruler, each key at <tenant id>/<namespace file> (kubernetes/loki.ts).
 */
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap'; // one model's module, not the group's index (start-up time)
import { METRICS_DOCUMENTED } from '../../catalog/metrics.js';
import type { Finding } from '../../plan/findings.js';
import type { EngineDeployment, Topology } from '../../topology/types.js';
import { toYaml, type FileSet } from '../fileset.js';
import type { RenderInput, RenderResult } from '../types.js';
import { ruleFileYaml } from './model.js';
import { stackRules } from './self-monitoring.js';
import { rumRuleFiles, rumRulesHeader } from './loki-rum.js';

export { stackRules, RED_RECORDS } from './self-monitoring.js';
export { rumRuleFiles, rumRuleFile, webVitalQuery, exceptionsQuery, sessionsQuery, FARO_STREAMS, RUM_GROUP } from './loki-rum.js';

/** The compose directory (beside docker-compose.yaml) holding the Loki ruler's rule files, one directory per tenant. */
export const LOKI_RULES_DIR = 'loki-rules';

/** The ConfigMap holding an environment's Loki RUM rule files (Kubernetes). */
export function lokiRumConfigMapName(stack: string, env: string): string {
  return `${stack}-loki-rum-rules-${env}`;
}

/** The ConfigMap's keys and where each lands below the ruler's rules directory (a ConfigMap volume's `items`). */
export function lokiRumConfigMapItems(t: Topology): Array<{ key: string; path: string }> {
  return rumRuleFiles(t).map((f) => ({ key: `${f.tenant.name}.yaml`, path: f.path }));
}
export { expressionsOf, recordedNames, ruleFileYaml, type RuleFile, type RuleGroup, type AlertingRule, type RecordingRule } from './model.js';

const RULE = 'render-rules';
/** Mimir's tenant when multi-tenancy is off (Mimir 3.0 "About authentication and authorization"). */
export const MIMIR_DEFAULT_TENANT = 'anonymous';

export function rulesFileName(stack: string): string {
  return `${stack}.rules.yaml`;
}

/** The namespace the groups are loaded under in a Mimir ruler. */
export function rulerNamespace(stack: string): string {
  return `${stack}-self-monitoring`;
}

function metricsEngine(t: Topology): EngineDeployment | undefined {
  return t.engines.find((e) => e.signal === 'metrics');
}

function header(input: RenderInput): string {
  const t = input.topology;
  return [
    `${t.stack}/${t.env.name}: self-monitoring alerts and RED recording rules — rendered by otelstack.`,
    `Metric names from src/catalog/metrics.ts: collector v${METRICS_DOCUMENTED.otelcol} (Alloy ${METRICS_DOCUMENTED.alloy}), Tempo ${METRICS_DOCUMENTED.tempo}, Mimir ${METRICS_DOCUMENTED.mimir}, Loki ${METRICS_DOCUMENTED.loki}.`,
    'Check with: promtool check rules <this file>',
  ].join('\n');
}

/** Is there something in the environment that evaluates rules? (Mimir's ruler, or a Prometheus.) */
function evaluator(t: Topology): { present: boolean; what: string } {
  const m = metricsEngine(t);
  if (!m) return { present: false, what: 'no metrics backend' };
  if (m.engine === 'prometheus') return { present: true, what: 'Prometheus' };
  if (m.engine === 'mimir') {
    const ruler = m.mode === 'monolithic' || t.components.some((c) => c.engine === 'mimir' && c.component === 'ruler');
    return ruler ? { present: true, what: 'the Mimir ruler' } : { present: false, what: `Mimir in ${t.env.name} has no ruler component` };
  }
  return { present: false, what: `${m.title} evaluates no Prometheus rules` };
}

function common(input: RenderInput): { yaml: string; findings: Finding[]; tenant: string | undefined } {
  const { stack, topology: t } = input;
  const set = stackRules(stack, t);
  const findings: Finding[] = [];
  if (set.skipped.length) {
    const byReason = new Map<string, string[]>();
    for (const s of set.skipped) byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), s.rule]);
    for (const [reason, rules] of [...byReason].sort(([a], [b]) => (a < b ? -1 : 1))) {
      findings.push({ severity: 'info', rule: RULE, env: t.env.name, path: 'environments', message: `alert rules left out (${[...new Set(rules)].join(', ')}): ${reason}`, suggestion: 'nothing to do unless you need these alerts' });
    }
  }
  const ev = evaluator(t);
  if (!ev.present) {
    findings.push({ severity: 'info', rule: RULE, env: t.env.name, path: `signals.metrics.environments.${t.env.name}`, message: `rules are rendered but nothing in ${t.env.name} evaluates them: ${ev.what}`, suggestion: 'add a Mimir ruler component (or load the file into another ruler)' });
  }
  const m = metricsEngine(t);
  const tenant = m?.engine === 'mimir' ? (m.tenant ?? MIMIR_DEFAULT_TENANT) : undefined;
  return { yaml: ruleFileYaml(set.file, header(input)), findings, tenant };
}

export function renderRulesKubernetes(input: RenderInput, opts: { lokiRulesSyncWave: number }): RenderResult {
  const { stack, topology: t } = input;
  const files: FileSet = new Map();
  const { yaml, findings, tenant } = common(input);
  const base = `kubernetes/${t.env.name}/rules`;
  const cm = new ConfigMap({
    metadata: {
      name: `${stack.name}-rules-${t.env.name}`,
      namespace: t.env.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'otelstack', 'otelstack.io/environment': t.env.name, 'otelstack.io/rules': 'self-monitoring' },
      annotations: {
        'otelstack.io/ruler-namespace': rulerNamespace(stack.name),
        ...(tenant ? { 'otelstack.io/mimir-tenant': tenant } : {}),
      },
    },
    data: { [rulesFileName(stack.name)]: yaml },
  });
  cm.validate();
  files.set(`${base}/configmap.yaml`, toYaml(cm.toJSON()));
  const rum = rumRuleFiles(t);
  if (rum.length) {
    const keys = new Map(lokiRumConfigMapItems(t).map((i) => [i.path, i.key]));
    const loki = new ConfigMap({
      metadata: {
        name: lokiRumConfigMapName(stack.name, t.env.name),
        namespace: t.env.namespace,
        labels: { 'app.kubernetes.io/managed-by': 'otelstack', 'otelstack.io/environment': t.env.name, 'otelstack.io/rules': 'rum' },
        // before Loki's Application: the pods mount it
        annotations: { 'argocd.argoproj.io/sync-wave': String(opts.lokiRulesSyncWave) },
      },
      data: Object.fromEntries(rum.map((f) => [keys.get(f.path)!, ruleFileYaml(f.file, rumRulesHeader(t, f.tenant))])),
    });
    loki.validate();
    files.set(`${base}/loki-rum.yaml`, toYaml(loki.toJSON()));
  }
  return { files, findings };
}

export function renderRulesCompose(input: RenderInput): RenderResult {
  const { stack, topology: t } = input;
  const { yaml, findings } = common(input);
  const files: FileSet = new Map([[`compose/${t.env.name}/rules/${rulesFileName(stack.name)}`, yaml]]);
  for (const f of rumRuleFiles(t)) files.set(`compose/${t.env.name}/${LOKI_RULES_DIR}/${f.path}`, ruleFileYaml(f.file, rumRulesHeader(t, f.tenant)));
  return { files, findings };
}
