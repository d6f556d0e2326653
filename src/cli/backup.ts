import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Stack } from '../model/schema.js';
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
  createVmBackup,
  readManifest,
  restoreBackup,
  vmHostBackupPlan,
  vmRestoreTargets,
  volumeDataPath,
  type BackupProgress,
  type BackupResult,
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

/** Options a command was given on its command line (not left at their default). */
function given(cmd: Command, ...names: string[]): string[] {
  return names.filter((n) => cmd.getOptionValueSource(n) === 'cli');
}
const flag = (name: string) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

interface BackupCliOptions { env?: string; out: string; retention?: string; volumesRoot: string; layout: string; volume?: string[]; host?: string; root?: string; json?: boolean }

async function composeBackup(stack: Stack, env: string, opts: BackupCliOptions, retention: number | undefined, onProgress: (p: BackupProgress) => void): Promise<BackupResult> {
  const layout = layoutOf(opts.layout);
  const plan = composeBackupPlan(stack, env);
  const unknown = (opts.volume ?? []).filter((v) => !plan.volumes.includes(v));
  if (unknown.length) throw new BackupError(`environment ${env} has no volume ${unknown.join(', ')}`, 'input', `its volumes: ${plan.volumes.join(', ')}`);
  const volumes = opts.volume ? plan.volumes.filter((v) => opts.volume!.includes(v)) : plan.volumes;
  const root = resolve(opts.volumesRoot);
  return createBackup({
    onProgress,
    stack: plan.stack,
    env,
    project: plan.project,
    sources: volumes.map((v) => new DirectorySource(v, volumeDataPath(root, layout, plan.project, v))),
    configs: plan.configs,
    outDir: opts.out,
    ...(retention !== undefined ? { retention } : {}),
  });
}

/**
 * `otelstack backup` and `otelstack restore` (seed 002 §5): a compose environment's named volumes, or — run on a
 * storage host of an ansible environment (the otelstack-backup role's systemd timer does) — the data directories
 * and configs the roles placed on that host.
 *
 * backup --json: { ok, archive, bytes, sha256, stack, env, project, target, host?, createdAt,
 *                  sources: [{ kind, name, location, files, bytes, sha256 }], configs: { files, bytes, sha256 },
 *                  pruned: [path], skipped: [path] }          (target "compose" | "ansible"; ansible: project = host)
 * restore --json: { ok, archive, verified, stack, env, project, target, host?, createdAt,
 *                   restored: [{ kind, name, location, files, bytes }], configsOut? }
 * either, failing: { ok: false, error: { kind: "input" | "verification", message, suggestion? } } (errors.ts JsonError)
 */
