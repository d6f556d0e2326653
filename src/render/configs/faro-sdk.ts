/**
 * The Faro Web SDK configuration of each tenant in each environment (seed 003 level 1: client-side sampling), as a
 * JSON file the tenant's web application reads: `faro/<env>/<tenant>.json`. It holds what initializeFaro and
 * TracingInstrumentation need from the stack (catalog FARO_WEB_SDK): the receiver URL, the app name and environment,
 * sessionTracking.samplingRate = the tenant's sampling, and the web-tracing instrumentation's
 * propagateTraceHeaderCorsUrls = the tenant's own backends (propagateTo) as anchored regular expressions, so trace
 * context goes to those and nowhere else. Built as a typed object and serialised once.
 */
import { FARO_RECEIVER_PATHS, FARO_WEB_SDK, TRACE_CONTEXT_HEADERS, urlPrefixPattern, type PropagationFormat } from '../../catalog/rum.js';
import type { Stack } from '../../model/schema.js';
import type { TenantPlan, Topology } from '../../topology/types.js';
import type { FileSet } from '../fileset.js';

export interface FaroSdkSnippet {
  tenant: string;
  environment: string;
  /** X-Scope-OrgID of the tenant's data in every engine (for the Grafana datasources, not the browser) */
  tenantId: string;
  sdk: { packages: readonly string[]; version: string };
  /** initializeFaro({...}) */
  faro: { url: string; app: { name: string; environment: string }; sessionTracking: { enabled: true; samplingRate: number } };
  /** new TracingInstrumentation({ instrumentationOptions }) */
  tracing: { instrumentationOptions: { propagateTraceHeaderCorsUrls: string[] }; propagation: PropagationFormat[]; headers: string[] };
  notes: string[];
}

/** Where the tenant's browsers send: its host through the ingress (Kubernetes), else the gateway's tenant port. */
function receiverUrl(stack: Stack, t: Topology, tn: TenantPlan): { url: string; note: string } {
  const path = FARO_RECEIVER_PATHS[stack.ingestion?.collector ?? 'otelcol'];
  const ingress = stack.ingestion?.faro?.ingress;
  if (t.env.target === 'kubernetes' && ingress && tn.host) {
    return { url: `${ingress.tlsSecret ? 'https' : 'http'}://${tn.host}${path}`, note: `url: the tenant's host through the ${ingress.controller} ingress (ingestion.faro.ingress).` };
  }
  const host = tn.host ?? 'localhost';
  return { url: `http://${host}:${tn.faroPort}${path}`, note: `url: the gateway's port for this tenant (${tn.faroPort})${t.env.target === 'compose' ? ', published by the load balancer' : ''}; replace ${host} with the name browsers reach the gateway at, and put TLS in front of it for pages served over https.` };
}

export function faroSdkSnippet(stack: Stack, t: Topology, tn: TenantPlan): FaroSdkSnippet {
  const u = receiverUrl(stack, t, tn);
  return {
    tenant: tn.name,
    environment: t.env.name,
    tenantId: tn.id,
    sdk: { packages: FARO_WEB_SDK.packages, version: FARO_WEB_SDK.version },
    faro: { url: u.url, app: { name: tn.name, environment: t.env.name }, sessionTracking: { enabled: true, samplingRate: tn.sampling } },
    tracing: {
      instrumentationOptions: { propagateTraceHeaderCorsUrls: tn.propagateTo.map(urlPrefixPattern) },
      propagation: [...tn.propagation],
      headers: tn.propagation.flatMap((f) => TRACE_CONTEXT_HEADERS[f]),
    },
    notes: [
      u.note,
      'propagateTraceHeaderCorsUrls holds regular expression sources: pass propagateTraceHeaderCorsUrls.map((s) => new RegExp(s)) (a plain string would have to equal the whole URL).',
      `sessionTracking.samplingRate ${tn.sampling}: the share of sessions whose telemetry is sent (level 1 of the three limits; see \`otelstack plan\`).`,
      ...(tn.propagation.includes('jaeger') ? ['propagation jaeger: give TracingInstrumentation a propagator that also writes uber-trace-id (e.g. a composite of W3C and Jaeger propagators).'] : []),
    ],
  };
}

/** faro/<env>/<tenant>.json for every tenant the environment serves. */
export function renderFaroSdkSnippets(stack: Stack, t: Topology): FileSet {
  const files: FileSet = new Map();
  if (!t.ingestion) return files;
  for (const tn of t.tenants ?? []) files.set(`faro/${t.env.name}/${tn.name}.json`, `${JSON.stringify(faroSdkSnippet(stack, t, tn), null, 2)}\n`);
  return files;
}
