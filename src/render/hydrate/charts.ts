/**
 * Finding the chart an Application pins, on the user's disk: a local directory holding `<chart>/` (an unpacked
 * chart) or `<chart>-<version>.tgz` (a packaged one), or, by default, Helm's repository cache, where `helm pull` and
 * `helm dependency` keep `<chart>-<version>.tgz`. The version is read from the chart's own Chart.yaml (inside the
 * archive for a .tgz), because `helm template <path> --version X` ignores --version for local paths: a chart at
 * another version would be templated silently.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { list } from 'tar';
import { parse } from 'yaml';

export interface ChartLocation {
  path: string;
  layout: 'directory' | 'archive';
}

export interface ChartLookupFailure {
  chart: string;
  version: string;
  /** every path tried, in order */
  looked: string[];
  /** charts of that name found at other versions (refused) */
  wrongVersions: Array<{ path: string; version: string }>;
  /** a file that is not a readable chart */
  unreadable: Array<{ path: string; reason: string }>;
}

export type ChartLookup = { ok: true; location: ChartLocation } | ({ ok: false } & ChartLookupFailure);

/**
 * Helm's repository cache (helm.sh/docs/helm/helm, "Environment variables"; Helm's XDG base-directory defaults):
 * $HELM_REPOSITORY_CACHE, else $HELM_CACHE_HOME/repository, else $XDG_CACHE_HOME/helm/repository, else
 * ~/Library/Caches/helm/repository on macOS and ~/.cache/helm/repository elsewhere.
 */
export function helmRepositoryCache(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env['HELM_REPOSITORY_CACHE']) return env['HELM_REPOSITORY_CACHE'];
  if (env['HELM_CACHE_HOME']) return join(env['HELM_CACHE_HOME'], 'repository');
  if (env['XDG_CACHE_HOME']) return join(env['XDG_CACHE_HOME'], 'helm', 'repository');
  return platform === 'darwin' ? join(homedir(), 'Library', 'Caches', 'helm', 'repository') : join(homedir(), '.cache', 'helm', 'repository');
}

interface ChartMeta {
  name?: string;
  version?: string;
}

function metaOf(text: string): ChartMeta {
  const v: unknown = parse(text);
  if (!v || typeof v !== 'object') return {};
  const o = v as Record<string, unknown>;
  return { ...(typeof o['name'] === 'string' ? { name: o['name'] } : {}), ...(o['version'] !== undefined ? { version: String(o['version']) } : {}) };
}

/** Chart.yaml at the archive's top directory (`<chart>/Chart.yaml`), read without unpacking. */
async function archiveMeta(file: string): Promise<ChartMeta | undefined> {
  let text: string | undefined;
  await list({
    file,
    onReadEntry: (entry) => {
      if (text === undefined && /^[^/]+\/Chart\.yaml$/.test(entry.path)) {
        const chunks: Buffer[] = [];
        entry.on('data', (c: Buffer) => chunks.push(c));
        entry.on('end', () => (text = Buffer.concat(chunks).toString('utf8')));
      } else entry.resume();
    },
  });
  return text === undefined ? undefined : metaOf(text);
}

async function check(path: string, layout: ChartLocation['layout'], chart: string, version: string, f: ChartLookupFailure): Promise<ChartLocation | undefined> {
  let meta: ChartMeta | undefined;
  try {
    meta = layout === 'directory' ? metaOf(readFileSync(join(path, 'Chart.yaml'), 'utf8')) : await archiveMeta(path);
  } catch (e) {
    f.unreadable.push({ path, reason: (e as Error).message });
    return undefined;
  }
  if (!meta) {
    f.unreadable.push({ path, reason: 'no <chart>/Chart.yaml inside the archive' });
    return undefined;
  }
  if (meta.name !== chart) {
    f.unreadable.push({ path, reason: `its Chart.yaml names chart ${JSON.stringify(meta.name ?? null)}, not ${chart}` });
    return undefined;
  }
  if (meta.version !== version) {
    f.wrongVersions.push({ path, version: meta.version ?? '(none)' });
    return undefined;
  }
  return { path, layout };
}

/** Other `<chart>-<version>.tgz` in a directory (the name is followed by a digit: tempo-1.0.tgz, not tempo-distributed-…). */
function siblingArchives(dir: string, chart: string, except: string): string[] {
  if (!existsSync(dir)) return [];
  const prefix = `${chart}-`;
  return readdirSync(dir)
    .filter((n) => n.startsWith(prefix) && n.endsWith('.tgz') && /^\d/.test(n.slice(prefix.length)) && join(dir, n) !== except)
    .sort()
    .map((n) => join(dir, n));
}

/**
 * Looks for `chart` at exactly `version`: with `chartsDir`, `<dir>/<chart>/` then `<dir>/<chart>-<version>.tgz`;
 * without, `<helm repository cache>/<chart>-<version>.tgz`. A chart of that name at another version is refused
 * (reported in wrongVersions), never used.
 */
export async function locateChart(chart: string, version: string, opts: { chartsDir?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ChartLookup> {
  const f: ChartLookupFailure = { chart, version, looked: [], wrongVersions: [], unreadable: [] };
  const dir = opts.chartsDir ?? helmRepositoryCache(opts.env);
  if (opts.chartsDir) {
    const d = join(dir, chart);
    f.looked.push(`${d}/`);
    if (existsSync(join(d, 'Chart.yaml')) && statSync(d).isDirectory()) {
      const ok = await check(d, 'directory', chart, version, f);
      if (ok) return { ok: true, location: ok };
    }
  }
  const tgz = join(dir, `${chart}-${version}.tgz`);
  f.looked.push(tgz);
  if (existsSync(tgz)) {
    const ok = await check(tgz, 'archive', chart, version, f);
    if (ok) return { ok: true, location: ok };
  }
  // say which other versions are there, so the message can tell a missing chart from a wrong one
  for (const other of siblingArchives(dir, chart, tgz)) await check(other, 'archive', chart, version, f);
  return { ok: false, ...f };
}

/** One paragraph for the user: which chart, where it was looked for, what was found instead. */
export function describeLookupFailure(f: ChartLookupFailure): string {
  const lines = [`chart ${f.chart} ${f.version} not found; looked in: ${f.looked.join(', ')}`];
  for (const w of f.wrongVersions) lines.push(`  refused ${w.path}: it is ${f.chart} ${w.version}, the Application pins ${f.version}`);
  for (const u of f.unreadable) lines.push(`  skipped ${u.path}: ${u.reason}`);
  return lines.join('\n');
}
