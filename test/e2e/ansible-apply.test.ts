// Issue 12 "Proof with the real tool — a real run": the ansible target's playbooks APPLIED by the real ansible-playbook
// (scripts/peers/ansible.sh's venv; not --check) to this machine, twice, then what they installed run under load.
//
// The stack: examples/vms' dev environment edited in its definition (every host a 127.x loopback address; two gateways, one processor,
// one Kafka broker with the topics at replication 1; every trace sampled; no canary), placed on loopback through the
// topology (toLoopback: the broker's ports, the OTLP sink standing in for Tempo, Mimir and Loki), rendered by
// renderAnsible. site.yml runs limited to the Kafka and collector hosts (the engines and Grafana are the sink).
//
// What the test gives Ansible (extra vars, every one a role variable whose default is what a VM gets):
//  - ansible_connection: local, ansible_become: false (the test already runs as itself; there is no sudo);
//  - otelstack_root: <tmp>/hosts/<inventory host>: every host writes its directories, configs and units under its own
//    root (seeded with what a fresh VM has there: /etc/hosts, /etc/sysctl.d, /etc/security/limits.d, /etc/systemd/system);
//  - otelstack_manage_system: false — what cannot happen in a test is skipped by the roles: system users and groups,
//    packages (the JDK), systemctl (enable/start/restart handlers), sysctl --system, journald's restart, and what needs
//    the service systemd would have started (the health checks, Kafka's topic creation, the drain step's queue wait);
//    common_user: the test's own user (owner of what the services write);
//  - the release downloads come from scripts/peers' cache as file:// URLs: the collector's tarball is a tar the test
//    packs from scripts/peers' otelcol-otelstack (ocb build with the components the rendered configs use) under the
//    release's binary name (otelcol-contrib); Kafka's tarball is a tar of kafka_2.13-<v>/ holding scripts/peers' Maven
//    jars and, standing in for the Apache tarball's bin/ scripts, three wrappers running the same main classes
//    (kafka.Kafka, kafka.tools.StorageTool, org.apache.kafka.tools.TopicCommand);
//  - Kafka's listeners on 127.0.0.1 at free ports (kafka_listen_address, kafka_client_port, kafka_controller_port,
//    kafka_advertised_host, the voters), and each collector host its own config file (otel_collector_config_src): the
//    pool's config rendered by the same code for that process's placement (loopback ports, its queue directory under
//    its root), since two collectors on one machine cannot share the catalog's ports as two VMs do.
// Then the playbook's Kafka storage format (kafka-storage.sh format) really runs; everything else it would do on a VM
// is written under the roots.
//
// Where systemd cannot run (it is not the init here): the test's process manager starts each installed unit's
// ExecStart as written in the unit file the playbook wrote, with its Environment= lines; Kafka's readiness is the
// playbook's own check (its client port accepts connections) and the topics are created with the role's command
// (kafka-topics.sh --create --if-not-exists, the inventory's kafka_topics). The unit files themselves are checked by
// systemd-analyze verify in test/render/ansible/systemd-units.test.ts.
//
// Rolling update through the playbook: the definition changes (a bigger persistent queue), the per-host configs are
// rendered again, and collectors.yml runs (serial: 1, processors first) while load flows; the test stands in for the
// restart handler systemd would run: it restarts each collector whose installed config the playbook changed, one at a
// time in the order the playbook changed them, waiting for health before the next (the playbook itself does not wait:
// its health check is one of the skipped steps). Done when: failed=0 on every run, changed=0 for every host on the
// second run, and lost = 0 in the accounting (sent, acknowledged, delivered) of the load through the two gateways.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { parse } from 'yaml';

