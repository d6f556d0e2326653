// Builds the real clients `runVerify` takes from resolved targets: an OTLP sender to the ingestion endpoint, read
// clients for Tempo / Prometheus-or-Mimir / Loki (as the tenant under test and, for isolation, as another tenant),
// an S3 lister, and the backends' documented flush endpoints.
import { LOKI_API } from '../../catalog/loki.js';
import { MIMIR_API } from '../../catalog/mimir.js';
import { TEMPO_API } from '../../catalog/tempo.js';
import { LokiClient } from '../backends/loki.js';
import { PrometheusClient } from '../backends/prometheus.js';
import type { S3Lister } from '../backends/s3.js';
import { postStatus, TempoClient } from '../backends/tempo.js';
import { createOtlpSender } from '../otlp/index.js';
import type { OtlpProtocol } from '../otlp/sender.js';
import type { Signal } from '../otlp/types.js';
import type { ObjectLister, Readers, VerifyClients } from './run.js';
import type { VerifyTargets } from './targets.js';

export interface ClientOptions {
  /** Per-request timeout of the read clients; default 10 000 ms. */
  readonly requestTimeoutMs?: number;
  /** How long the push may retry (429 / 503 / UNAVAILABLE, connection refused); default 10 000 ms. */
  readonly pushBudgetMs?: number;
  /** Run the isolation checks as this tenant. */
  readonly otherTenant?: string;
  readonly s3Credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** POST the backends' flush endpoints before the storage checks. */
  readonly flush?: boolean;
}

export interface OwnedClients extends VerifyClients {
  close(): Promise<void>;
}

function readersFor(t: VerifyTargets, tenant: (own: string | undefined) => string | undefined, timeoutMs: number): { readers: Readers; close: () => Promise<void> } {
  const tls = t.tls ? { tls: t.tls } : {};
  const tempo = t.traces ? new TempoClient({ url: t.traces.url, api: t.traces.api, timeoutMs, ...tls, ...optTenant(tenant(t.traces.tenant)) }) : undefined;
  const prom = t.metrics ? new PrometheusClient({ url: t.metrics.url, timeoutMs, ...tls, ...optTenant(tenant(t.metrics.tenant)) }) : undefined;
  const loki = t.logs ? new LokiClient({ url: t.logs.url, timeoutMs, ...tls, ...optTenant(tenant(t.logs.tenant)) }) : undefined;
  return {
    readers: {
      ...(tempo ? { traces: tempo } : {}),
      ...(prom ? { metrics: prom } : {}),
      ...(loki ? { logs: loki } : {}),
    },
    close: async () => {
      await Promise.all([tempo?.close(), prom?.close(), loki?.close()]);
    },
  };
}

function optTenant(t: string | undefined): { tenant?: string } {
  return t === undefined ? {} : { tenant: t };
}

type OtlpSenderLike = ReturnType<typeof createOtlpSender>;

/** One ProbeSender over one OTLP sender per signal; a signal without an engine endpoint is refused with why. */
function directSender(direct: NonNullable<VerifyTargets['direct']>, senderTo: (endpoint: string, protocol: OtlpProtocol) => OtlpSenderLike): OtlpSenderLike {
  const senders = new Map<string, OtlpSenderLike>();
  for (const [signal, d] of Object.entries(direct)) if (d) senders.set(signal, senderTo(d.endpoint, d.protocol));
  const s: Pick<OtlpSenderLike, 'send' | 'close'> = {
    send: (async (signal: Signal, input: never) => {
      const one = senders.get(signal);
      if (!one) throw new Error(`no ${signal} engine to push to as the tenant (verify pushes a tenant's data straight to the engines)`);
      return one.send(signal, input);
    }) as OtlpSenderLike['send'],
    close: async () => {
      await Promise.all([...senders.values()].map((x) => x.close()));
    },
  };
  return s as OtlpSenderLike;
}

export function createVerifyClients(t: VerifyTargets, o: ClientOptions = {}): OwnedClients {
  const timeoutMs = o.requestTimeoutMs ?? 10_000;
  const budget = o.pushBudgetMs ?? 10_000;
  const senderTo = (endpoint: string, protocol: OtlpProtocol) =>
    createOtlpSender({
      endpoint,
      protocol,
      headers: t.otlp.headers,
      timeoutMs: Math.min(timeoutMs, budget),
      retry: { initialBackoffMs: 200, maxBackoffMs: 2000, maxElapsedMs: budget, maxAttempts: 10 },
      ...(endpoint.startsWith('http://') ? { tls: { insecure: true } } : t.tls ? { tls: t.tls } : {}),
    });
  // as a tenant of `tenants`: each signal straight to its engine (VerifyTargets.direct), else all through the gateway
  const sender = t.direct ? directSender(t.direct, senderTo) : senderTo(t.otlp.endpoint, t.otlp.protocol);
  const own = readersFor(t, (x) => x, timeoutMs);
  const other = o.otherTenant !== undefined ? readersFor(t, () => o.otherTenant, timeoutMs) : undefined;
  // The AWS SDK is loaded only when a bucket is listed (it is large, and warns on import under Node 20).
  const endpoint = t.storage.endpoint;
  let lister: S3Lister | undefined;
  const storage: ObjectLister | undefined = endpoint
    ? {
        list: async (bucket, opts) => {
          if (!lister) {
            const { S3Lister: Lister } = await import('../backends/s3.js');
            lister = new Lister({ endpoint, region: t.storage.region, timeoutMs, ...(o.s3Credentials ? { credentials: o.s3Credentials } : {}) });
          }
          return lister.list(bucket, opts);
        },
      }
    : undefined;
  const flush = o.flush
    ? async (): Promise<readonly string[]> => {
        const asks: Array<[string, string, string | undefined]> = [];
        const notes: string[] = [];
        // the catalog says which engines have a flush endpoint; Tempo 3 has none
        const tempoFlush: string | null = TEMPO_API.flush;
        if (t.traces && tempoFlush !== null) asks.push(['tempo', t.traces.url.replace(/\/+$/, '') + tempoFlush, t.traces.tenant]);
        else if (t.traces) notes.push(`tempo not asked: ${TEMPO_API.noFlush}`);
        if (t.metrics?.engine === 'mimir') asks.push(['mimir', t.metrics.url.replace(new RegExp(`${MIMIR_API.prometheusPrefix}/?$`), '') + MIMIR_API.flush, t.metrics.tenant]);
        if (t.logs) asks.push(['loki', t.logs.url.replace(/\/+$/, '') + LOKI_API.flush, t.logs.tenant]);
        const answers = await Promise.all(
          asks.map(async ([name, url, tenant]) => {
            try {
              return `${name} ${await postStatus(url, tenant, timeoutMs)}`;
            } catch (e) {
              return `${name}: ${(e as Error).message}`;
            }
          }),
        );
        return [...answers, ...notes];
      }
    : undefined;
  return {
    sender,
    readers: own.readers,
    ...(other && o.otherTenant !== undefined ? { otherTenant: { tenant: o.otherTenant, readers: other.readers } } : {}),
    ...(storage ? { storage } : {}),
    ...(flush ? { flush } : {}),
    close: async () => {
      await Promise.all([sender.close(), own.close(), other?.close()]);
      lister?.close();
    },
  };
}
