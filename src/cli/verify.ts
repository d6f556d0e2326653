import type { Command } from 'commander';

import { loadStack } from '../model/load.js';
import { LoadInputError, parseDuration, parseHeaders } from '../ops/load/options.js';
import { createVerifyClients, resolveTargets, runVerify, VerifyInputError, verifyReportJson, verifyReportTable, type VerifyProtocol } from '../ops/verify/index.js';
import { otherTenantOf } from '../ops/verify/targets.js';
import { renderTopology } from '../render/topology.js';
import { EXIT, UsageError } from './errors.js';
import { ttyProgress } from './progress.js';
import { endpointOptions, endpointOverrides, type EndpointFlags } from './endpoint-flags.js';

type Run = (fn: () => Promise<number>) => Promise<void>;

interface VerifyFlags extends EndpointFlags {
  env?: string;
  lokiSelector?: string;
  otherTenant?: string;
  tempoOtlpUrl?: string;
  timeout: string;
  checkStorage?: boolean;
  storageTimeout: string;
  flush?: boolean;
  json?: boolean;
}

export function verifyCommand(program: Command, run: Run): void {
  const cmd = program
    .command('verify')
    .description('push one trace, one metric (with an exemplar) and one log line through the ingestion endpoint; one verdict once every backend shows them')
    .argument('<definition>', 'stack definition (.ts / .yaml file or directory)')
    .option('--env <name>', 'environment to verify (required when the definition has several)');
  endpointOptions(cmd)
    .option('--loki-selector <logql>', 'LogQL stream selector of the probe\'s log stream', undefined)
    .option(
      '--tenant <name-or-id>',
      "push and read as this tenant (X-Scope-OrgID), and prove another tenant cannot read the data; a tenant of the definition's tenants (by name or id) is pushed straight to the engines' OTLP receivers, since the gateway writes the OTLP path as the environment's own tenant",
    )
    .option('--tempo-otlp-url <url>', "with --tenant naming one of tenants: Tempo's OTLP/HTTP receiver (default from the definition; compose does not publish it on the host)")
    .option('--other-tenant <name-or-id>', "the tenant that must not see the data (with --tenant); default another of the environment's tenants, else otelstack-verify-other")
    .option('--timeout <duration>', 'how long each signal may take to become visible', '60s')
    .option('--check-storage', 'also wait for the flush and prove new objects in each data bucket')
    .option('--storage-timeout <duration>', 'how long --check-storage waits', '15m')
    .option('--flush', 'with --check-storage: ask Mimir\'s and Loki\'s ingesters to flush first (Tempo 3 has no flush endpoint: see the catalog)')
    .option('--json', 'print the report as JSON')
    .action((definition: string, opts: VerifyFlags) =>
      run(async () => {
        let timeoutMs: number;
        let storageTimeoutMs: number;
        let headers: Record<string, string>;
        try {
          timeoutMs = parseDuration('--timeout', opts.timeout);
          storageTimeoutMs = parseDuration('--storage-timeout', opts.storageTimeout);
          headers = parseHeaders('--header', opts.header);
        } catch (e) {
          if (e instanceof LoadInputError) throw new UsageError(e.message, e.suggestion);
          throw e;
        }
        if (opts.protocol !== 'grpc' && opts.protocol !== 'http') throw new UsageError(`--protocol must be grpc or http, got ${JSON.stringify(opts.protocol)}`);
        const { file, stack } = await loadStack(definition);
        const envs = stack.environments.map((e) => e.name);
        const env = opts.env ?? (envs.length === 1 ? envs[0] : undefined);
        if (!env) throw new UsageError(`${file} has several environments; say which to verify`, `use --env with one of: ${envs.join(', ')}`);
        if (!envs.includes(env)) throw new UsageError(`${file} has no environment "${env}"`, `use one of: ${envs.join(', ')}`);
        let targets;
        let otherTenant: string | undefined;
        try {
          const topology = renderTopology(stack, env); // what the default render deploys: phases up to currentPhase
          targets = resolveTargets(topology, {
            protocol: opts.protocol as VerifyProtocol,
            headers,
            ...endpointOverrides(opts),
            ...(opts.tempoOtlpUrl !== undefined ? { tempoOtlpUrl: opts.tempoOtlpUrl } : {}),
          });
          otherTenant = opts.tenant !== undefined ? otherTenantOf(topology, targets, opts.otherTenant) : undefined;
        } catch (e) {
          if (e instanceof VerifyInputError) throw new UsageError(e.message, e.suggestion);
          throw e;
        }
        const clients = createVerifyClients(targets, {
          ...(otherTenant !== undefined ? { otherTenant } : {}),
          flush: opts.flush === true,
          pushBudgetMs: Math.min(timeoutMs, 10_000),
        });
        // one step per check: 3 visibility checks, 2 links, 3 isolation checks with --tenant, one per bucket with --check-storage
        const expected = 5 + (opts.tenant !== undefined ? 3 : 0) + (opts.checkStorage ? Math.max(1, targets.storage.buckets.length) : 0);
        const bar = await ttyProgress('verify [{bar}] {value}/{total} checks | {duration_formatted} | last: {last}');
        let done = 0;
        bar.update(0, expected, { last: 'pushed, polling' });
        try {
          const report = await runVerify(targets, clients, {
            onCheck: (c) => bar.update(++done, Math.max(expected, done), { last: `${c.label} ${c.status}` }),
            timeoutMs,
            checkStorage: opts.checkStorage === true,
            storageTimeoutMs,
            ...(opts.lokiSelector !== undefined ? { lokiSelector: opts.lokiSelector } : {}),
          });
          process.stdout.write(opts.json ? verifyReportJson(report) : verifyReportTable(report, process.stdout.isTTY === true));
          return report.ok ? EXIT.ok : EXIT.findings;
        } finally {
          bar.stop();
          await clients.close();
        }
      }),
    );
}