import type { Signal } from '../../src/ops/otlp/index.js';
import type { Stack } from '../../src/model/schema.js';
import { renderAnsible } from '../../src/render/ansible/index.js';
import { COLLECTOR_CONFIG_PATH, COLLECTOR_QUEUE_DIR, renderCollectorConfig, type CollectorRole } from '../../src/render/configs/otelcol.js';
import { toYaml } from '../../src/render/fileset.js';
import type { RenderInput } from '../../src/render/types.js';
import { LOOPBACK_HOST, freeLoopbackPorts } from '../../src/topology/loopback.js';
import { OtlpSink } from '../support/otlp-sink.js';
import { printRows, printTable } from './support/faults.js';
import { tcpOpen } from './support/lb.js';
import { SteadyLoad, account, allAckedDelivered, totalRow, type FaultRow } from './support/load.js';
import { ansibleTool, kafkaPeer, otelcolWith } from './support/peers.js';
import { ManagedProcess, killAllTracked, trackGroup, untrackGroup, waitUntil } from './support/proc.js';
import { exampleVariant, loopbackInput } from './support/stacks.js';
import { queueState, scrape, totalOf } from './support/telemetry.js';
import { Setup, makeTempDir, removeTempDir } from './support/tmp.js';

const ENV = 'dev';
const SIGNALS: readonly Signal[] = ['traces', 'metrics', 'logs'];
const OLD_QUEUE = 5000;
const NEW_QUEUE = 6000;
const PLAYBOOK_TIMEOUT_MS = 600_000;

type Recap = Record<string, { ok: number; changed: number; unreachable: number; failed: number; skipped: number }>;

interface PlaybookRun {
  readonly code: number | null;
  readonly out: string;
  readonly recap: Recap;
}

/** The PLAY RECAP lines of ansible-playbook's default output: host → counters. */
function parseRecap(out: string): Recap {
  const recap: Recap = {};
  const at = out.lastIndexOf('PLAY RECAP');
  if (at < 0) return recap;
  for (const line of out.slice(at).split('\n').slice(1)) {
    const m = /^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)/.exec(line.trim());
    if (m) recap[m[1]!] = { ok: Number(m[2]), changed: Number(m[3]), unreachable: Number(m[4]), failed: Number(m[5]), skipped: Number(m[6]) };
  }
  return recap;
}

const recapLines = (out: string): string[] => {
  const at = out.lastIndexOf('PLAY RECAP');
  return at < 0 ? [] : out.slice(at).split('\n').slice(1).filter((l) => /\sok=\d+/.test(l)).map((l) => l.trim().replace(/\s+/g, ' '));
};

/**
 * Splits an Exec*= / Environment= value into words as systemd does for what the templates write: whitespace between
 * words, a double-quoted word kept whole without its quotes (written by hand: no library in package.json reads unit
 * files; the units carry no escapes or single quotes, asserted below).
 */
function unitWords(value: string): string[] {
  assert.ok(!/[\\']/.test(value), `unit value without escapes or single quotes: ${value}`);
  const out: string[] = [];
  for (const m of value.matchAll(/"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2]!);
  return out;
}

/** ExecStart (argv) and Environment= of an installed unit file. */
function unitCommand(file: string): { argv: string[]; env: Record<string, string> } {
  const env: Record<string, string> = {};
  let argv: string[] | undefined;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    if (m[1] === 'Environment') {
      for (const w of unitWords(m[2]!)) {
        const i = w.indexOf('=');
        env[w.slice(0, i)] = w.slice(i + 1);
      }
    } else if (m[1] === 'ExecStart') argv = unitWords(m[2]!);
  }
  assert.ok(argv && argv.length > 0, `${file}: an ExecStart`);
  return { argv, env };
}


/** Runs a command in its own process group with a bounded wait (SIGKILL to the group at the deadline). */
function runBounded(cmd: string, args: readonly string[], o: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number; onOutput?: (chunk: string) => void }): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...args], { cwd: o.cwd, env: { ...process.env, ...(o.env ?? {}) }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid === undefined) return reject(new Error(`could not start ${cmd}`));
    const pgid = child.pid;
    trackGroup(pgid);
    let out = '';
    const take = (d: Buffer) => {
      const s = d.toString();
      out += s;
      o.onOutput?.(s);
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    const timer = setTimeout(() => {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, o.timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      untrackGroup(pgid);
      resolve({ code, out });
    });
  });
}

