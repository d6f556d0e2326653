import pinned from './versions.json' with { type: 'json' };

/** The pinned versions (src/catalog/versions.json), shared with the installers in scripts/peers. */
export const versions: { engines: Record<string, string>; charts: Record<string, string>; peers: Record<string, string> } = pinned;

export function engineVersion(name: string): string {
  const v = versions.engines[name];
  if (!v) throw new Error(`versions.json has no engines.${name}`);
  return v;
}
export function chartVersion(name: string): string {
  const v = versions.charts[name];
  if (!v) throw new Error(`versions.json has no charts.${name}`);
  return v;
}

export const CHART_REPOS = {
  grafana: 'https://grafana.github.io/helm-charts',
  grafanaCommunity: 'https://grafana-community.github.io/helm-charts',
} as const;
