import { engineVersion } from './versions.js';

/**
 * Where the ansible target's roles download each engine for a VM (linux amd64 release artifacts, each project's
 * own release naming): `url` with {version}; `archive` = a tarball/zip unpacked beside it, `binary` = the
 * executable's path inside the unpacked directory (or the downloaded file itself). Versions are the pins of
 * versions.json. The roles take these as defaults a site may override (a mirror, another architecture).
 */
export interface VmRelease {
  readonly version: string;
  readonly url: string;
  readonly archive: boolean;
  readonly binary: string;
}

const v = (key: string) => engineVersion(key);

export const VM_RELEASES = {
  otelcol: { version: v('otelcol'), url: 'https://github.com/open-telemetry/opentelemetry-collector-releases/releases/download/v{version}/otelcol-contrib_{version}_linux_amd64.tar.gz', archive: true, binary: 'otelcol-contrib' },
  kafka: { version: v('kafka'), url: 'https://archive.apache.org/dist/kafka/{version}/kafka_2.13-{version}.tgz', archive: true, binary: 'kafka_2.13-{version}/bin/kafka-server-start.sh' },
  tempo: { version: v('tempo'), url: 'https://github.com/grafana/tempo/releases/download/v{version}/tempo_{version}_linux_amd64.tar.gz', archive: true, binary: 'tempo' },
  mimir: { version: v('mimir'), url: 'https://github.com/grafana/mimir/releases/download/mimir-{version}/mimir-linux-amd64', archive: false, binary: 'mimir-linux-amd64' },
  loki: { version: v('loki'), url: 'https://github.com/grafana/loki/releases/download/v{version}/loki-linux-amd64.zip', archive: true, binary: 'loki-linux-amd64' },
  prometheus: { version: v('prometheus'), url: 'https://github.com/prometheus/prometheus/releases/download/v{version}/prometheus-{version}.linux-amd64.tar.gz', archive: true, binary: 'prometheus-{version}.linux-amd64/prometheus' },
  seaweedfs: { version: v('seaweedfs'), url: 'https://github.com/seaweedfs/seaweedfs/releases/download/{version}/linux_amd64.tar.gz', archive: true, binary: 'weed' },
  grafana: { version: v('grafana'), url: 'https://dl.grafana.com/oss/release/grafana-{version}.linux-amd64.tar.gz', archive: true, binary: 'grafana-v{version}/bin/grafana' },
} as const satisfies Record<string, VmRelease>;

export type VmReleaseId = keyof typeof VM_RELEASES;
