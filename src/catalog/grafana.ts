import { comp } from './component.js';
import type { EngineFacts } from './types.js';
import { Mi, Gi } from './units.js';
import { CHART_REPOS, chartVersion, engineVersion } from './versions.js';

/** Grafana 12 (documentation v12.3): provisioning files under /etc/grafana/provisioning; the chart's sidecar
 * picks up ConfigMaps labelled grafana_datasource / grafana_dashboard. */
export const grafana: EngineFacts = {
  id: 'grafana',
  title: 'Grafana',
  image: 'grafana/grafana',
  pinned: engineVersion('grafana'),
  // grafana/grafana Dockerfile: ARG BASE_IMAGE=alpine:3.x (the default tag; -ubuntu tags are the other base) — busybox wget
  imageTools: { tools: ['grafana', 'wget', 'sh'], source: 'grafana/grafana Dockerfile (BASE_IMAGE alpine)' },
  ports: { http: 3000 },
  ready: { port: 'http', path: '/api/health' },
  buckets: [],
  versions: [
    {
      line: '12',
      releases: ['12.2.0', '12.3.1'],
      documented: 'v12.3',
      modes: {
        monolithic: {
          kafka: 'no',
          chart: { repository: CHART_REPOS.grafanaCommunity, name: 'grafana', version: chartVersion('grafana') },
          components: [comp('grafana', 'read', { cpu: 100, memory: 256 * Mi, storage: 1 * Gi }, [1, 2])],
        },
      },
    },
  ],
};

export const GRAFANA_SIDECAR_LABELS = { datasource: 'grafana_datasource', dashboard: 'grafana_dashboard' } as const;

/**
 * The k8s-sidecar containers the grafana chart adds to every Grafana pod when sidecar provisioning is on (one for
 * datasources, one for dashboards; both take `sidecar.resources`). Requests per container: a hand-chosen size for
 * a file-watching Python process, not a measured one.
 */
export const GRAFANA_SIDECAR = {
  cpu: 10,
  memory: 64 * Mi,
  containers: ['datasources', 'dashboards'],
  /** container names the chart gives them (`<fullname>-sc-datasources`, `<fullname>-sc-dashboard`), for a release named grafana */
  containerNames: (release: string) => [`${release}-sc-datasources`, `${release}-sc-dashboard`],
} as const;
/** Grafana's unified-alerting cluster port (gossip between HA replicas; the chart's headless Service exposes it). */
export const GRAFANA_HA_PORT = 9094;
/**
 * A custom HTTP header a Grafana datasource sends with every query (Grafana 12 "Data sources" provisioning, custom
 * HTTP headers): its name in jsonData.httpHeaderName1, its value in secureJsonData.httpHeaderValue1 — how the
 * engines' tenant header reaches them.
 */
export const GRAFANA_DATASOURCE_HEADER = { name: 'httpHeaderName1', value: 'httpHeaderValue1' } as const;
/** Longest uid Grafana accepts for a datasource or dashboard (Grafana 12.3 documentation, provisioning: "uid" up to 40 characters; unverified in source). */
export const GRAFANA_UID_MAX_LENGTH = 40;
