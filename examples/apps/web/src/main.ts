// The sample web app: a page instrumented with the Faro Web SDK (page loads, web vitals, errors, console, sessions)
// and Faro web tracing (a span for each fetch, `traceparent` sent to the tenant's own backends only). It calls the
// configured APIs on load and shows what each answered; the "Checkout" button fails with an uncaught error.
import { getWebInstrumentations, initializeFaro } from '@grafana/faro-web-sdk';
import { TracingInstrumentation } from '@grafana/faro-web-tracing';

import type { WebAppConfig } from './config.js';

/** Replaced by esbuild at build time (build.ts) with the configuration, as one JSON string. */
declare const __SAMPLE_WEB_CONFIG__: string;
const config = JSON.parse(__SAMPLE_WEB_CONFIG__) as WebAppConfig;

/**
 * A URL prefix as the pattern the fetch instrumentation matches: it takes a string as an exact URL, so a prefix is
 * a RegExp; one without a path ends at the authority, so "http://api.example:80" does not match
 * "http://api.example:8081/...".
 */
function prefixPattern(prefix: string): RegExp {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(prefix.endsWith('/') ? `^${escaped}` : `^${escaped}(?=[/?#]|$)`);
}

initializeFaro({
  url: config.faroUrl,
  app: { ...config.app },
  sessionTracking: { samplingRate: config.samplingRate },
  instrumentations: [
    ...getWebInstrumentations(),
    new TracingInstrumentation({ instrumentationOptions: { propagateTraceHeaderCorsUrls: config.propagateTraceHeaderCorsUrls.map(prefixPattern) } }),
  ],
});

function show(api: { name: string; url: string }, status: string, detail: Record<string, string>): void {
  const li = document.createElement('li');
  li.dataset['api'] = api.name;
  li.dataset['status'] = status;
  for (const [k, v] of Object.entries(detail)) li.dataset[k] = v;
  li.textContent = `${api.name}: ${status}${detail['traceparent'] ? ` (traceparent ${detail['traceparent']})` : ''}`;
  document.getElementById('apis')!.append(li);
}

async function callApi(api: { name: string; url: string }): Promise<void> {
  try {
    const res = await fetch(api.url, { headers: { accept: 'application/json' } });
    const body = (await res.json()) as { items?: unknown[]; traceparent?: string | null; traceId?: string };
    show(api, String(res.status), { items: String(body.items?.length ?? 0), traceparent: body.traceparent ?? '', traceId: body.traceId ?? '' });
  } catch (e) {
    show(api, 'failed', { error: e instanceof Error ? e.message : String(e) });
  }
}

document.getElementById('checkout')!.addEventListener('click', () => {
  // a bug as users meet it: uncaught, reported by Faro's errors instrumentation from the window's error event
  const cart = JSON.parse('{"items":[]}') as { total?: { amount: number } };
  throw new Error(`checkout failed: total is ${String(cart.total?.amount)}`);
});

void Promise.all(config.apis.map(callApi)).then(() => {
  document.body.dataset['ready'] = 'true';
});
