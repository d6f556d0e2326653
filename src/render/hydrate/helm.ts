/**
 * The Helm runner: spawns the real `helm template` (HELM_BIN, else `helm` on PATH). Kept apart from the checks,
 * which are pure functions over its output. Helm's own state (repositories, plugins, registry logins) is pointed at
 * a throwaway directory so that templating a local chart never reads or writes the user's Helm configuration.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * The Kubernetes version templates are evaluated against (`.Capabilities.KubeVersion`, and charts' `kubeVersion`
 * constraints). Helm's default comes from its build flags (v1.20.0 in a plain `go install` build, which charts
 * requiring >=1.25 refuse), so otelstack always passes one; 1.33 is a currently supported Kubernetes minor.
 */
export const DEFAULT_KUBE_VERSION = '1.33.0';

export type HelmLookup = { ok: true; bin: string } | { ok: false; looked: string[] };

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** HELM_BIN when set (it must then be executable), else the first `helm` on PATH. */
export function findHelm(env: NodeJS.ProcessEnv = process.env): HelmLookup {
  const fromEnv = env['HELM_BIN'];
  if (fromEnv) return executable(fromEnv) ? { ok: true, bin: fromEnv } : { ok: false, looked: [`HELM_BIN=${fromEnv} (not executable)`] };
  const dirs = (env['PATH'] ?? '').split(delimiter).filter(Boolean);
  for (const d of dirs) if (executable(join(d, 'helm'))) return { ok: true, bin: join(d, 'helm') };
  return { ok: false, looked: ['HELM_BIN (unset)', `helm on PATH (${dirs.length} directories)`] };
}

export interface TemplateRequest {
  release: string;
  /** local chart directory or .tgz */
  chartPath: string;
  version: string;
  namespace: string;
  /** values YAML, passed with -f */
  values: string;
  kubeVersion?: string;
}

export type TemplateResult = { ok: true; manifests: string; args: string[] } | { ok: false; stderr: string; args: string[]; code: number | null };

/** `helm template <release> <chart> --version <v> --namespace <ns> --kube-version <k> -f <values>`, bounded by a timeout. */
export function helmTemplate(bin: string, req: TemplateRequest, timeoutMs = 120_000): Promise<TemplateResult> {
  const tmp = mkdtempSync(join(tmpdir(), 'otelstack-hydrate-'));
  const valuesFile = join(tmp, 'values.yaml');
  writeFileSync(valuesFile, req.values);
  const args = ['template', req.release, req.chartPath, '--version', req.version, '--namespace', req.namespace, '--kube-version', req.kubeVersion ?? DEFAULT_KUBE_VERSION, '-f', valuesFile];
  const env = { ...process.env, HELM_CACHE_HOME: join(tmp, 'cache'), HELM_CONFIG_HOME: join(tmp, 'config'), HELM_DATA_HOME: join(tmp, 'data') };
  return new Promise((resolve) => {
    execFile(bin, args, { env, timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      rmSync(tmp, { recursive: true, force: true });
      const shown = args.map((a) => (a === valuesFile ? '<values>' : a));
      if (err) resolve({ ok: false, stderr: (stderr || err.message).trim(), args: shown, code: typeof err.code === 'number' ? err.code : null });
      else resolve({ ok: true, manifests: stdout, args: shown });
    });
  });
}
