import type { Command } from 'commander';

import { CANARY_DEFAULTS, CANARY_METRICS_PATH, CANARY_PORT } from '../catalog/canary.js';
import { loadStack } from '../model/load.js';
import type { Stack } from '../model/schema.js';
import { CanaryMetrics, runCanary, serveMetrics, type CanaryEnvironment, type MetricsServer, type RoundReport } from '../ops/canary/index.js';
import { LoadInputError, parseDuration, parseHeaders } from '../ops/load/options.js';
import { createVerifyClients, resolveTargets, VerifyInputError, type OwnedClients, type TargetView, type VerifyProtocol } from '../ops/verify/index.js';
import { renderTopology } from '../render/topology.js';
import { EXIT, UsageError } from './errors.js';
import { collect, endpointOptions, endpointOverrides, type EndpointFlags } from './endpoint-flags.js';

type Run = (fn: () => Promise<number>) => Promise<void>;

interface CanaryFlags extends EndpointFlags {
  env: string[];
  interval?: string;
  deadline?: string;
  listen?: string;
  once?: boolean;
  checkStorage?: boolean;
  storageDeadline: string;
  view: string;
  json?: boolean;
}


/** `host:port` (IPv6 in brackets) → its parts; bad input is a UsageError. */
export function parseListen(v: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(v.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) throw new UsageError(`--listen must be host:port, got ${JSON.stringify(v)}`, `e.g. --listen 127.0.0.1:${CANARY_PORT} (0.0.0.0:${CANARY_PORT} inside a container)`);
  return { host: m[1] ?? m[2]!, port };
}

function duration(flag: string, v: string): number {
  try {
    return parseDuration(flag, v);
  } catch (e) {
    if (e instanceof LoadInputError) throw new UsageError(e.message, e.suggestion);
    throw e;
  }
}

function summary(r: RoundReport): string {
  const parts = r.signals.map((s) => {
    const v = s.stages.visible;
    return `${s.signal} ${s.status}${v !== undefined ? ` ${(v / 1000).toFixed(2)} s` : ''}${s.copies > 1 ? ` ×${s.copies}` : ''}${s.linkBroken ? ' (link broken)' : ''}`;
  });
  return `canary ${r.env} ${r.traceId}: ${r.ok ? 'ok' : 'FAILED'} — ${parts.join(', ')}`;
}

