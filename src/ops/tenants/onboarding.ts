/**
 * A tenant's onboarding sheet (seed 003's Slack workflow): everything the team needs, read from the topology of each
 * environment that serves it — its tenant id, origins and host, the three levels of protection side by side, its
 * per-tenant engine limits, the Faro Web SDK settings to put in its app, the Grafana datasources it gets and the
 * `otelstack verify --tenant` command that proves its isolation. `--format markdown` pastes into a ticket.
 */
import { ALLOY_FARO_RECEIVER_PATH } from '../../catalog/alloy.js';
import { FARO_WEB_SDK } from '../../catalog/faro-web-sdk.js';
import { LOKI_API } from '../../catalog/loki.js';
import { MIMIR_API } from '../../catalog/mimir.js';
import { OTELCOL_FARO_RECEIVER } from '../../catalog/otelcol.js';
import { TEMPO_API } from '../../catalog/tempo.js';
import { formatBytes } from '../../model/quantity.js';
import type { Stack } from '../../model/schema.js';
import { expand } from '../../topology/expand.js';
import type { RequestLimit, TenantPlan, Topology } from '../../topology/types.js';

/** The engines whose tenant header the catalog knows (their APIs' tenantHeader): each gets a per-tenant datasource. */
const TENANT_HEADER: Readonly<Record<string, string>> = { loki: LOKI_API.tenantHeader, tempo: TEMPO_API.tenantHeader, mimir: MIMIR_API.tenantHeader };

export interface TenantEnvironment {
  env: string;
  target: string;
  collector: 'alloy' | 'otelcol' | null;
  faroPort: number;
  /** where the tenant's Faro SDK sends in this environment; null: browsers cannot reach its receiver (faroUrlMissing says why) */
  faroUrl: string | null;
  /** how the URL was chosen: the tenant's host behind the ingress, the compose host's published port, or a gateway host */
  faroUrlVia: 'ingress' | 'compose' | 'gateway' | null;
  faroUrlMissing?: string;
  datasources: Array<{ name: string; uid: string; engine: string; signal: string; header: string }>;
  verify: string;
}

export interface EngineLimitsView {
  logs: TenantPlan['limits']['logs'] | null;
  traces: TenantPlan['limits']['traces'] | null;
  metrics: TenantPlan['limits']['metrics'] | null;
}

