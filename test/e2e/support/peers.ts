// Where the real engines live: the binaries scripts/peers/*.sh install (see scripts/peers/README.md). Each lookup
// takes the variable scripts/peers/env.sh exports, else the installer's default location, and THROWS with the
// installer to run when the engine is missing — e2e tests call these in before(), so a missing engine fails them
// with that message instead of skipping.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

import { ROOT } from '../../support/paths.js';

export type Peer = 'otelcol' | 'kafka' | 'prometheus' | 'seaweedfs' | 'helm' | 'ansible' | 'haproxy' | 'compose' | 'systemd' | 'jsonnet' | 'openssl' | 'jaeger';

export function cacheDir(): string {
  return process.env['OTELSTACK_CACHE'] || join(homedir(), '.cache', 'otelstack');
}

function executable(p: string | undefined): p is string {
  if (!p) return false;
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

export class MissingPeerError extends Error {
  override readonly name = 'MissingPeerError';
  constructor(peer: Peer, what: string) {
    super(
      `e2e: ${what} — the real ${peer} engine is not installed. Install it with ` +
        `\`bash scripts/peers/install-all.sh ${peer}\` (or all of them: \`bash scripts/peers/install-all.sh\`), ` +
        'then `source scripts/peers/env.sh` and run the e2e tests again (OTELSTACK_TEST_FILTER=e2e npm test).',
    );
  }
}

function peerVersion(key: string): string {
  const v = JSON.parse(readFileSync(join(ROOT, 'src/catalog/versions.json'), 'utf8')) as { peers: Record<string, string> };
  const out = v.peers[key];
  if (!out) throw new Error(`src/catalog/versions.json has no peers.${key}`);
  return out;
}

/** Helm (render --hydrate): HELM_BIN, else the installer's $OTELSTACK_CACHE/bin/helm, else helm on PATH. */
export function helmBin(): string {
  const env = process.env['HELM_BIN'];
  const dflt = join(cacheDir(), 'bin', 'helm');
  if (executable(env)) return env;
  if (executable(dflt)) return dflt;
  const found = onPath('helm');
  if (found) return found;
  throw new MissingPeerError('helm', `no helm binary (HELM_BIN=${env ? JSON.stringify(env) : 'unset'}; ${dflt} missing; none on PATH): the render --hydrate tests run the real \`helm template\``);
}

/** go-jsonnet's `jsonnet` (scripts/peers/jsonnet.sh): evaluates the overlays `migrate render` writes. */
export function jsonnetBin(): string {
  const env = process.env['JSONNET_BIN'];
  const dflt = join(cacheDir(), 'bin', 'jsonnet');
  if (executable(env)) return env;
  if (executable(dflt)) return dflt;
  throw new MissingPeerError('jsonnet', `no jsonnet binary (JSONNET_BIN=${env ? JSON.stringify(env) : 'unset'}; ${dflt} missing): the migrate render tests evaluate every rendered overlay with go-jsonnet`);
}

/** Jaeger v2 (scripts/peers/jaeger.sh, Go module github.com/jaegertracing/jaeger): the real Jaeger of the Jaeger → Tempo runbook. */
export function jaegerBin(): string {
  const env = process.env['JAEGER_BIN'];
  const dflt = join(cacheDir(), 'bin', 'jaeger');
  if (executable(env)) return env;
  if (executable(dflt)) return dflt;
  throw new MissingPeerError('jaeger', `no jaeger binary (JAEGER_BIN=${env ? JSON.stringify(env) : 'unset'}; ${dflt} missing): the Jaeger → Tempo e2e runs the real Jaeger (bash scripts/peers/install-all.sh jaeger)`);
}

/**
 * An ansible tool (ansible-playbook, ansible-inventory, ansible-lint): in ANSIBLE_BIN_DIR, else the installer's
 * $OTELSTACK_CACHE/bin (scripts/peers/ansible.sh: a venv with ansible-core and ansible-lint from PyPI).
 */
export function ansibleTool(name: 'ansible-playbook' | 'ansible-inventory' | 'ansible-lint'): string {
  const dir = process.env['ANSIBLE_BIN_DIR'];
  const dflt = join(cacheDir(), 'bin', name);
  if (dir && executable(join(dir, name))) return join(dir, name);
  if (executable(dflt)) return dflt;
  throw new MissingPeerError('ansible', `no ${name} (ANSIBLE_BIN_DIR=${dir ? JSON.stringify(dir) : 'unset'}; ${dflt} missing): the ansible target's tests run the real Ansible tools`);
}

/** otelcol-otelstack, the collector built from scripts/peers/otelcol-builder.yaml. */
export function otelcolBin(): string {
  const env = process.env['OTELCOL_BIN'];
  const dflt = join(cacheDir(), 'bin', 'otelcol-otelstack');
  if (executable(env)) return env;
  if (executable(dflt)) return dflt;
  throw new MissingPeerError('otelcol', `no OpenTelemetry Collector binary (OTELCOL_BIN=${env ? JSON.stringify(env) : 'unset'}; ${dflt} missing)`);
}

const componentsSeen = new Map<string, string>();

/**
 * otelcol-otelstack with the given component types (`otelcol components`): THROWS naming the missing ones and the
 * installer to re-run when the binary was built from an older builder manifest (otelcol.sh rebuilds on a changed one).
 */
export function otelcolWith(types: readonly string[]): string {
  const bin = otelcolBin();
  let listed = componentsSeen.get(bin);
  if (listed === undefined) {
    const r = spawnSync(bin, ['components'], { encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) throw new Error(`e2e: \`${bin} components\` failed (${r.status ?? r.signal}): ${r.stderr}`);
    listed = r.stdout;
    componentsSeen.set(bin, listed);
  }
  const missing = types.filter((t) => !new RegExp(`^\\s*-?\\s*name: ${t}$`, 'm').test(listed!));
  if (missing.length > 0) {
    throw new MissingPeerError('otelcol', `${bin} has no ${missing.join(', ')} component (built from an older scripts/peers/otelcol-builder.yaml; the installer rebuilds it)`);
  }
  return bin;
}

/** Prometheus (Debian package) — a remote-write receiver with the same query API as Mimir. */
export function prometheusBin(): string {
  const env = process.env['PROMETHEUS_BIN'];
  if (executable(env)) return env;
  const found = onPath('prometheus') ?? [join(cacheDir(), 'bin', 'prometheus'), '/usr/bin/prometheus'].find(executable);
  if (found) return found;
  throw new MissingPeerError('prometheus', `no prometheus binary (PROMETHEUS_BIN=${env ? JSON.stringify(env) : 'unset'}, none on PATH)`);
}

/** systemd-analyze (Debian's systemd package): `verify` of the ansible target's rendered units. */
export function systemdAnalyzeBin(): string {
  const env = process.env['SYSTEMD_ANALYZE_BIN'];
  if (executable(env)) return env;
  const found = [join(cacheDir(), 'bin', 'systemd-analyze'), '/usr/bin/systemd-analyze'].find(executable) ?? onPath('systemd-analyze');
  if (found) return found;
  throw new MissingPeerError('systemd', `no systemd-analyze (SYSTEMD_ANALYZE_BIN=${env ? JSON.stringify(env) : 'unset'}; ${join(cacheDir(), 'bin', 'systemd-analyze')} and /usr/bin/systemd-analyze missing): the ansible target's units are checked with the real systemd-analyze verify`);
}

/** HAProxy (Debian package): the load balancer of the rolling-deploy test, and `haproxy -c` of the rendered config. */
export function haproxyBin(): string {
  const env = process.env['HAPROXY_BIN'];
  if (executable(env)) return env;
  const found = [join(cacheDir(), 'bin', 'haproxy'), '/usr/sbin/haproxy'].find(executable) ?? onPath('haproxy');
  if (found) return found;
  throw new MissingPeerError('haproxy', `no haproxy binary (HAPROXY_BIN=${env ? JSON.stringify(env) : 'unset'}; ${join(cacheDir(), 'bin', 'haproxy')} and /usr/sbin/haproxy missing)`);
}

/** OpenSSL's command-line tool (Debian package, scripts/peers/openssl.sh): the VM TLS test's throw-away CA and certificates. */
export function opensslBin(): string {
  const env = process.env['OPENSSL_BIN'];
  if (executable(env)) return env;
  const found = [join(cacheDir(), 'bin', 'openssl'), '/usr/bin/openssl'].find(executable) ?? onPath('openssl');
  if (found) return found;
  throw new MissingPeerError('openssl', `no openssl (OPENSSL_BIN=${env ? JSON.stringify(env) : 'unset'}; ${join(cacheDir(), 'bin', 'openssl')} and /usr/bin/openssl missing): the VM TLS test makes its CA and certificates with it`);
}

/** Docker Compose v2 (scripts/peers/compose.sh, built from the Go module proxy): `config` of the rendered compose files. */
export function composeBin(): string {
  const env = process.env['COMPOSE_BIN'];
  const dflt = join(cacheDir(), 'bin', 'docker-compose');
  if (executable(env)) return env;
  if (executable(dflt)) return dflt;
  throw new MissingPeerError('compose', `no docker-compose binary (COMPOSE_BIN=${env ? JSON.stringify(env) : 'unset'}; ${dflt} missing): the compose render tests run the real \`docker-compose config\``);
}

/** SeaweedFS `weed` (its S3 gateway). */
export function weedBin(): string {
  const env = process.env['WEED_BIN'];
  const dflt = join(cacheDir(), 'bin', 'weed');
  if (executable(env)) return env;
  if (executable(dflt)) return dflt;
  throw new MissingPeerError('seaweedfs', `no SeaweedFS binary (WEED_BIN=${env ? JSON.stringify(env) : 'unset'}; ${dflt} missing)`);
}

export interface KafkaPeer {
  /** scripts/peers/kafka-run.sh */
  readonly runScript: string;
  /** the directory of the Kafka jars */
  readonly libDir: string;
}

/** Kafka jars from Maven Central plus the cluster script, and java to run them. */
export function kafkaPeer(): KafkaPeer {
  const runScript = process.env['KAFKA_RUN'] && existsSync(process.env['KAFKA_RUN']) ? process.env['KAFKA_RUN'] : join(ROOT, 'scripts', 'peers', 'kafka-run.sh');
  const env = process.env['KAFKA_LIB_DIR'];
  const dflt = join(cacheDir(), `kafka-${peerVersion('kafka')}`, 'libs');
  const libDir = env && existsSync(env) ? env : dflt;
  const hasJars = existsSync(libDir) && readdirSync(libDir).some((f) => /^kafka_2\.13-.*\.jar$/.test(f));
  if (!hasJars) throw new MissingPeerError('kafka', `no Kafka jars (KAFKA_LIB_DIR=${env ? JSON.stringify(env) : 'unset'}; ${dflt} holds no kafka_2.13-*.jar)`);
  if (!onPath('java')) throw new MissingPeerError('kafka', 'no `java` on PATH (Kafka runs with java -cp)');
  return { runScript, libDir };
}