export function canaryCommand(program: Command, run: Run): void {
  const cmd = program
    .command('canary')
    .description('every interval, per environment: push a trace, a metric with an exemplar and a log line through the ingestion endpoint, read each back, follow the links; Prometheus metrics on --listen')
    .argument('<definition>', 'stack definition (.ts / .yaml file or directory)')
    .option('--env <name>', 'environment to watch (repeatable; required when the definition has several)', collect, []);
  endpointOptions(cmd)
    .option('--interval <duration>', `time between rounds (default: the definition's canary.interval, else ${CANARY_DEFAULTS.interval})`)
    .option('--deadline <duration>', `an item not visible this long after its push is missing (default: canary.deadline, else ${CANARY_DEFAULTS.deadline})`)
    .option('--listen <host:port>', `serve ${CANARY_METRICS_PATH} here (default 127.0.0.1:${CANARY_PORT}; with --once only when given)`)
    .option('--once', 'one round per environment, print it, exit 1 if anything failed')
    .option('--check-storage', 'also wait for new objects in each data bucket (default: canary.checkStorage)')
    .option('--storage-deadline <duration>', 'how long the storage check waits', '15m')
    .option('--view <where>', 'host: reach a compose stack through 127.0.0.1 (as verify does); network: from inside the environment (service names), as the rendered canary runs', 'host')
    .option('--tenant <id>', 'push and read as this tenant (X-Scope-OrgID)')
    .option('--json', 'with --once: print the rounds as JSON')
    .action((definition: string, opts: CanaryFlags) =>
      run(async () => {
        if (opts.protocol !== 'grpc' && opts.protocol !== 'http') throw new UsageError(`--protocol must be grpc or http, got ${JSON.stringify(opts.protocol)}`);
        if (opts.view !== 'host' && opts.view !== 'network') throw new UsageError(`--view must be host or network, got ${JSON.stringify(opts.view)}`);
        let headers: Record<string, string>;
        try {
          headers = parseHeaders('--header', opts.header);
        } catch (e) {
          if (e instanceof LoadInputError) throw new UsageError(e.message, e.suggestion);
          throw e;
        }
        const listen = opts.listen !== undefined ? parseListen(opts.listen) : opts.once ? undefined : { host: '127.0.0.1', port: CANARY_PORT };
        const { file, stack } = await loadStack(definition);
        const c = stack.canary;
        const intervalMs = duration('--interval', opts.interval ?? c?.interval ?? CANARY_DEFAULTS.interval);
        const deadlineMs = duration('--deadline', opts.deadline ?? c?.deadline ?? CANARY_DEFAULTS.deadline);
        const storageDeadlineMs = duration('--storage-deadline', opts.storageDeadline);
        if (intervalMs < 1000) {
          const from = opts.interval !== undefined ? `--interval ${opts.interval}` : `canary.interval ${c?.interval} in ${file}`;
          throw new UsageError(`the canary's interval must be at least 1s, got ${from}`, 'e.g. 30s');
        }
        const checkStorage = opts.checkStorage ?? c?.checkStorage ?? false;

        const names = stack.environments.map((e) => e.name);
        const wanted = [...new Set(opts.env.flatMap((e) => e.split(',')).map((e) => e.trim()).filter(Boolean))];
        if (wanted.length === 0) {
          if (names.length !== 1) throw new UsageError(`${file} has several environments; say which to watch`, `use --env with one of: ${names.join(', ')}`);
          wanted.push(names[0]!);
        }
        for (const w of wanted) if (!names.includes(w)) throw new UsageError(`${file} has no environment "${w}"`, `use one of: ${names.join(', ')}`);
        if (wanted.length > 1 && (opts.otlpEndpoint ?? opts.tempoUrl ?? opts.prometheusUrl ?? opts.mimirUrl ?? opts.lokiUrl ?? opts.s3Endpoint) !== undefined) {
          throw new UsageError('endpoint flags (--otlp-endpoint, --tempo-url, …) name one environment\'s endpoints; give one --env with them');
        }

        const envs: Array<CanaryEnvironment & { clients: OwnedClients }> = [];
        try {
          for (const env of wanted) {
            let targets;
            try {
              targets = resolveTargets(renderTopology(stack, env), {
                protocol: opts.protocol as VerifyProtocol,
                view: opts.view as TargetView,
                headers,
                ...endpointOverrides(opts),
              });
            } catch (e) {
              if (e instanceof VerifyInputError) throw new UsageError(`${env}: ${e.message}`, e.suggestion);
              throw e;
            }
            const s3 = s3CredentialsFromEnv(stack, env);
            envs.push({ targets, clients: createVerifyClients(targets, { pushBudgetMs: Math.min(deadlineMs, 10_000), ...s3 }) });
          }
        } catch (e) {
          await Promise.all(envs.map((e) => e.clients.close()));
          throw e;
        }

        const metrics = new CanaryMetrics();
        let server: MetricsServer | undefined;
        let stopped = false;
        try {
          if (listen) {
            try {
              server = await serveMetrics(metrics, listen.host, listen.port);
            } catch (e) {
              throw new UsageError(`cannot listen on ${listen.host}:${listen.port}: ${(e as Error).message}`, 'choose another --listen address');
            }
            process.stderr.write(`otelstack canary: ${wanted.join(', ')} every ${(intervalMs / 1000).toFixed(0)} s (deadline ${(deadlineMs / 1000).toFixed(0)} s); metrics on http://${listen.host}:${server.port}${CANARY_METRICS_PATH}\n`);
          }
          const stop = new AbortController();
          const onSignal = () => {
            stopped = true;
            stop.abort();
          };
          process.once('SIGINT', onSignal);
          process.once('SIGTERM', onSignal);
          try {
            const rounds = await runCanary(envs, metrics, {
              intervalMs,
              deadlineMs,
              checkStorage,
              storageDeadlineMs,
              once: opts.once === true,
              signal: stop.signal,
              onRound: (r) => {
                if (!opts.once) process.stderr.write(`${summary(r)}\n`);
              },
              onError: (env, e) => process.stderr.write(`canary ${env}: round failed: ${e.message}\n`),
            });
            if (opts.once) {
              process.stdout.write(opts.json ? `${JSON.stringify(rounds, null, 2)}\n` : `${rounds.map(summary).join('\n')}\n`);
              return rounds.length === envs.length && rounds.every((r) => r.ok) ? EXIT.ok : EXIT.findings;
            }
            return EXIT.ok;
          } finally {
            process.off('SIGINT', onSignal);
            process.off('SIGTERM', onSignal);
          }
        } finally {
          await server?.close();
          await Promise.all(envs.map((e) => e.clients.close()));
          // stopped by a signal: rounds still polling are abandoned, their timers must not keep the process up
          if (stopped) process.exit(EXIT.ok);
        }
      }),
    );
}

/**
 * The S3 identity for --check-storage, from the process environment: under the variable names the definition's
 * objectStorage credentials give (the keys of the compose s3.env file the user writes), else the AWS SDK's own
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (what the Kubernetes Deployment maps its Secret to).
 */
function s3CredentialsFromEnv(stack: Stack, envName: string): { s3Credentials?: { accessKeyId: string; secretAccessKey: string } } {
  const e = stack.environments.find((x) => x.name === envName);
  const creds = e ? stack.objectStorage[e.objectStorage]?.credentials : undefined;
  const read = (names: Array<string | undefined>) => names.map((n) => (n ? process.env[n] : undefined)).find((v) => v);
  const accessKeyId = read([creds?.accessKeyIdKey, 'AWS_ACCESS_KEY_ID']);
  const secretAccessKey = read([creds?.secretAccessKeyKey, 'AWS_SECRET_ACCESS_KEY']);
  return accessKeyId && secretAccessKey ? { s3Credentials: { accessKeyId, secretAccessKey } } : {};
}
