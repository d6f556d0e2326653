/**
 * The tenants' ingress on Kubernetes (seed 003 level 2, definition ingestion.faro.ingress): one route per tenant host
 * to the gateway Service's tenant port, with the tenant's ingress rate limit, TLS from ingestion.faro.ingress.tlsSecret,
 * and only the tenant's allowed trace-context headers passed on (catalog TRACE_CONTEXT_HEADERS). Contour: an
 * HTTPProxy with `rateLimitPolicy.local` and a `requestHeadersPolicy.remove` list; ingress-nginx: an Ingress with its
 * rate-limit annotations and a `more_clear_input_headers` snippet. Both are validated models, serialised once.
 */
import { HTTPProxy } from '@kubernetes-models/contour/projectcontour.io/v1/HTTPProxy';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress'; // one model's module, not the group's index (start-up time)
import { CONTOUR_HTTPPROXY, INGRESS_NGINX, READABLE_REFUSAL, disallowedTraceHeaders } from '../../catalog/rum.js';
import type { Stack } from '../../model/schema.js';
import type { Finding } from '../../plan/findings.js';
import { kubernetesGatewayService } from '../../topology/network-flows.js';
import type { RequestLimit, TenantPlan, Topology } from '../../topology/types.js';
import { toYaml, type FileSet } from '../fileset.js';

const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'otelstack' };
const WAVE = 'argocd.argoproj.io/sync-wave';
const RULE = 'render-faro-ingress';

/**
 * Static headers on Contour's 429 (READABLE_REFUSAL): when to come back (the bucket's refill unit) and, for a tenant
 * with one origin (or "*"), the CORS grant that lets its pages read the refusal; several origins cannot be granted by
 * a static header (the caller says so).
 */
export function refusalHeaders(l: RequestLimit, origins: readonly string[]): { name: string; value: string }[] {
  const h = READABLE_REFUSAL;
  const origin = origins.includes('*') ? '*' : origins.length === 1 ? origins[0]! : undefined;
  return [
    { name: h.retryAfter, value: contourLocalLimit(l).unit === 'second' ? '1' : '60' },
    ...(origin !== undefined ? [{ name: h.allowOrigin, value: origin }, { name: h.exposeHeaders, value: h.retryAfter }, ...(origin === '*' ? [] : [{ name: h.vary, value: 'Origin' }])] : []),
  ];
}

/**
 * Contour's local rate limit for a tenant's limit. Envoy's bucket holds requests + burst tokens (CONTOUR_HTTPPROXY),
 * the definition's burst is the bucket's size: so Contour's `burst` is the definition's burst less the rate. A
 * fractional rate is written per minute (requests are whole numbers).
 */
export function contourLocalLimit(l: RequestLimit): { requests: number; unit: 'second' | 'minute'; burst: number } {
  if (Number.isInteger(l.perSecond)) return { requests: l.perSecond, unit: 'second', burst: Math.max(0, l.burst - l.perSecond) };
  const perMinute = Math.round(l.perSecond * 60);
  return { requests: perMinute, unit: 'minute', burst: Math.max(0, l.burst - Math.ceil(l.perSecond)) };
}

/** ingress-nginx's annotations for a tenant's limit: limit-rps rounded up, the burst as a multiplier of it (rounded up, at least 1). */
export function nginxLimitAnnotations(l: RequestLimit): Record<string, string> {
  const rps = Math.ceil(l.perSecond);
  return { [INGRESS_NGINX.limitRps]: String(rps), [INGRESS_NGINX.limitBurstMultiplier]: String(Math.max(1, Math.ceil(l.burst / rps))) };
}

function metadata(stack: Stack, t: Topology, tn: TenantPlan, wave: number) {
  return {
    name: `${stack.name}-faro-${tn.name}`,
    namespace: t.env.namespace,
    labels: { ...MANAGED_BY, 'otelstack.io/environment': t.env.name, 'otelstack.io/tenant': tn.name },
    annotations: { [WAVE]: String(wave) },
  };
}

function yamlOf(model: { validate(): void; toJSON(): unknown }): string {
  model.validate();
  return toYaml(model.toJSON());
}

export interface FaroIngressOptions {
  wave: number;
}