export interface TenantOnboarding {
  tenant: string;
  id: string;
  origins: string[];
  host: string | null;
  limits: { clientSampling: number; ingress: RequestLimit; gateway: RequestLimit };
  /** null: the engine's default */
  engineLimits: EngineLimitsView;
  propagateTo: string[];
  environments: TenantEnvironment[];
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A URL prefix as the anchored RegExp source the OpenTelemetry web instrumentations match (catalog OTEL_WEB_URL_MATCH). */
export function prefixRegex(prefix: string): string {
  const p = prefix.replace(/\/+$/, '');
  return `^${escapeRegex(p)}(\\/|$)`;
}

function faroEndpoint(stack: Stack, t: Topology, tp: TenantPlan): Pick<TenantEnvironment, 'faroUrl' | 'faroUrlVia' | 'faroUrlMissing'> {
  const path = t.ingestion?.collector === 'alloy' ? ALLOY_FARO_RECEIVER_PATH : OTELCOL_FARO_RECEIVER.path;
  const ingress = stack.ingestion?.faro?.ingress;
  if (!t.ingestion?.faro) return { faroUrl: null, faroUrlVia: null, faroUrlMissing: 'ingestion.faro is not enabled: the gateway has no Faro receivers' };
  if (t.env.target === 'kubernetes') {
    if (!tp.host) return { faroUrl: null, faroUrlVia: null, faroUrlMissing: `the tenant has no host: give it one (tenants.${tp.name}.host, \`tenant add --host\`) so the ingress routes its browsers to its receiver` };
    if (!ingress) return { faroUrl: null, faroUrlVia: null, faroUrlMissing: `ingestion.faro.ingress is not set: nothing routes ${tp.host} to the tenant's receiver` };
    return { faroUrl: `${ingress.tlsSecret ? 'https' : 'http'}://${tp.host}${path}`, faroUrlVia: 'ingress' };
  }
  if (t.env.target === 'compose') return { faroUrl: `http://localhost:${tp.faroPort}${path}`, faroUrlVia: 'compose' };
  return { faroUrl: `http://<gateway host>:${tp.faroPort}${path}`, faroUrlVia: 'gateway' };
}

export function tenantOnboarding(stack: Stack, file: string, name: string): TenantOnboarding {
  const def = stack.tenants[name];
  if (!def) throw new Error(`no tenant ${name}`);
  const environments: TenantEnvironment[] = [];
  let plan: TenantPlan | undefined;
  for (const e of stack.environments) {
    const t = expand(stack, e.name);
    const tp = t.tenants?.find((x) => x.name === name);
    if (!tp) continue;
    plan ??= tp;
    environments.push({
      env: e.name,
      target: e.target,
      collector: t.ingestion?.collector ?? null,
      faroPort: tp.faroPort,
      ...faroEndpoint(stack, t, tp),
      // the datasources the renderers provision for the tenant (topology: transforms/tenants.ts names them)
      datasources: tp.datasources
        .filter((d) => TENANT_HEADER[d.engine])
        .map((d) => ({ name: d.name, uid: d.uid, engine: d.engine, signal: t.engines.find((x) => x.engine === d.engine)!.signal, header: `${TENANT_HEADER[d.engine]}: ${tp.id}` }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      verify: `otelstack verify ${file} --env ${e.name} --tenant ${tp.id}`,
    });
  }
  const id = plan?.id ?? def.id ?? name;
  const origins = plan?.origins ?? [...new Set(def.origins)].sort();
  const gateway = plan?.rateLimit ?? { perSecond: def.rateLimit.perSecond, burst: def.rateLimit.burst ?? Math.ceil(2 * def.rateLimit.perSecond) };
  const ingress = plan?.ingressRateLimit ?? gateway;
  const limits = plan?.limits ?? {};
  return {
    tenant: name,
    id,
    origins,
    host: def.host ?? null,
    limits: { clientSampling: def.sampling, ingress, gateway },
    engineLimits: { logs: limits.logs ?? null, traces: limits.traces ?? null, metrics: limits.metrics ?? null },
    propagateTo: plan?.propagateTo ?? origins,
    environments,
  };
}

const rate = (l: RequestLimit): string => `${l.perSecond}/s, burst ${l.burst}`;
const sampled = (s: number): string => (s >= 1 ? '1 (every session)' : `${s} (${Number((s * 100).toPrecision(3))}% of sessions)`);

function engineLimitLines(l: EngineLimitsView): Array<[string, string]> {
  const parts = (kv: Array<[string, string | undefined]>): string => kv.filter(([, v]) => v !== undefined).map(([k, v]) => `${k} ${v}`).join(', ');
  const bps = (b: number | undefined) => (b === undefined ? undefined : `${formatBytes(b)}/s`);
  const by = (b: number | undefined) => (b === undefined ? undefined : formatBytes(b));
  const n = (v: number | undefined) => (v === undefined ? undefined : String(v));
  return [
    ['logs (Loki)', l.logs ? parts([['ingestion', bps(l.logs.ingestionRateBytes)], ['burst', by(l.logs.burstBytes)], ['max streams', n(l.logs.maxStreams)]]) || 'engine default' : 'engine default'],
    ['traces (Tempo)', l.traces ? parts([['ingestion', bps(l.traces.ingestionRateBytes)], ['burst', by(l.traces.burstBytes)], ['max traces', n(l.traces.maxTraces)]]) || 'engine default' : 'engine default'],
    ['metrics', l.metrics ? parts([['samples', l.metrics.samplesPerSecond === undefined ? undefined : `${l.metrics.samplesPerSecond}/s`], ['burst', n(l.metrics.burst)], ['max series', n(l.metrics.maxSeries)]]) || 'engine default' : 'engine default'],
  ];
}

/** The Faro Web SDK initialisation for one environment (TypeScript, for the team's app). */
export function faroSnippet(o: TenantOnboarding, env: TenantEnvironment): string {
  const [st, rate_] = FARO_WEB_SDK.sessionSamplingRate;
  const [opts, cors] = FARO_WEB_SDK.propagateTraceHeaderCorsUrls;
  const urls = o.propagateTo.map((p) => `/${prefixRegex(p)}/`).join(', ');
  return [
    `import { getWebInstrumentations, initializeFaro } from '${FARO_WEB_SDK.packages.sdk}';`,
    `import { TracingInstrumentation } from '${FARO_WEB_SDK.packages.tracing}';`,
    '',
    'initializeFaro({',
    `  ${FARO_WEB_SDK.url}: '${env.faroUrl ?? '<the tenant host>'}',`,
    `  app: { name: '${o.tenant}', environment: '${env.env}' },`,
    `  ${st}: { ${rate_}: ${o.limits.clientSampling} },`,
    `  instrumentations: [...getWebInstrumentations(), new TracingInstrumentation({ ${opts}: { ${cors}: [${urls}] } })],`,
    '});',
  ].join('\n');
}

export function onboardingMarkdown(o: TenantOnboarding, extra: { title?: string; changes?: string[] } = {}): string {
  const out: string[] = [];
  out.push(`### ${extra.title ?? `Tenant \`${o.tenant}\``}`, '');
  out.push(`- **Tenant id** (X-Scope-OrgID in every engine): \`${o.id}\``);
  out.push(`- **Origins** (CORS on its Faro receiver): ${o.origins.map((x) => `\`${x}\``).join(', ')}`);
  out.push(`- **Host**: ${o.host ? `\`${o.host}\`` : 'none (no ingress route; set one with --host)'}`);
  out.push(`- **Trace context** (traceparent) sent to: ${o.propagateTo.map((x) => `\`${x}\``).join(', ')}`);
  out.push('', '**Limits (three levels of protection)**', '', '| level | where | limit |', '|---|---|---|');
  out.push(`| 1 | client sampling (Faro SDK) | ${sampled(o.limits.clientSampling)} |`);
  out.push(`| 2 | ingress (tenant host) | ${rate(o.limits.ingress)} |`);
  out.push(`| 3 | gateway (Faro receiver, 429 above) | ${rate(o.limits.gateway)} |`);
  out.push('', '**Per-tenant engine limits**', '', '| signal | limits |', '|---|---|');
  for (const [k, v] of engineLimitLines(o.engineLimits)) out.push(`| ${k} | ${v} |`);
  if (o.environments.length === 0) out.push('', '_No environment serves this tenant (tenants.<name>.environments)._');
  for (const e of o.environments) {
    out.push('', `**${e.env}** (${e.target})`, '');
    out.push(e.faroUrl ? `- Faro URL: \`${e.faroUrl}\`${e.faroUrlVia === 'compose' ? " (the gateway's port for this tenant, on the Docker host)" : ''}` : `- Faro URL: none yet — ${e.faroUrlMissing}`);
    out.push(`- Grafana datasources: ${e.datasources.length ? e.datasources.map((d) => `\`${d.name}\``).join(', ') : 'none'}`);
    out.push(`- Prove isolation: \`${e.verify}\``);
    if (e.faroUrl) out.push('', '```ts', faroSnippet(o, e), '```');
  }
  if (extra.changes) out.push('', '**Rendered files that change**', '', ...(extra.changes.length ? extra.changes.map((c) => `- ${c}`) : ['none']));
  return `${out.join('\n')}\n`;
}

export function onboardingText(o: TenantOnboarding): string {
  const out: string[] = [];
  out.push(`tenant ${o.tenant}: id ${o.id}, origins ${o.origins.join(', ')}, host ${o.host ?? '(none)'}`);
  out.push(`  limits: client sampling ${sampled(o.limits.clientSampling)}; ingress ${rate(o.limits.ingress)}; gateway ${rate(o.limits.gateway)}`);
  for (const [k, v] of engineLimitLines(o.engineLimits)) out.push(`  ${k}: ${v}`);
  for (const e of o.environments) {
    out.push(`  ${e.env} (${e.target}): Faro URL ${e.faroUrl ?? `none (${e.faroUrlMissing})`}; datasources ${e.datasources.map((d) => d.name).join(', ') || 'none'}`);
    out.push(`    prove isolation: ${e.verify}`);
  }
  return `${out.join('\n')}\n`;
}
