import { engineVersion } from './versions.js';

/**
 * Supporting services of the scalable compose stack that are not telemetry engines: the OTLP load balancer and
 * Grafana's shared database. Images are the official ones; versions are pinned in versions.json.
 */
export const SUPPORT_IMAGES = {
  postgresql: { image: 'postgres', version: engineVersion('postgresql') },
  haproxy: { image: 'haproxy', version: engineVersion('haproxy') },
} as const;

/** Configuration path the official haproxy image reads. */
export const HAPROXY_CONFIG_PATH = '/usr/local/etc/haproxy/haproxy.cfg';