interface CollectorHost {
  readonly host: string;
  readonly role: CollectorRole;
  readonly ports: { otlpGrpc: number; otlpHttp: number; health: number; metrics: number; faro: number };
}

/** One installed service of one inventory host, run from its unit file by the test (standing in for systemd). */
class InstalledService {
  private proc: ManagedProcess | undefined;
  constructor(
    readonly name: string,
    readonly unitFile: string,
    private readonly logFile: string,
  ) {}

  start(): void {
    const { argv, env } = unitCommand(this.unitFile);
    if (this.proc) {
      if (this.proc.running) throw new Error(`${this.name}: start while running`);
      this.proc.restart();
      return;
    }
    this.proc = ManagedProcess.start(this.name, argv[0]!, { args: argv.slice(1), env, logFile: this.logFile });
  }
  get running(): boolean {
    return this.proc?.running ?? false;
  }
  logTail(n = 30): string {
    return this.proc?.logTail(n) ?? '(not started)';
  }
  /** SIGTERM as systemd's KillSignal, up to the unit's TimeoutStopSec, then SIGKILL. */
  async stop(): Promise<void> {
    const m = /^TimeoutStopSec=(\d+)s$/m.exec(readFileSync(this.unitFile, 'utf8'));
    await this.proc?.stop({ signal: 'SIGTERM', graceMs: (m ? Number(m[1]) : 30) * 1000 });
  }
}

