/**
 * How long each long-running process gets to stop on its own before it is killed: compose's stop_grace_period and
 * the ansible target's systemd TimeoutStopSec read the same table, so a collector flushing its queue, an ingester
 * writing its WAL or a broker moving leadership away gets the same time on every target.
 */
export const STOP_GRACE_SECONDS = {
  otelcol: 60,
  kafka: 60,
  // real Tempo 3.0.1 monolithic took ~62 s to exit after SIGTERM (the backend worker's 30 s backoff, then the
  // metrics-generator's 30 s remote-write flush): 60 s would kill it mid-flush
  tempo: 90,
  mimir: 90,
  loki: 90,
  prometheus: 60,
  seaweedfs: 30,
  minio: 30,
  grafana: 30,
} as const;

export type GracefulProcess = keyof typeof STOP_GRACE_SECONDS;

/** Compose's duration form ("60s"). */
export const graceOf = (p: GracefulProcess): string => `${STOP_GRACE_SECONDS[p]}s`;