export function backupCommands(program: Command, run: Run): void {
  program
    .command('backup')
    .description('archive an environment into a timestamped .tar.gz with a checksummed manifest: a compose environment\'s named volumes and rendered configs, or (on a storage VM of an ansible environment) the data directories and configs the roles placed there')
    .argument('<definition>', 'stack definition (.ts / .yaml file or directory)')
    .option('--env <name>', 'the compose or ansible environment (default: the only one)')
    .requiredOption('--out <dir>', 'directory for the archives')
    .option('--retention <n>', 'keep only the newest N archives of this environment (ansible: of this host)')
    .option('--volumes-root <path>', 'compose: where the volumes live', DOCKER_VOLUMES_ROOT)
    .option('--layout <layout>', `compose: docker (<root>/<project>_<volume>/_data) | plain (<root>/<volume>)`, 'docker')
    .option('--volume <name...>', 'compose: only these volumes (default: every named volume of the environment)')
    .option('--host <name>', 'ansible: the storage host this runs on, by inventory name (storage-0 …) or address (default: the only one)')
    .option('--root <dir>', 'ansible: the directory the host\'s paths are under', '/')
    .option('--json', 'print the result as JSON')
    .action((definition: string, opts: BackupCliOptions, cmd: Command) =>
      run(async () => {
        let retention: number | undefined;
        if (opts.retention !== undefined) {
          retention = Number(opts.retention);
          if (!Number.isInteger(retention) || retention < 1) throw new UsageError(`--retention must be a whole number ≥ 1, not "${opts.retention}"`);
        }
        const { file, stack } = await loadStack(definition);
        const candidates = stack.environments.filter((e) => e.target === 'compose' || e.target === 'ansible');
        const env = opts.env ?? (candidates.length === 1 ? candidates[0]!.name : undefined);
        if (!env) throw new UsageError(`${file}: say which environment with --env`, `compose and ansible environments: ${candidates.map((e) => e.name).join(', ') || 'none'}`);
        const target = stack.environments.find((e) => e.name === env)?.target;
        const wrong = target === 'ansible' ? given(cmd, 'volumesRoot', 'layout', 'volume') : target === 'compose' ? given(cmd, 'host', 'root') : [];
        if (wrong.length) throw new UsageError(`${wrong.map(flag).join(', ')} ${wrong.length > 1 ? 'are' : 'is'} not for ${target} environments (${env} runs on ${target})`, target === 'ansible' ? 'on a VM: --host <storage host> and --root <dir>' : 'for compose: --volumes-root, --layout, --volume');
        try {
          const bar = await ttyProgress('backup [{bar}] {phase} {value}/{total} {source}');
          const onProgress = (p: BackupProgress) => bar.update(p.done, p.total, { phase: p.phase, source: p.source ?? '' });
          const r = await (target === 'ansible'
            ? createVmBackup({ plan: vmHostBackupPlan(stack, env, opts.host), root: resolve(opts.root ?? '/'), outDir: opts.out, onProgress, ...(retention !== undefined ? { retention } : {}) })
            : composeBackup(stack, env, opts, retention, onProgress)
          ).finally(() => bar.stop());
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
                  target: m.target ?? 'compose',
                  ...(m.host ? { host: m.host } : {}),
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
            const what = m.target === 'ansible' ? `${m.host}: ${m.sources.length} data directories` : `${m.sources.length} volumes`;
            process.stdout.write(`${pc.green('backed up')} ${what} (${files} files, ${mib(bytes)}) and ${m.configs.files} config files → ${r.archive} (${mib(r.bytes)}, sha256 ${r.sha256})\n`);
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
    .description('restore a backup archive: verifies every checksum first; refuses to overwrite non-empty volumes or data directories without --force')
    .argument('<archive>', 'an archive written by otelstack backup')
    .option('--volumes-root <path>', `compose archives: where the volumes live (Docker: ${DOCKER_VOLUMES_ROOT}); required unless --verify-only`)
    .option('--layout <layout>', `compose archives: docker (<root>/<project>_<volume>/_data) | plain (<root>/<volume>)`, 'docker')
    .option('--root <dir>', 'archives of a VM (ansible): the directory the host\'s paths are under', '/')
    .option('--force', 'replace volumes / data directories (and --configs-out) that are not empty')
    .option('--configs-out <dir>', 'also write the archived configs here')
    .option('--verify-only', 'only check the archive against its manifest; change nothing')
    .option('--json', 'print the result as JSON')
    .action((archive: string, opts: { volumesRoot?: string; layout: string; root: string; force?: boolean; configsOut?: string; verifyOnly?: boolean; json?: boolean }, cmd: Command) =>
      run(async () => {
        const layout = layoutOf(opts.layout);
        try {
          // the manifest (the archive's first entry) says where the archive was made
          const head = await readManifest(resolve(archive));
          const vm = head.target === 'ansible';
          const wrong = vm ? given(cmd, 'volumesRoot', 'layout') : given(cmd, 'root');
          if (wrong.length) throw new UsageError(`${wrong.map(flag).join(', ')} ${wrong.length > 1 ? 'are' : 'is'} not for ${vm ? `an archive of a VM (${head.host})` : 'a compose archive'}`, vm ? 'a VM archive restores under --root (default /)' : 'a compose archive restores under --volumes-root');
          if (!vm && !opts.volumesRoot && !opts.verifyOnly) throw new UsageError('restore needs --volumes-root', `where the volumes live; for Docker: --volumes-root ${DOCKER_VOLUMES_ROOT}`);
          const root = resolve(vm ? opts.root : (opts.volumesRoot ?? '.'));
          const vmTargets = vm ? await vmRestoreTargets(head, root, { checkFilesystems: !opts.verifyOnly }) : undefined;
          const r = await restoreBackup({
            archive: resolve(archive),
            targetFor: (s, m) => {
              if (s.kind !== 'volume') throw new BackupError(`${archive} holds ${s.kind} ${s.name}: this otelstack restores volumes only`, 'input');
              return vmTargets ? vmTargets.targets.get(s.name)! : new VolumeTarget(s.name, volumeDataPath(root, layout, m.project, s.name), layout);
            },
            // beside the volumes / data directories, so that replacing one is a rename on the same filesystem
            stagingDir: vmTargets?.stagingDir ?? root,
            ...(opts.force ? { force: true } : {}),
            ...(opts.configsOut ? { configsOut: opts.configsOut } : {}),
            ...(opts.verifyOnly ? { verifyOnly: true } : {}),
          });
          const m = r.manifest;
          if (opts.json) {
            process.stdout.write(
              `${JSON.stringify({ ok: true, archive: r.archive, verified: r.verified, stack: m.stack, env: m.env, project: m.project, target: m.target ?? 'compose', ...(m.host ? { host: m.host } : {}), createdAt: m.createdAt, restored: r.restored, ...(r.configsOut ? { configsOut: r.configsOut } : {}) }, null, 2)}\n`,
            );
          } else if (opts.verifyOnly) {
            process.stdout.write(`${pc.green('verified')} ${r.archive}: ${m.entries.length} entries match the manifest (${m.stack}/${m.env}${m.host ? ` ${m.host}` : ''}, ${m.createdAt})\n`);
          } else {
            process.stdout.write(`${pc.green('restored')} ${m.stack}/${m.env}${m.host ? ` ${m.host}` : ''} from ${m.createdAt} (every checksum verified)\n`);
            for (const v of r.restored) process.stdout.write(`  ${v.name.padEnd(24)} ${String(v.files).padStart(7)} files ${mib(v.bytes).padStart(12)}  ${v.location}\n`);
            if (r.configsOut) process.stdout.write(`  configs → ${r.configsOut}\n`);
            process.stdout.write(vmTargets ? `start the engines again: systemctl start ${vmTargets.units.join(' ')}\n` : `start the stack again: docker compose -p ${m.project} up -d\n`);
          }
          return EXIT.ok;
        } catch (e) {
          return failed(e, opts.json);
        }
      }),
    );
}
