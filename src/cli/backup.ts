import { resolve } from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import { loadStack } from '../model/load.js';
import {
  BackupError,
  DOCKER_VOLUMES_ROOT,
  DirectorySource,
  VOLUME_LAYOUTS,
  VolumeTarget,
  composeBackupPlan,
  createBackup,
  restoreBackup,
  volumeDataPath,
  type VolumeLayout,
} from '../ops/backup/index.js';
import { EXIT, UsageError, writeJsonError } from './errors.js';
import { ttyProgress } from './progress.js';

type Run = (fn: () => Promise<number>) => Promise<void>;

function mib(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function layoutOf(v: string): VolumeLayout {
  if (!(VOLUME_LAYOUTS as readonly string[]).includes(v)) throw new UsageError(`unknown layout "${v}"`, `use one of: ${VOLUME_LAYOUTS.join(', ')}`);
  return v as VolumeLayout;
}

/**
 * Failed backups and restores: input problems exit 2, verification failures (corrupt archive, checksum mismatch,
 * data changing while archived) exit 1. With --json the error is also printed as { ok: false, error }.
 */
function failed(e: unknown, json: boolean | undefined): number {
  if (!(e instanceof BackupError)) throw e;
  if (json) writeJsonError({ kind: e.kind, message: e.message, ...(e.suggestion ? { suggestion: e.suggestion } : {}) });
  process.stderr.write(`error: ${e.message}${e.suggestion ? `\n  suggestion: ${e.suggestion}` : ''}\n`);
  return e.kind === 'verification' ? EXIT.findings : EXIT.usage;
}

/**
 * `otelstack backup` and `otelstack restore` (seed 002 §5) for compose environments.
 *
 * backup --json: { ok, archive, bytes, sha256, stack, env, project, createdAt,
 *                  sources: [{ kind, name, location, files, bytes, sha256 }], configs: { files, bytes, sha256 },
 *                  pruned: [path], skipped: [path] }
 * restore --json: { ok, archive, verified, stack, env, project, createdAt,
 *                   restored: [{ kind, name, location, files, bytes }], configsOut? }
 * either, failing: { ok: false, error: { kind: "input" | "verification", message, suggestion? } } (errors.ts JsonError)
 */
export function backupCommands(program: Command, run: Run): void {
  program
    .command('backup')
    .description('archive a compose environment\'s named volumes and rendered configs into a timestamped .tar.gz with a checksummed manifest')
    .argument('<definition>', 'stack definition (.ts / .yaml file or directory)')
    .option('--env <name>', 'the compose environment (default: the only one)')
    .requiredOption('--out <dir>', 'directory for the archives')
    .option('--retention <n>', 'keep only the newest N archives of this environment')
    .option('--volumes-root <path>', 'where the volumes live', DOCKER_VOLUMES_ROOT)
    .option('--layout <layout>', `docker (<root>/<project>_<volume>/_data) | plain (<root>/<volume>)`, 'docker')
    .option('--volume <name...>', 'only these volumes (default: every named volume of the environment)')
    .option('--json', 'print the result as JSON')
    .action((definition: string, opts: { env?: string; out: string; retention?: string; volumesRoot: string; layout: string; volume?: string[]; json?: boolean }) =>
      run(async () => {
        const layout = layoutOf(opts.layout);
        let retention: number | undefined;
        if (opts.retention !== undefined) {
          retention = Number(opts.retention);
          if (!Number.isInteger(retention) || retention < 1) throw new UsageError(`--retention must be a whole number ≥ 1, not "${opts.retention}"`);
        }
        const { file, stack } = await loadStack(definition);
        const composeEnvs = stack.environments.filter((e) => e.target === 'compose').map((e) => e.name);
        const env = opts.env ?? (composeEnvs.length === 1 ? composeEnvs[0] : undefined);
        if (!env) throw new UsageError(`${file}: say which environment with --env`, `compose environments: ${composeEnvs.join(', ') || 'none'}`);
        try {
          const plan = composeBackupPlan(stack, env);
          const unknown = (opts.volume ?? []).filter((v) => !plan.volumes.includes(v));
          if (unknown.length) throw new BackupError(`environment ${env} has no volume ${unknown.join(', ')}`, 'input', `its volumes: ${plan.volumes.join(', ')}`);
          const volumes = opts.volume ? plan.volumes.filter((v) => opts.volume!.includes(v)) : plan.volumes;
          const root = resolve(opts.volumesRoot);
          const bar = await ttyProgress('backup [{bar}] {phase} {value}/{total} {source}');
          const r = await createBackup({
            onProgress: (p) => bar.update(p.done, p.total, { phase: p.phase, source: p.source ?? '' }),
            stack: plan.stack,
            env,
            project: plan.project,
            sources: volumes.map((v) => new DirectorySource(v, volumeDataPath(root, layout, plan.project, v))),
            configs: plan.configs,
            outDir: opts.out,
            ...(retention !== undefined ? { retention } : {}),
          }).finally(() => bar.stop());
          const m = r.manifest;
          if (opts.json) {
            process.stdout.write(
              `${JSON.stringify(
                {
                  ok: true,
                  archive: r.archive,
                  bytes: r.bytes,
                  sha256: r.sha256,
                  stack: m.stack,
                  env: m.env,
                  project: m.project,
                  createdAt: m.createdAt,
                  sources: m.sources.map(({ kind, name, location, files, bytes, sha256 }) => ({ kind, name, location, files, bytes, sha256 })),
                  configs: m.configs,
                  pruned: r.pruned,
                  skipped: r.skipped,
                },
                null,
                2,
              )}\n`,
            );
          } else {
            const files = m.sources.reduce((a, s) => a + s.files, 0);
            const bytes = m.sources.reduce((a, s) => a + s.bytes, 0);
            process.stdout.write(`${pc.green('backed up')} ${m.sources.length} volumes (${files} files, ${mib(bytes)}) and ${m.configs.files} config files → ${r.archive} (${mib(r.bytes)}, sha256 ${r.sha256})\n`);
            for (const s of m.sources) process.stdout.write(`  ${s.name.padEnd(24)} ${String(s.files).padStart(7)} files ${mib(s.bytes).padStart(12)}  ${s.location}\n`);
            for (const p of r.pruned) process.stdout.write(`  removed (retention ${retention}): ${p}\n`);
            if (r.skipped.length) process.stdout.write(`  not archived (sockets, FIFOs, devices): ${r.skipped.join(', ')}\n`);
          }
          return EXIT.ok;
        } catch (e) {
          return failed(e, opts.json);
        }
      }),
    );

  program
    .command('restore')
    .description('restore a backup archive into the volumes: verifies every checksum first; refuses to overwrite non-empty volumes without --force')
    .argument('<archive>', 'an archive written by otelstack backup')
    .option('--volumes-root <path>', `where the volumes live (Docker: ${DOCKER_VOLUMES_ROOT}); required unless --verify-only`)
    .option('--layout <layout>', `docker (<root>/<project>_<volume>/_data) | plain (<root>/<volume>)`, 'docker')
    .option('--force', 'replace volumes (and --configs-out) that are not empty')
    .option('--configs-out <dir>', 'also write the archived rendered configs here')
    .option('--verify-only', 'only check the archive against its manifest; change nothing')
    .option('--json', 'print the result as JSON')
    .action((archive: string, opts: { volumesRoot?: string; layout: string; force?: boolean; configsOut?: string; verifyOnly?: boolean; json?: boolean }) =>
      run(async () => {
        const layout = layoutOf(opts.layout);
        if (!opts.volumesRoot && !opts.verifyOnly) throw new UsageError('restore needs --volumes-root', `where the volumes live; for Docker: --volumes-root ${DOCKER_VOLUMES_ROOT}`);
        const root = resolve(opts.volumesRoot ?? '.');
        try {
          const r = await restoreBackup({
            archive: resolve(archive),
            targetFor: (s, m) => {
              if (s.kind !== 'volume') throw new BackupError(`${archive} holds ${s.kind} ${s.name}: this otelstack restores volumes only`, 'input');
              return new VolumeTarget(s.name, volumeDataPath(root, layout, m.project, s.name), layout);
            },
            // beside the volumes, so that replacing one is a rename on the same filesystem
            stagingDir: root,
            ...(opts.force ? { force: true } : {}),
            ...(opts.configsOut ? { configsOut: opts.configsOut } : {}),
            ...(opts.verifyOnly ? { verifyOnly: true } : {}),
          });
          const m = r.manifest;
          if (opts.json) {
            process.stdout.write(
              `${JSON.stringify({ ok: true, archive: r.archive, verified: r.verified, stack: m.stack, env: m.env, project: m.project, createdAt: m.createdAt, restored: r.restored, ...(r.configsOut ? { configsOut: r.configsOut } : {}) }, null, 2)}\n`,
            );
          } else if (opts.verifyOnly) {
            process.stdout.write(`${pc.green('verified')} ${r.archive}: ${m.entries.length} entries match the manifest (${m.stack}/${m.env}, ${m.createdAt})\n`);
          } else {
            process.stdout.write(`${pc.green('restored')} ${m.stack}/${m.env} from ${m.createdAt} (every checksum verified)\n`);
            for (const v of r.restored) process.stdout.write(`  ${v.name.padEnd(24)} ${String(v.files).padStart(7)} files ${mib(v.bytes).padStart(12)}  ${v.location}\n`);
            if (r.configsOut) process.stdout.write(`  configs → ${r.configsOut}\n`);
            process.stdout.write(`start the stack again: docker compose -p ${m.project} up -d\n`);
          }
          return EXIT.ok;
        } catch (e) {
          return failed(e, opts.json);
        }
      }),
    );
}
