import cliProgress from 'cli-progress';
import type { Command } from 'commander';

import { CATALOG } from '../catalog/index.js';
import { LoadInputError, loadReportJson, loadReportText, parseDuration, parseHeaders, parsePositiveInt, parseRates, parseRatio, parseSignals, runLoad, type LoadOptions, type LoadProgress } from '../ops/load/index.js';
import { EXIT, UsageError } from './errors.js';
import { DSKIT_TENANT_HEADER } from '../catalog/dskit.js';

type Run = (fn: () => Promise<number>) => Promise<void>;

interface LoadFlags {
  endpoint?: string;
  protocol: string;
  signals: string;
  rate: string;
  duration: string;
  workers: string;
  concurrency: string;
  batchSize: string;
  depth: string;
  fanOut: string;
  attributes: string;
  errorRatio: string;
  headers: string[];
  tenant?: string;
  compression: string;
  insecure?: boolean;
  tls?: boolean;
  timeout: string;
  readBack?: string;
  tempoUrl?: string;
  readBackTimeout: string;
  progress: boolean;
  json?: boolean;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

function options(f: LoadFlags): LoadOptions {
  if (f.protocol !== 'grpc' && f.protocol !== 'http') throw new LoadInputError(`--protocol must be grpc or http, got ${JSON.stringify(f.protocol)}`);
  if (f.compression !== 'none' && f.compression !== 'gzip') throw new LoadInputError(`--compression must be none or gzip, got ${JSON.stringify(f.compression)}`);
  const ports = CATALOG.otelcol.ports;
  const endpoint = f.endpoint ?? `http://localhost:${f.protocol === 'grpc' ? ports['otlpGrpc'] : ports['otlpHttp']}`;
  if (f.protocol === 'http' && !/^https?:\/\//.test(endpoint)) throw new LoadInputError(`--endpoint must be an http:// or https:// URL for --protocol http, got ${JSON.stringify(endpoint)}`);
  if (!/^(https?:\/\/)?[^\s/]+(:\d+)?(\/.*)?$/.test(endpoint)) throw new LoadInputError(`--endpoint ${JSON.stringify(endpoint)} is not host:port or a URL`);
  // The OTLP exporters' convention (OTEL_EXPORTER_OTLP_INSECURE, the collector's otlp exporter `tls.insecure`): the
  // scheme decides — http:// plaintext, https:// TLS; an endpoint without a scheme is TLS unless --insecure.
  if (f.insecure && f.tls) throw new LoadInputError('--insecure and --tls contradict each other', 'give one, or say it with the scheme: http:// (plaintext) or https:// (TLS)');
  if (f.tls && endpoint.startsWith('http://')) throw new LoadInputError(`--tls contradicts the endpoint's http:// scheme (plaintext)`, `use https://${endpoint.slice('http://'.length)}`);
  if (f.insecure && endpoint.startsWith('https://')) throw new LoadInputError(`--insecure contradicts the endpoint's https:// scheme (TLS)`, `use http://${endpoint.slice('https://'.length)}`);
  const signals = parseSignals('--signals', f.signals);
  const headers = parseHeaders('--headers', f.headers);
  if (f.tenant !== undefined) headers[DSKIT_TENANT_HEADER] = f.tenant;
  const readBackCount = f.readBack === undefined ? 0 : parsePositiveInt('--read-back', f.readBack, 1, 100_000);
  if (readBackCount > 0 && !f.tempoUrl) throw new LoadInputError('--read-back needs --tempo-url (where to read the traces back from)');
  if (readBackCount > 0 && !signals.includes('traces')) throw new LoadInputError('--read-back reads traces back; add traces to --signals');
  if (f.tempoUrl !== undefined && !/^https?:\/\//.test(f.tempoUrl)) throw new LoadInputError(`--tempo-url must be an http:// or https:// URL, got ${JSON.stringify(f.tempoUrl)}`);
  const depth = parsePositiveInt('--depth', f.depth, 1, 20);
  const fanOut = parsePositiveInt('--fan-out', f.fanOut, 0, 100);
  let spans = 0;
  for (let d = 0, level = 1; d < depth; d++, level *= fanOut) spans += level;
  if (spans > 10_000) throw new LoadInputError(`--depth ${depth} --fan-out ${fanOut} makes traces of ${spans} spans; keep them under 10 000`);
  return {
    endpoint,
    protocol: f.protocol === 'grpc' ? 'grpc' : 'http/protobuf',
    headers,
    compression: f.compression,
    insecure: f.insecure === true,
    signals,
    rates: parseRates('--rate', f.rate, signals),
    durationMs: parseDuration('--duration', f.duration),
    workers: parsePositiveInt('--workers', f.workers, 1, 64),
    concurrency: parsePositiveInt('--concurrency', f.concurrency, 1, 1024),
    batchSize: parsePositiveInt('--batch-size', f.batchSize, 1, 100_000),
    shape: { depth, fanOut, attributes: parsePositiveInt('--attributes', f.attributes, 0, 128), errorRatio: parseRatio('--error-ratio', f.errorRatio) },
    timeoutMs: parseDuration('--timeout', f.timeout),
    ...(readBackCount > 0
      ? { readBack: { count: readBackCount, tempoUrl: f.tempoUrl!, timeoutMs: parseDuration('--read-back-timeout', f.readBackTimeout), ...(f.tenant !== undefined ? { tenant: f.tenant } : {}) } }
      : {}),
  };
}

export function loadCommand(program: Command, run: Run): void {
  program
    .command('load')
    .description('OTLP load generator: pre-encoded batches at a rate per signal; report of accepted / rejected items and request latency')
    .option('--endpoint <url>', 'OTLP endpoint: http://host:port plaintext, https://host:port TLS, host:port TLS unless --insecure (default http://localhost:4317 for grpc, :4318 for http)')
    .option('--protocol <protocol>', 'grpc | http', 'grpc')
    .option('--signals <list>', 'traces,metrics,logs', 'traces')
    .option('--rate <rates>', 'per second, over all workers: traces=200,metrics=100,logs=500 (traces, data points, log records), or one number for every signal; 0 = unthrottled', '100')
    .option('--duration <duration>', 'how long to send', '30s')
    .option('--workers <n>', 'worker threads', '1')
    .option('--concurrency <n>', 'requests in flight per worker and signal', '4')
    .option('--batch-size <n>', 'items per request (spans rounded to whole traces)', '512')
    .option('--depth <n>', 'trace depth (levels, root included)', '3')
    .option('--fan-out <n>', 'children per non-leaf span', '2')
    .option('--attributes <n>', 'attributes per span / log record', '5')
    .option('--error-ratio <ratio>', 'share of traces with an error status, 0..1', '0.01')
    .option('--headers <name=value,...>', 'extra request headers / gRPC metadata (repeatable)', collect, [])
    .option('--tenant <id>', 'send X-Scope-OrgID (and read back as this tenant)')
    .option('--compression <c>', 'none | gzip', 'none')
    .option('--insecure', 'plaintext gRPC for an endpoint given as host:port (as OTEL_EXPORTER_OTLP_INSECURE); http:// says the same')
    .option('--tls', 'TLS for an endpoint given as host:port (the default there, as in the OTLP exporters); https:// says the same')
    .option('--timeout <duration>', 'per-request timeout', '10s')
    .option('--read-back <n>', 'sample n sent trace ids and read them back from Tempo to report loss')
    .option('--tempo-url <url>', 'Tempo query URL for --read-back')
    .option('--read-back-timeout <duration>', 'how long to look for the sampled traces', '60s')
    .option('--no-progress', 'no progress bar')
    .option('--json', 'print the report as JSON')
    .action((opts: LoadFlags) =>
      run(async () => {
        let o: LoadOptions;
        try {
          o = options(opts);
        } catch (e) {
          if (e instanceof LoadInputError) throw new UsageError(e.message, e.suggestion);
          throw e;
        }
        const tty = process.stderr.isTTY === true && opts.progress;
        const bar = tty
          ? new cliProgress.SingleBar(
              { format: 'load [{bar}] {percentage}% | {elapsed_s}/{total_s} s | sent {sent} | accepted {accepted} | rejected {rejected}', hideCursor: true, stream: process.stderr },
              cliProgress.Presets.shades_classic,
            )
          : undefined;
        const totalS = Math.round(o.durationMs / 1000);
        bar?.start(o.durationMs, 0, { elapsed_s: 0, total_s: totalS, sent: 0, accepted: 0, rejected: 0 });
        const onProgress = (p: LoadProgress): void => {
          let sent = 0;
          let accepted = 0;
          let rejected = 0;
          for (const s of o.signals) {
            sent += p.counters[s].sent;
            accepted += p.counters[s].accepted;
            rejected += p.counters[s].rejected;
          }
          bar?.update(Math.min(p.elapsedMs, p.durationMs), { elapsed_s: Math.round(p.elapsedMs / 1000), total_s: totalS, sent, accepted, rejected });
        };
        const abort = new AbortController();
        const onSigint = (): void => abort.abort();
        process.once('SIGINT', onSigint);
        let report;
        try {
          report = await runLoad(o, { onProgress, signal: abort.signal });
        } finally {
          bar?.stop();
          process.off('SIGINT', onSigint);
        }
        if (report.unreachable !== undefined) {
          // nothing was reached: one message instead of a table of rejections
          if (opts.json) process.stdout.write(loadReportJson(report));
          const tls = report.rejected.tls > 0;
          const hint = tls && !o.endpoint.startsWith('https://') ? '\n  suggestion: for a plaintext endpoint use http://host:port or --insecure' : tls ? '' : '\n  suggestion: check that a collector listens there (and the port: 4317 OTLP/gRPC, 4318 OTLP/HTTP)';
          process.stderr.write(`error: ${report.unreachable}${hint}\n`);
          return EXIT.findings;
        }
        process.stdout.write(opts.json ? loadReportJson(report) : loadReportText(report, process.stdout.isTTY === true));
        const nothingAccepted = report.totals.sent > 0 && report.totals.accepted === 0;
        if (nothingAccepted && !opts.json) process.stderr.write(`error: the endpoint accepted nothing (${report.totals.failedRequests} failed requests)\n`);
        return nothingAccepted || (report.readBack?.missing ?? 0) > 0 ? EXIT.findings : EXIT.ok;
      }),
    );
}