/** kubernetes/<env>/faro-ingress/<tenant>.yaml for each tenant with a host, when the definition names an ingress. */
export function renderFaroIngress(stack: Stack, t: Topology, opts: FaroIngressOptions): { files: FileSet; findings: Finding[] } {
  const files: FileSet = new Map();
  const findings: Finding[] = [];
  const ingress = stack.ingestion?.faro?.ingress;
  const tenants = t.tenants ?? [];
  if (t.env.target !== 'kubernetes' || !ingress || tenants.length === 0 || !t.ingestion) return { files, findings };
  if (t.ingestion.shared) {
    findings.push({ severity: 'info', rule: RULE, env: t.env.name, path: 'ingestion.faro.ingress', message: "the collectors are shared (ingestion.shared): their Service is not in this environment's namespace, so no tenant ingress is rendered here", suggestion: "route the tenants' hosts to the shared collector's tenant ports where it runs" });
    return { files, findings };
  }
  const service = kubernetesGatewayService(t.ingestion.collector);
  for (const tn of tenants) {
    if (!tn.host) {
      findings.push({ severity: 'warning', rule: RULE, env: t.env.name, path: `${tn.definitionPath}.host`, message: `tenant ${tn.name} has no host: no ingress route is rendered for it, so its browsers cannot reach its Faro receiver from outside the cluster`, suggestion: `set ${tn.definitionPath}.host (e.g. faro.${tn.name}.example.com)` });
      continue;
    }
    const remove = disallowedTraceHeaders(tn.propagation);
    if (ingress.controller === 'contour' && tn.origins.length > 1 && !tn.origins.includes('*')) {
      findings.push({ severity: 'info', rule: RULE, env: t.env.name, path: `${tn.definitionPath}.origins`, message: `tenant ${tn.name} has ${tn.origins.length} origins: Contour's 429 carries only static headers, so it cannot grant the asking origin (CORS) and its pages see a refused request as a network error (the Faro SDK still retries, with its own backoff instead of Retry-After)`, suggestion: 'give the tenant one origin per host, or accept the backoff' });
    }
    let model: HTTPProxy | Ingress;
    if (ingress.controller === 'contour') {
      model = new HTTPProxy({
        metadata: metadata(stack, t, tn, opts.wave),
        spec: {
          ...(ingress.className ? { ingressClassName: ingress.className } : {}),
          virtualhost: { fqdn: tn.host, ...(ingress.tlsSecret ? { tls: { secretName: ingress.tlsSecret } } : {}) },
          routes: [
            {
              conditions: [{ prefix: '/' }],
              services: [{ name: service, port: tn.faroPort }],
              // level 2: Envoy's local token bucket, per Envoy replica; 429 above it (CONTOUR_HTTPPROXY)
              rateLimitPolicy: { local: { ...contourLocalLimit(tn.ingressRateLimit), responseHeadersToAdd: refusalHeaders(tn.ingressRateLimit, tn.origins) } },
              // seed 003's allow-list: every known trace-context header but the tenant's formats' is removed
              requestHeadersPolicy: { remove },
            },
          ],
        },
      });
    } else {
      model = new Ingress({
        metadata: {
          ...metadata(stack, t, tn, opts.wave),
          annotations: {
            ...metadata(stack, t, tn, opts.wave).annotations,
            ...nginxLimitAnnotations(tn.ingressRateLimit),
            [INGRESS_NGINX.configurationSnippet]: `${INGRESS_NGINX.clearInputHeaders} ${remove.join(' ')};`,
          },
        },
        spec: {
          ...(ingress.className ? { ingressClassName: ingress.className } : {}),
          ...(ingress.tlsSecret ? { tls: [{ hosts: [tn.host], secretName: ingress.tlsSecret }] } : {}),
          rules: [{ host: tn.host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: service, port: { number: tn.faroPort } } } }] } }],
        },
      });
    }
    files.set(`kubernetes/${t.env.name}/faro-ingress/${tn.name}.yaml`, yamlOf(model));
  }
  if (ingress.controller === 'ingress-nginx' && files.size > 0) {
    findings.push({
      severity: 'info',
      rule: RULE,
      env: t.env.name,
      path: 'ingestion.faro.ingress.controller',
      message: `ingress-nginx limits each client IP (limit-rps), not the tenant's host as a whole, answers ${INGRESS_NGINX.defaultStatus} unless its ConfigMap sets limit-req-status-code: "429", and removes the disallowed trace headers only through a configuration-snippet, which the controller refuses unless its ConfigMap allows snippet annotations (allow-snippet-annotations: "true", annotations-risk-level: Critical)`,
      suggestion: `set those in the ingress-nginx ConfigMap, or use Contour (HTTPProxy: a limit per host, ${CONTOUR_HTTPPROXY.status}, header removal without snippets)`,
    });
  }
  if (!ingress.tlsSecret && files.size > 0) {
    findings.push({ severity: 'warning', rule: RULE, env: t.env.name, path: 'ingestion.faro.ingress.tlsSecret', message: "the tenants' hosts are served without TLS: pages served over https cannot send to them (mixed content)", suggestion: 'set ingestion.faro.ingress.tlsSecret to a kubernetes.io/tls Secret for the hosts' });
  }
  return { files, findings };
}