describe('e2e ansible apply: the rendered playbooks applied by the real ansible-playbook (local, temp roots), twice; what they installed, run under load', { timeout: 1_500_000 }, () => {
  let dir: string | undefined;
  let sink: OtlpSink | undefined;
  const loads: SteadyLoad[] = [];
  const services = new Map<string, InstalledService>();
  const rows: FaultRow[] = [];

  const setup = new Setup(async () => {
    const playbookBin = ansibleTool('ansible-playbook');
    const kafka = kafkaPeer();
    dir = makeTempDir('ansible-apply');
    sink = await OtlpSink.start();
    const [kafkaClient, kafkaController] = (await freeLoopbackPorts(2)) as [number, number];
    const variant = (queueSize: number): Stack =>
      exampleVariant('vms', (raw) => {
        const dev = raw['environments'].find((e: { name: string }) => e.name === ENV);
        // loopback addresses, one per host (a definition lists each address once per group); the connection is local
        dev.hosts = { gateway: ['127.0.1.1', '127.0.1.2'], processor: ['127.0.2.1'], kafka: ['127.0.3.1'], storage: ['127.0.4.1', '127.0.4.2', '127.0.4.3', '127.0.4.4'], grafana: ['127.0.5.1'] };
        raw['kafka'].environments[ENV].brokers = 1;
        for (const t of Object.values(raw['ingestion'].topics) as Array<Record<string, number>>) Object.assign(t, { replication: 1, minInSyncReplicas: 1 });
        raw['ingestion'].environments[ENV].gateway.replicas = 2;
        // every trace kept (the example samples 10 %): each acknowledged span must arrive
        raw['ingestion'].sampling.policies = [{ name: 'everything', type: 'always' }];
        raw['ingestion'].persistentQueue.queueSize = queueSize;
        delete raw['canary'];
        // plaintext between the "hosts" (all on this machine): TLS between VMs is applied and proven in vm-tls.test.ts
        delete dev.tls;
      });
    const input = await loopbackInput(variant(OLD_QUEUE), ENV, { sink, kafkaPorts: [kafkaClient] });
    const newInput: RenderInput = { stack: variant(NEW_QUEUE), topology: input.topology };

    const rendered = renderAnsible(input);
    const errors = rendered.findings.filter((f) => f.severity === 'error');
    assert.deepEqual(errors, [], 'renderAnsible: no error findings');
    for (const [path, text] of rendered.files) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const ansibleDir = join(dir, 'ansible');
    const inventoryFile = join(ansibleDir, 'inventory', `${ENV}.yml`);
    const inv = parse(readFileSync(inventoryFile, 'utf8')) as any;
    const groups = inv.all.children;
    const hostsOf = (g: any): string[] => Object.keys(g?.hosts ?? {});
    const collectorHosts: CollectorHost[] = [];
    for (const role of ['processor', 'gateway'] as const) {
      for (const host of hostsOf(groups.collectors.children[`collectors_${role}`])) {
        const [otlpGrpc, otlpHttp, health, metrics, faro] = (await freeLoopbackPorts(5)) as [number, number, number, number, number];
        collectorHosts.push({ host, role, ports: { otlpGrpc, otlpHttp, health, metrics, faro } });
      }
    }
    const kafkaHosts = hostsOf(groups.kafka);
    assert.deepEqual(kafkaHosts, ['kafka-0']);
    assert.deepEqual(collectorHosts.map((c) => c.host), ['processor-0', 'gateway-0', 'gateway-1']);
    const rootOf = (host: string) => join(dir!, 'hosts', host);
    for (const host of [...kafkaHosts, ...collectorHosts.map((c) => c.host)]) {
      // what a fresh Debian VM has and the roles write into (they create only their own directories)
      for (const d of ['etc/sysctl.d', 'etc/security/limits.d', 'etc/systemd/system']) mkdirSync(join(rootOf(host), d), { recursive: true });
      writeFileSync(join(rootOf(host), 'etc', 'hosts'), '127.0.0.1 localhost\n');
    }

    // each collector host's config: the pool's config for this process's placement (same code as the role's file)
    const configsDir = join(dir, 'host-configs');
    mkdirSync(configsDir, { recursive: true });
    const writeHostConfigs = (inp: RenderInput) => {
      for (const c of collectorHosts) {
        const placement = { host: LOOPBACK_HOST, ports: c.ports, storageDirectory: join(rootOf(c.host), COLLECTOR_QUEUE_DIR) };
        writeFileSync(join(configsDir, `${c.host}.yaml`), `# ${c.role} for ${c.host}, placed on loopback by test/e2e/ansible-apply.test.ts\n${toYaml(renderCollectorConfig(inp, c.role, [], placement))}`);
      }
    };
    writeHostConfigs(input);
    // every component type the configs name is in scripts/peers' collector build
    const types = new Set<string>();
    for (const role of ['gateway', 'processor'] as const) {
      const cfg = renderCollectorConfig(input, role);
      for (const kind of ['receivers', 'processors', 'exporters', 'extensions']) for (const id of Object.keys((cfg[kind] as object | undefined) ?? {})) types.add(id.split('/')[0]!);
    }
    const otelcol = otelcolWith([...types].sort());

    // the release tarballs, packed from scripts/peers' cache (see the header)
    const releases = join(dir, 'releases');
    const kafkaVersion = (parse(readFileSync(join(ansibleDir, 'roles/kafka/defaults/main.yml'), 'utf8')) as { kafka_version: string }).kafka_version;
    const otelcolVersion = (parse(readFileSync(join(ansibleDir, 'roles/otel-collector/defaults/main.yml'), 'utf8')) as { otel_collector_version: string }).otel_collector_version;
    const stage = join(releases, 'stage');
    mkdirSync(join(stage, 'otelcol'), { recursive: true });
    copyFileSync(otelcol, join(stage, 'otelcol', 'otelcol-contrib'));
    chmodSync(join(stage, 'otelcol', 'otelcol-contrib'), 0o755);
    const kdir = join(stage, 'kafka', `kafka_2.13-${kafkaVersion}`);
    mkdirSync(join(kdir, 'bin'), { recursive: true });
    symlinkSync(kafka.libDir, join(kdir, 'libs'));
    const wrapper = (main: string, jvm: string) =>
      `#!/bin/sh\n# stand-in for the Apache Kafka tarball's bin/ script (test/e2e/ansible-apply.test.ts): the same main class, scripts/peers' jars\nd="$(cd "$(dirname "$0")/.." && pwd)"\nexec java ${jvm} -cp "$d/libs/*" ${main} "$@"\n`;
    const tool = '-Djava.awt.headless=true -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dlog4j2.level=WARN';
    for (const [f, main, jvm] of [
      ['kafka-server-start.sh', 'kafka.Kafka', '$KAFKA_HEAP_OPTS -Djava.awt.headless=true'],
      ['kafka-storage.sh', 'kafka.tools.StorageTool', tool],
      ['kafka-topics.sh', 'org.apache.kafka.tools.TopicCommand', tool],
    ] as const) {
      writeFileSync(join(kdir, 'bin', f), wrapper(main, jvm));
      chmodSync(join(kdir, 'bin', f), 0o755);
    }
    const tar = (name: string, from: string, what: string) => {
      const r = spawnSync('tar', ['-chf', join(releases, name), '-C', from, what], { encoding: 'utf8', timeout: 120_000 });
      if (r.status !== 0) throw new Error(`tar ${name}: ${r.stderr}`);
      return `file://${join(releases, name)}`;
    };
    const otelcolUrl = tar('otelcol.tar', join(stage, 'otelcol'), 'otelcol-contrib');
    const kafkaUrl = tar('kafka.tar', join(stage, 'kafka'), `kafka_2.13-${kafkaVersion}`);

    const vars = {
      ansible_connection: 'local',
      ansible_become: false,
      ansible_python_interpreter: '{{ ansible_playbook_python }}',
      otelstack_root: `${dir}/hosts/{{ inventory_hostname }}`,
      otelstack_manage_system: false,
      common_user: userInfo().username,
      otelstack_s3_env: false,
      otel_collector_download_url: otelcolUrl,
      otel_collector_config_src: `${configsDir}/{{ inventory_hostname }}.yaml`,
      kafka_download_url: kafkaUrl,
      kafka_listen_address: LOOPBACK_HOST,
      kafka_advertised_host: LOOPBACK_HOST,
      kafka_client_port: kafkaClient,
      kafka_controller_port: kafkaController,
      kafka_controller_quorum_voters: `0@${LOOPBACK_HOST}:${kafkaController}`,
    };
    const varsFile = join(dir, 'test-vars.json');
    writeFileSync(varsFile, JSON.stringify(vars, null, 2));
    const ansibleEnv = { ANSIBLE_HOME: join(dir, 'ansible-home'), ANSIBLE_LOCAL_TEMP: join(dir, 'ansible-tmp'), ANSIBLE_REMOTE_TEMP: join(dir, 'ansible-tmp'), ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: 'false', ANSIBLE_CONFIG: join(ansibleDir, 'ansible.cfg') };
    const playbook = (book: string, limit: string, onOutput?: (s: string) => void): Promise<PlaybookRun> =>
      runBounded(playbookBin, ['-i', inventoryFile, join(ansibleDir, 'playbooks', book), '--limit', limit, '-e', `@${varsFile}`], { cwd: ansibleDir, env: ansibleEnv, timeoutMs: PLAYBOOK_TIMEOUT_MS, ...(onOutput ? { onOutput } : {}) }).then((r) => ({ ...r, recap: parseRecap(r.out) }));
    const version = spawnSync(playbookBin, ['--version'], { encoding: 'utf8', timeout: 60_000 }).stdout.split('\n')[0];
    return { dir, input, newInput, inv, kafkaHosts, collectorHosts, rootOf, playbook, version, kafkaClient, kafkaVersion, otelcolVersion, writeHostConfigs, ansibleDir };
  });
  before(setup.run);
  after(async () => {
    for (const l of loads) await l.close().catch(() => undefined);
    for (const s of [...services.values()].reverse()) await s.stop().catch(() => undefined);
    await sink?.stop();
    killAllTracked();
    if (rows.length > 0) printTable('ansible apply: load through the installed gateways');
    removeTempDir(dir);
  });

  const runs: PlaybookRun[] = [];
  const LIMIT = 'kafka,collectors';

  it('the first run installs every Kafka and collector host (failed=0) under its root', async () => {
    const { playbook, version, kafkaHosts, collectorHosts, rootOf } = setup.get();
    console.log(`# ${version}`);
    const r = await playbook('site.yml', LIMIT);
    runs.push(r);
    for (const l of recapLines(r.out)) console.log(`# run 1: ${l}`);
    assert.equal(r.code, 0, `ansible-playbook failed:\n${r.out.slice(-6000)}`);
    const hosts = [...kafkaHosts, ...collectorHosts.map((c) => c.host)].sort();
    assert.deepEqual(Object.keys(r.recap).sort(), hosts, 'every host in the PLAY RECAP');
    for (const h of hosts) {
      assert.equal(r.recap[h]!.failed, 0, `${h} failed=0`);
      assert.equal(r.recap[h]!.unreachable, 0);
      assert.ok(r.recap[h]!.changed > 0, `${h} changed something on the first run`);
    }
    for (const c of collectorHosts) {
      const root = rootOf(c.host);
      assert.ok(existsSync(join(root, 'etc/systemd/system/otelstack-otelcol.service')), `${c.host}: unit installed`);
      assert.match(readFileSync(join(root, COLLECTOR_CONFIG_PATH), 'utf8'), new RegExp(`queue_size: ${OLD_QUEUE}\\b`), `${c.host}: config placed`);
      assert.match(readFileSync(join(root, 'etc/hosts'), 'utf8'), /# BEGIN otelstack service names\n[\s\S]*kafka-0/, `${c.host}: service names in its /etc/hosts`);
    }
    const kroot = rootOf('kafka-0');
    assert.ok(existsSync(join(kroot, 'var/lib/kafka/data/meta.properties')), 'the KRaft storage was formatted by the playbook');
    assert.match(readFileSync(join(kroot, 'etc/otelstack/kafka/server.properties'), 'utf8'), new RegExp(`^listeners=PLAINTEXT://127\\.0\\.0\\.1:\\d+,CONTROLLER://127\\.0\\.0\\.1:\\d+$`, 'm'));
  });

  it('the second run changes nothing: changed=0 for every host (idempotence)', async () => {
    assert.equal(runs.length, 1, 'the first run happened');
    const { playbook } = setup.get();
    const r = await playbook('site.yml', LIMIT);
    runs.push(r);
    for (const l of recapLines(r.out)) console.log(`# run 2: ${l}`);
    assert.equal(r.code, 0, `ansible-playbook failed:\n${r.out.slice(-6000)}`);
    assert.deepEqual(Object.keys(r.recap).sort(), Object.keys(runs[0]!.recap).sort());
    const changedTasks = r.out.split('\n').filter((l) => l.startsWith('changed:'));
    for (const [h, c] of Object.entries(r.recap)) {
      assert.equal(c.failed, 0, `${h} failed=0`);
      assert.equal(c.changed, 0, `${h} changed=0 on the second run; changed lines: ${changedTasks.join(' | ')}\n${r.out.slice(-4000)}`);
    }
  });

  it("the installed units' ExecStart run under load through both gateways: lost = 0", async () => {
    assert.equal(runs.length, 2, 'both runs happened');
    const { dir, inv, kafkaHosts, collectorHosts, rootOf, kafkaClient, kafkaVersion, otelcolVersion } = setup.get();
    const logs = join(dir, 'logs');
    mkdirSync(logs, { recursive: true });
    // Kafka first (start-up order), ready when its client port accepts connections (the role's own check)
    const kafkaSvc = new InstalledService('kafka-0', join(rootOf('kafka-0'), 'etc/systemd/system/otelstack-kafka.service'), join(logs, 'kafka-0.log'));
    services.set('kafka-0', kafkaSvc);
    kafkaSvc.start();
    await waitUntil('kafka-0 (its installed unit) to accept clients', 120_000, async () => {
      if (!kafkaSvc.running) throw new Error(`kafka-0 exited:\n${kafkaSvc.logTail()}`);
      return tcpOpen(kafkaClient);
    }, { details: () => kafkaSvc.logTail() });
    // the role's topic task (skipped in the playbook: it needs the running broker), its argv with the inventory's topics
    const bin = join(rootOf(kafkaHosts[0]!), `opt/otelstack/kafka-${kafkaVersion}/kafka_2.13-${kafkaVersion}/bin`);
    for (const t of inv.all.children.kafka.vars.kafka_topics as Array<{ name: string; partitions: number; replication: number; min_insync_replicas: number; retention_ms: number }>) {
      const r = await runBounded(join(bin, 'kafka-topics.sh'), ['--bootstrap-server', `127.0.0.1:${kafkaClient}`, '--create', '--if-not-exists', '--topic', t.name, '--partitions', String(t.partitions), '--replication-factor', String(t.replication), '--config', `min.insync.replicas=${t.min_insync_replicas}`, '--config', `retention.ms=${t.retention_ms}`], { timeoutMs: 120_000 });
      assert.equal(r.code, 0, `kafka-topics --create ${t.name}: ${r.out}`);
    }
    for (const c of collectorHosts) {
      const unit = join(rootOf(c.host), 'etc/systemd/system/otelstack-otelcol.service');
      // the unit runs what the playbook unpacked under the host's root, on the config it placed there
      const { argv, env } = unitCommand(unit);
      assert.deepEqual(argv, [join(rootOf(c.host), `opt/otelstack/otelcol-${otelcolVersion}/otelcol-contrib`), `--config=${join(rootOf(c.host), COLLECTOR_CONFIG_PATH)}`]);
      assert.match(env['GOMEMLIMIT'] ?? '', /^\d+MiB$/, `${c.host}: GOMEMLIMIT from the inventory`);
      const svc = new InstalledService(c.host, unit, join(logs, `${c.host}.log`));
      services.set(c.host, svc);
      svc.start();
      await waitHealthy(c, svc);
    }
    const gateways = collectorHosts.filter((c) => c.role === 'gateway');
    for (const g of gateways) loads.push(new SteadyLoad({ endpoint: `http://${LOOPBACK_HOST}:${g.ports.otlpHttp}`, signals: SIGNALS, ticksPerSecond: 5 }).start());
    for (const l of loads) await l.waitTicks(40, 60_000);
    await settleAll('installed by ansible-playbook, run from the units', collectorHosts);
  });

  it('a rolling update of the collector pool through the playbook (serial: 1, changed config) under load: lost = 0', async () => {
    assert.ok(services.size > 0, 'the installed services run');
    const { newInput, collectorHosts, rootOf, playbook, writeHostConfigs } = setup.get();
    loads.length = 0;
    const gateways = collectorHosts.filter((c) => c.role === 'gateway');
    for (const g of gateways) loads.push(new SteadyLoad({ endpoint: `http://${LOOPBACK_HOST}:${g.ports.otlpHttp}`, signals: SIGNALS, ticksPerSecond: 5 }).start());
    for (const l of loads) await l.waitTicks(20, 60_000);

    // the restart handler's stand-in: a collector whose installed config the playbook changed restarts, one at a time
    const started = new Map(collectorHosts.map((c) => [c.host, readFileSync(join(rootOf(c.host), COLLECTOR_CONFIG_PATH), 'utf8')]));
    const restarted: string[] = [];
    const ackedAt: number[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching || restarted.length < collectorHosts.length) {
        const next = collectorHosts.find((c) => !restarted.includes(c.host) && readFileSync(join(rootOf(c.host), COLLECTOR_CONFIG_PATH), 'utf8') !== started.get(c.host));
        if (next) {
          const svc = services.get(next.host)!;
          const acked = loads.reduce((a, l) => a + l.book('traces').acked.size, 0);
          ackedAt.push(acked);
          await svc.stop();
          svc.start();
          await waitHealthy(next, svc);
          restarted.push(next.host);
          console.log(`# restarted ${next.host} on its new config (traces acknowledged before: ${acked})`);
        } else if (!watching) break;
        else await sleep(200);
      }
    })();
    writeHostConfigs(newInput);
    const r = await playbook('collectors.yml', 'collectors');
    watching = false;
    await Promise.race([watcher, sleep(300_000).then(() => { throw new Error(`restarts did not finish: ${restarted.join(', ')}`); })]);
    for (const l of recapLines(r.out)) console.log(`# run 3 (collectors.yml, new config): ${l}`);
    assert.equal(r.code, 0, `ansible-playbook failed:\n${r.out.slice(-6000)}`);
    for (const c of collectorHosts) {
      assert.equal(r.recap[c.host]?.failed, 0, `${c.host} failed=0`);
      assert.equal(r.recap[c.host]?.changed, 1, `${c.host}: only its config changed`);
    }
    // the playbook's order: processors, then gateways, one host at a time
    assert.deepEqual(restarted, ['processor-0', 'gateway-0', 'gateway-1']);
    for (const c of collectorHosts) assert.match(readFileSync(join(rootOf(c.host), COLLECTOR_CONFIG_PATH), 'utf8'), new RegExp(`queue_size: ${NEW_QUEUE}\\b`));
    for (const l of loads) await l.waitTicks(l.ticks + 10, 30_000);
    // the load kept being acknowledged from one restart to the next
    for (let i = 1; i < ackedAt.length; i++) assert.ok(ackedAt[i]! > ackedAt[i - 1]!, `traces acknowledged between restarts: ${ackedAt.join(' → ')}`);
    await settleAll('rolling update through collectors.yml', collectorHosts);
  });

  async function waitHealthy(c: CollectorHost, svc: InstalledService): Promise<void> {
    await waitUntil(`${c.host} (its installed unit) healthy`, 60_000, async () => {
      if (!svc.running) throw new Error(`${c.host} exited:\n${svc.logTail()}`);
      const res = await request(`http://${LOOPBACK_HOST}:${c.ports.health}/`, { headersTimeout: 2000, bodyTimeout: 2000 });
      await res.body.dump();
      return res.statusCode === 200;
    }, { details: () => svc.logTail() });
  }

  /** Stops the loads, waits (bounded) for every acknowledged item and empty queues, then counts and asserts lost = 0. */
  async function settleAll(fault: string, collectorHosts: readonly CollectorHost[]): Promise<void> {
    for (const l of loads) await l.stop();
    await waitUntil(`${fault}: every acknowledged item at the sink`, 180_000, () => loads.every((l) => allAckedDelivered(l, sink!, SIGNALS)), {
      intervalMs: 500,
      details: () => loads.flatMap((l) => SIGNALS.map((s) => JSON.stringify({ ...account(fault, l, sink!, s), lostSample: undefined }))).join('\n') + [...services].map(([n, s]) => `\n--- ${n} ---\n${s.logTail(10)}`).join(''),
    });
    for (const c of collectorHosts) {
      await waitUntil(`${c.host}: every exporter queue at 0`, 120_000, async () => {
        const q = queueState(await scrape(`http://${LOOPBACK_HOST}:${c.ports.metrics}/metrics`));
        assert.equal(totalOf(q.enqueueFailed), 0, `${c.host}: enqueue failures`);
        return Object.keys(q.queueSize).length > 0 && totalOf(q.queueSize) === 0;
      });
    }
    const perSignal = SIGNALS.map((s) => {
      const parts = loads.map((l) => account(fault, l, sink!, s));
      const sum = (k: 'sent' | 'acknowledged' | 'delivered' | 'duplicates' | 'lost') => parts.reduce((a, p) => a + p[k], 0);
      return { fault, signal: s, sent: sum('sent'), acknowledged: sum('acknowledged'), delivered: sum('delivered'), duplicates: sum('duplicates'), lost: sum('lost'), lostSample: parts.flatMap((p) => p.lostSample).slice(0, 5) } satisfies FaultRow;
    });
    const total = totalRow(fault, perSignal);
    printRows([...perSignal, total]);
    rows.push(...perSignal, total);
    assert.ok(total.sent > 0);
    assert.equal(total.lost, 0, `lost acknowledged items: ${total.lostSample.join(', ')}`);
    assert.equal(total.acknowledged, total.sent, 'every request was acknowledged');
  }
});
