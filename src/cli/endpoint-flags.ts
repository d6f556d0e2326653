import type { Command } from 'commander';

/** A repeatable option's values, in order. */
export const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** The endpoint flags verify and canary share: where to push and where to read back, each overriding the definition. */
export interface EndpointFlags {
  otlpEndpoint?: string;
  protocol: string;
  header: string[];
  tempoUrl?: string;
  prometheusUrl?: string;
  mimirUrl?: string;
  lokiUrl?: string;
  s3Endpoint?: string;
  s3Region?: string;
  tenant?: string;
}

export function endpointOptions(cmd: Command): Command {
  return cmd
    .option('--otlp-endpoint <url>', "OTLP endpoint to push to (default: the environment's collector)")
    .option('--protocol <protocol>', 'grpc | http', 'grpc')
    .option('--header <name=value>', 'extra OTLP header (repeatable, or comma-separated)', collect, [])
    .option('--tempo-url <url>', 'Tempo query URL (default: from the definition)')
    .option('--prometheus-url <url>', 'root of a Prometheus HTTP API, used as is')
    .option('--mimir-url <url>', 'Mimir base URL (its /prometheus prefix is added)')
    .option('--loki-url <url>', 'Loki query URL')
    .option('--s3-endpoint <url>', "S3 endpoint for --check-storage (credentials from the environment: the definition's key names, else AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)")
    .option('--s3-region <region>', 'S3 region');
}

const OVERRIDES = ['otlpEndpoint', 'tempoUrl', 'prometheusUrl', 'mimirUrl', 'lokiUrl', 's3Endpoint', 's3Region', 'tenant'] as const;
type Override = (typeof OVERRIDES)[number];

/** The endpoint flags given on the command line (for resolveTargets): only those set, so the definition fills the rest. */
export function endpointOverrides(o: EndpointFlags): { [K in Override]?: string } {
  const out: { [K in Override]?: string } = {};
  for (const k of OVERRIDES) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
