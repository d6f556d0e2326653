// TLS between VMs (environments[].tls, ansible target), proven with the real consumers on loopback: examples/vms'
// prod environment (mtls: true) with its TLS files pointed at a throw-away CA and host certificate that openssl
// makes in the test's temp dir (a definition edit: the references are paths, as a site would give them).
//  - Kafka: the kafka role's rendered tasks run by the real ansible-playbook (connection local): the PEM keystore
//    assembled from key and certificate, server.properties.j2 and client.properties.j2 templated with the
//    rendered inventory's variables; a real broker (KRaft, one node) started on that server.properties — SSL
//    listeners for clients and the controller, ssl.client.auth=required — and the topics created by Kafka's own
//    TopicCommand through the rendered client.properties.
//  - The collectors: the gateway (OTLP receivers with TLS and client_ca_file, Kafka exporter over SSL with a client
//    certificate) and the processor (Kafka receiver over SSL) rendered by the shared renderer for this topology,
//    real otelcol-otelstack processes; the suite's sink stands in for the engines with TLS and required client
//    certificates, as engines.ts renders Tempo's OTLP receivers and Mimir's and Loki's HTTP servers under mtls.
//  - Telemetry sent over OTLP/HTTPS and OTLP/gRPC+TLS with the host certificate arrives, lost = 0; a client
//    without a certificate, or with one from another CA, is refused by the gateway, and by Kafka.
// Test-only settings, each said where it is made: host and ports (loopback), the keystore's path (the temp dir
// instead of /etc/otelstack/tls), the replication of a one-node cluster, sampling that keeps every trace.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';

import { createOtlpSender, type OtlpProtocol, type TlsOptions } from '../../src/ops/otlp/index.js';
import { renderStack } from '../../src/render/index.js';
import { freeLoopbackPorts } from '../../src/topology/loopback.js';
import { OtlpSink } from '../support/otlp-sink.js';
import { Collector } from './support/collector.js';
import { SteadyLoad, account, allAckedDelivered, formatRows, totalRow } from './support/load.js';
import { ansibleTool, kafkaPeer } from './support/peers.js';
import { ManagedProcess, killAllTracked, waitUntil } from './support/proc.js';
import { exampleVariant, loopbackInput } from './support/stacks.js';
import { Setup, makeTempDir, removeTempDir } from './support/tmp.js';
import { makeCerts, type Certs } from './support/tls.js';

const run = promisify(execFile);
const ENV = 'prod';
type Obj = Record<string, any>;

/** One broker from the rendered kafka role: ansible-playbook runs its TLS tasks and templates, then java runs Kafka. */
class RenderedKafka {
  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly clientProperties: string,
    readonly serverProperties: string,
    private readonly proc: ManagedProcess,
  ) {}

  static async start(dir: string, files: ReadonlyMap<string, string>, certs: Certs, ports: { client: number; controller: number }): Promise<RenderedKafka> {
    const peer = kafkaPeer();
    const home = join(dir, 'kafka');
    mkdirSync(join(home, 'data'), { recursive: true });
    const inv = (parse(files.get(`ansible/inventory/${ENV}.yml`)!) as Obj)['all'];
    const kafkaVars = inv.children.kafka.vars as Obj;
    const tls: Obj = { ...(inv.vars.otelstack_tls as Obj), kafka_keystore: join(home, 'keystore.pem') }; // test: the temp dir, not /etc/otelstack/tls
    assert.equal(tls['ca'], certs.ca, 'the rendered inventory names the definition\'s CA path');
    const roleTasks = parse(files.get('ansible/roles/kafka/tasks/main.yml')!) as Obj[];
    const keystoreTask = { ...roleTasks.find((t) => String(t['name']).startsWith('Assemble the Kafka PEM keystore'))! };
    delete keystoreTask['notify']; // no handlers in this one-play run: the broker starts after it
    for (const f of ['server.properties.j2', 'client.properties.j2']) writeFileSync(join(home, f), files.get(`ansible/roles/kafka/templates/${f}`)!);
    const serverProperties = join(home, 'server.properties');
    const clientProperties = join(home, 'client.properties');
    const playbook = [
      {
        name: 'The kafka role\'s TLS files and configs, as rendered',
        hosts: 'localhost',
        connection: 'local',
        gather_facts: false,
        vars: {
          // the Python ansible-playbook runs on (its venv), not whatever interpreter discovery finds on the machine
          ansible_python_interpreter: '{{ ansible_playbook_python }}',
          otelstack_tls: tls,
          kafka_node_id: 0,
          // test: loopback ports; one node is its own quorum, replication 1 (a one-node cluster)
          kafka_listen_address: '127.0.0.1',
          kafka_advertised_host: 'localhost',
          kafka_client_port: ports.client,
          kafka_controller_port: ports.controller,
          kafka_controller_quorum_voters: `0@localhost:${ports.controller}`,
          kafka_default_replication_factor: 1,
          kafka_min_insync_replicas: 1,
          kafka_data_dir: join(home, 'data'),
        },
        tasks: [
          keystoreTask,
          { name: 'Template server.properties', 'ansible.builtin.template': { src: join(home, 'server.properties.j2'), dest: serverProperties, mode: '0640' } },
          { name: 'Template client.properties', 'ansible.builtin.template': { src: join(home, 'client.properties.j2'), dest: clientProperties, mode: '0640' } },
        ],
      },
    ];
    const pb = join(home, 'playbook.yml');
    writeFileSync(pb, `---\n${stringify(playbook)}`);
    const env = { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCALHOST_WARNING: 'false', ANSIBLE_INVENTORY_UNPARSED_WARNING: 'false', ANSIBLE_LOCAL_TEMP: join(home, 'ansible-tmp'), ANSIBLE_REMOTE_TEMP: join(home, 'ansible-tmp'), ANSIBLE_PYTHON_INTERPRETER: 'auto_silent' };
    try {
      await run(ansibleTool('ansible-playbook'), ['-i', 'localhost,', pb], { env, timeout: 120_000 });
    } catch (e) {
      const x = e as { stdout?: string; stderr?: string };
      throw new Error(`ansible-playbook of the rendered kafka TLS tasks failed:\n${x.stdout ?? ''}\n${x.stderr ?? ''}`);
    }
    writeFileSync(join(home, 'log4j2.properties'), [`appender.file.type = File`, 'appender.file.name = FILE', `appender.file.fileName = ${join(home, 'server.log')}`, 'appender.file.layout.type = PatternLayout', 'appender.file.layout.pattern = [%d] %p %m (%c)%n', 'rootLogger.level = INFO', 'rootLogger.appenderRef.file.ref = FILE', ''].join('\n'));
    const cp = `${peer.libDir}/*`;
    await run('java', ['-Xss1m', '-XX:TieredStopAtLevel=1', '-cp', cp, 'kafka.tools.StorageTool', 'format', '-t', String(kafkaVars['kafka_cluster_id']), '-c', serverProperties, '--ignore-formatted'], { timeout: 120_000 });
    const proc = ManagedProcess.start('kafka', 'java', {
      args: ['-Xms256m', '-Xmx512m', '-Djava.awt.headless=true', `-Dlog4j2.configurationFile=${join(home, 'log4j2.properties')}`, '-cp', cp, 'kafka.Kafka', serverProperties],
      logFile: join(home, 'stdout.log'),
    });
    const k = new RenderedKafka(home, ports.client, clientProperties, serverProperties, proc);
    await waitUntil('Kafka (rendered server.properties, SSL listeners) to start', 150_000, () => {
      if (!proc.running) throw new Error(`Kafka exited:\n${proc.logTail()}\n${k.logTail()}`);
      return k.log().includes('Kafka Server started');
    }, { intervalMs: 500, details: () => k.logTail() });
    return k;
  }

  log(): string {
    try {
      return readFileSync(join(this.dir, 'server.log'), 'utf8');
    } catch {
      return '';
    }
  }
  logTail(n = 30): string {
    return this.log().split('\n').slice(-n).join('\n');
  }

  /** Kafka's TopicCommand against the broker by name (its certificate names localhost) with a client properties file. */
  async topics(args: string[], commandConfig = this.clientProperties): Promise<{ code: number; out: string }> {
    try {
      const r = await run('java', ['-Xss1m', '-XX:TieredStopAtLevel=1', '-Dlog4j2.level=WARN', '-cp', `${kafkaPeer().libDir}/*`, 'org.apache.kafka.tools.TopicCommand', '--bootstrap-server', `localhost:${this.port}`, '--command-config', commandConfig, ...args], { timeout: 90_000 });
      return { code: 0, out: r.stdout + r.stderr };
    } catch (e) {
      const x = e as { code?: number; stdout?: string; stderr?: string; message: string };
      return { code: typeof x.code === 'number' ? x.code : -1, out: `${x.stdout ?? ''}${x.stderr ?? ''}` || x.message };
    }
  }

  async stop(): Promise<void> {
    await this.proc.stop({ signal: 'SIGTERM', graceMs: 30_000 });
  }
}

/**
 * Runs the rendered otelstack-tls role (its tasks/main.yml and tls.yml from the render) with the real ansible-playbook
 * on this machine (connection local). Test-only variables, each overriding a role default: the directory (temp dir,
 * not /etc/otelstack/tls), owner and group (the test's user, not root/otelstack), no package install (openssl comes
 * from the peers; the package module would need the distribution's Python bindings).
 */
async function runTlsRole(dir: string, files: ReadonlyMap<string, string>, otelstackTls: Obj, name: string): Promise<{ ok: boolean; out: string }> {
  const home = join(dir, `tls-role-${name}`);
  for (const f of ['tasks/main.yml', 'tasks/tls.yml', 'defaults/main.yml', 'handlers/main.yml']) {
    mkdirSync(join(home, 'roles/otelstack-tls', f, '..'), { recursive: true });
    writeFileSync(join(home, 'roles/otelstack-tls', f), files.get(`ansible/roles/otelstack-tls/${f}`)!);
  }
  const { uid, gid } = process.getuid && process.getgid ? { uid: process.getuid(), gid: process.getgid() } : { uid: 0, gid: 0 };
  const who = async (flag: string, id: number) => (await run('id', [flag, String(uid)])).stdout.trim() || String(id);
  const playbook = [{
    name: 'The rendered otelstack-tls role',
    hosts: 'localhost',
    connection: 'local',
    gather_facts: false,
    vars: { ansible_python_interpreter: '{{ ansible_playbook_python }}', otelstack_tls: otelstackTls, otelstack_tls_dir: join(home, 'tls'), otelstack_tls_owner: await who('-un', uid), otelstack_tls_group: await who('-gn', gid), otelstack_tls_install_openssl: false,
      // test: the system trust is a temporary directory and its update a no-op (the machine's trust is not touched)
      otelstack_tls_system_trust_dir: join(home, 'trust'), otelstack_tls_system_trust_update: 'true' },
    roles: ['otelstack-tls'],
  }];
  mkdirSync(join(home, 'trust'), { recursive: true });
  writeFileSync(join(home, 'playbook.yml'), `---\n${stringify(playbook)}`);
  const env = { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCALHOST_WARNING: 'false', ANSIBLE_INVENTORY_UNPARSED_WARNING: 'false', ANSIBLE_ROLES_PATH: join(home, 'roles'), ANSIBLE_LOCAL_TEMP: join(home, 'tmp'), ANSIBLE_REMOTE_TEMP: join(home, 'tmp') };
  try {
    const r = await run(ansibleTool('ansible-playbook'), ['-i', 'localhost,', join(home, 'playbook.yml')], { env, timeout: 120_000 });
    return { ok: true, out: r.stdout + r.stderr };
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string };
    return { ok: false, out: `${x.stdout ?? ''}${x.stderr ?? ''}` };
  }
}

describe('e2e vm-tls: gateway (TLS + mTLS) → Kafka on SSL listeners (rendered) → processor → sink', () => {
  let dir: string | undefined;
  let sink: OtlpSink | undefined;
  let kafka: RenderedKafka | undefined;
  let gateway: Collector | undefined;
  let processor: Collector | undefined;
  const setup = new Setup(async () => {
    dir = makeTempDir('vm-tls');
    const certs = await makeCerts(dir);
    const stack = exampleVariant('vms', (raw) => {
      const prod = raw['environments'].find((e: Obj) => e['name'] === ENV);
      prod.tls = { mtls: true, ca: certs.ca, cert: certs.cert, key: certs.key };
      // test: every trace through the tail sampler (prod's errors / latency / 10 % policies would drop most)
      raw['ingestion'].sampling.policies = [{ name: 'everything', type: 'always' }];
    });
    const files = renderStack(stack, { env: ENV }).files;
    const [client, controller] = (await freeLoopbackPorts(2)) as [number, number];
    kafka = await RenderedKafka.start(dir, files, certs, { client, controller });
    // the sink stands in for Tempo's OTLP/gRPC receiver and Mimir's and Loki's HTTP servers with TLS and required
    // client certificates, as engines.ts renders them under mtls
    const sinkTls = { certFile: certs.cert, keyFile: certs.key, clientCaFile: certs.ca };
    sink = await OtlpSink.start({ grpcTls: sinkTls, httpTls: sinkTls });
    const input = await loopbackInput(stack, ENV, { sink, kafkaPorts: [client] });
    for (const t of input.topology.kafka!.topics) {
      const r: { code: number; out: string } = await kafka.topics(['--create', '--if-not-exists', '--topic', t.name, '--partitions', String(t.partitions), '--replication-factor', '1', '--config', 'min.insync.replicas=1']);
      assert.equal(r.code, 0, `creating ${t.name} through the rendered client.properties: ${r.out}`);
    }
    processor = await Collector.start({ name: 'processor', role: 'processor', input, dir });
    gateway = await Collector.start({ name: 'gateway', role: 'gateway', input, dir });
    return { certs, stack, input, files, sink, kafka, gateway, processor };
  });
  before(setup.run);
  after(async () => {
    await gateway?.stop();
    await processor?.stop();
    await kafka?.stop().catch(() => undefined);
    await sink?.stop();
    killAllTracked();
    removeTempDir(dir);
  });

  const tlsOf = (c: Certs, withCert: boolean | 'rogue'): TlsOptions => ({
    caFile: c.ca,
    ...(withCert === true ? { certFile: c.cert, keyFile: c.key } : withCert === 'rogue' ? { certFile: c.rogueCert, keyFile: c.rogueKey } : {}),
  });
  const httpsUrl = (g: Collector) => `https://127.0.0.1:${g.ports.otlpHttp}`;
  const grpcUrl = (g: Collector) => `https://127.0.0.1:${g.ports.otlpGrpc}`;

  it('the broker runs the rendered SSL settings, and the collectors the rendered tls blocks', () => {
    const { kafka, gateway, processor, certs } = setup.get();
    const props = readFileSync(kafka.serverProperties, 'utf8');
    assert.match(props, new RegExp(`^listeners=SSL://127\\.0\\.0\\.1:${kafka.port},CONTROLLER://127\\.0\\.0\\.1:\\d+$`, 'm'));
    assert.match(props, new RegExp(`^advertised.listeners=SSL://localhost:${kafka.port}$`, 'm'));
    assert.match(props, /^listener.security.protocol.map=CONTROLLER:SSL,SSL:SSL$/m);
    assert.match(props, /^ssl.client.auth=required$/m);
    assert.match(readFileSync(join(kafka.dir, 'keystore.pem'), 'utf8'), /BEGIN PRIVATE KEY[\s\S]*BEGIN CERTIFICATE/);
    const otlp = (gateway.config['receivers'] as Obj)['otlp'].protocols;
    assert.equal(otlp.grpc.tls.client_ca_file, certs.ca);
    assert.equal(otlp.http.tls.cert_file, certs.cert);
    assert.equal((gateway.config['exporters'] as Obj)['kafka/traces'].tls.cert_file, certs.cert);
    assert.equal((processor.config['receivers'] as Obj)['kafka/logs'].tls.ca_file, certs.ca);
    // the processor's exports to Tempo, Mimir and Loki: TLS with the host certificate (their servers under mtls)
    const want = { insecure: false, ca_file: certs.ca, cert_file: certs.cert, key_file: certs.key, min_version: '1.2' };
    for (const id of ['otlp_grpc/tempo', 'otlp_http/mimir', 'otlp_http/loki']) assert.deepEqual((processor.config['exporters'] as Obj)[id].tls, want, id);
    assert.match(String((processor.config['exporters'] as Obj)['otlp_http/mimir'].endpoint), /^https:\/\/127\.0\.0\.1:/);
  });

  it('telemetry over OTLP/HTTPS and gRPC+TLS with the host certificate arrives through Kafka on SSL: lost = 0', async () => {
    const { sink, gateway } = setup.get();
    const c = setup.get().certs;
    const rows = [];
    for (const [protocol, endpoint] of [['http/protobuf', httpsUrl(gateway)], ['grpc', grpcUrl(gateway)]] as Array<[OtlpProtocol, string]>) {
      const load = new SteadyLoad({ endpoint, protocol, tls: tlsOf(c, true), itemsPerRequest: 5 });
      await load.sendTicks(20);
      await load.close();
      for (const s of ['traces', 'metrics', 'logs'] as const) assert.equal(load.book(s).acked.size, 100, `${protocol} ${s}: every request acknowledged (${load.book(s).lastError ?? ''})`);
      await waitUntil(`${protocol}: everything acknowledged at the sink`, 120_000, () => allAckedDelivered(load, sink, ['traces', 'metrics', 'logs']), { intervalMs: 500 });
      rows.push(...(['traces', 'metrics', 'logs'] as const).map((s) => account(`tls ${protocol}`, load, sink, s)));
    }
    const total = totalRow('tls (both protocols)', rows);
    console.log(formatRows([...rows, total]).map((l) => `# ${l}`).join('\n'));
    assert.equal(total.sent, 600);
    assert.equal(total.acknowledged, 600);
    assert.equal(total.delivered, 600);
    assert.equal(total.lost, 0, `lost: ${total.lostSample.join(', ')}`);
  });

  it('mTLS: the gateway refuses a client without a certificate, or with one from another CA; nothing of theirs arrives', async () => {
    const { sink, gateway, certs } = setup.get();
    const before = sink.received('logs').items.length;
    const refusals: string[] = [];
    for (const [protocol, endpoint] of [['http/protobuf', httpsUrl(gateway)], ['grpc', grpcUrl(gateway)]] as Array<[OtlpProtocol, string]>) {
      for (const who of [false, 'rogue'] as const) {
        const sender = createOtlpSender({ endpoint, protocol, timeoutMs: 5000, tls: tlsOf(certs, who), retry: { maxAttempts: 1 } });
        try {
          const r = await sender.sendLogs({ resource: { 'service.name': 'no-client-cert' }, records: [{ time: Date.now(), severityNumber: 9, body: `refused ${protocol} ${String(who)}` }] });
          assert.equal(r.ok, false, `${protocol} with ${who === false ? 'no' : 'a rogue'} client certificate was accepted`);
          console.log(`# ${protocol}, ${who === false ? 'no client certificate' : 'certificate from another CA'}: ${r.error ?? ''} [${r.errorCode ?? ''}]`);
          refusals.push(`${r.error ?? ''} ${r.errorCode ?? ''}`);
        } finally {
          await sender.close();
        }
      }
    }
    // and a plaintext client against the TLS receiver
    const plain = createOtlpSender({ endpoint: `http://127.0.0.1:${gateway.ports.otlpHttp}`, protocol: 'http/protobuf', timeoutMs: 5000, retry: { maxAttempts: 1 } });
    try {
      const answer = await plain.sendLogs({ resource: { 'service.name': 'plaintext' }, records: [{ time: Date.now(), severityNumber: 9, body: 'plaintext' }] });
      assert.equal(answer.ok, false, 'plaintext OTLP/HTTP was accepted by the TLS receiver');
      console.log(`# plaintext OTLP/HTTP: status ${String(answer.status)} ${answer.error ?? ''}`);
    } finally {
      await plain.close();
    }
    // the gateway says why (Go's TLS server, logged by the otlp receiver)
    const log = await waitUntil('the gateway to log the refused handshakes', 10_000, () => {
      const text = readFileSync(gateway.logFile, 'utf8');
      return /client didn't provide a certificate/.test(text) && /certificate signed by unknown authority/.test(text) && /client sent an HTTP request to an HTTPS server/.test(text) ? text : undefined;
    }, { details: () => gateway.logTail(20) });
    assert.ok(log);
    // the gRPC client sees the TLS alert itself
    assert.match(refusals[2]!, /certificate required/);
    assert.match(refusals[3]!, /unknown ca/);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.equal(sink.received('logs').items.filter((i) => /refused|plaintext/.test(String(i.log.record.body?.stringValue ?? ''))).length, 0);
    assert.ok(sink.received('logs').items.length >= before);
  });

  it('the rendered otelstack-tls role passes on a host with the files and names, and fails naming the definition key or the missing name', async () => {
    const { files, certs } = setup.get();
    const tls = (parse(files.get(`ansible/inventory/${ENV}.yml`)!) as Obj)['all'].vars.otelstack_tls as Obj;
    assert.deepEqual(tls['names_by_host']['kafka-0'], ['kafka-0'], 'the inventory lists the names each host certificate must carry');
    // this machine is "localhost": its certificate names localhost
    const good = await runTlsRole(dir!, files, { ...tls, names_by_host: { localhost: ['localhost'] } }, 'good');
    assert.equal(good.ok, true, good.out);
    assert.match(good.out, /ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0/);
    const missing = await runTlsRole(dir!, files, { ...tls, cert: join(dir!, 'nowhere.crt'), files: (tls['files'] as Obj[]).map((f) => (f['name'] === 'cert' ? { ...f, path: join(dir!, 'nowhere.crt') } : f)), names_by_host: {} }, 'missing');
    assert.equal(missing.ok, false, 'a missing certificate file passed');
    assert.match(missing.out, /environments\[2\]\.tls\.cert: \S*nowhere\.crt is not a file on localhost/);
    const wrongName = await runTlsRole(dir!, files, { ...tls, names_by_host: { localhost: ['kafka-9'] } }, 'wrong-name');
    assert.equal(wrongName.ok, false, 'a certificate without the service name passed');
    assert.match(wrongName.out, /kafka-9 does NOT match certificate/);
    assert.ok(certs.cert);
  });

  it('mTLS: Kafka refuses a client without a certificate (truststore only) and one from another CA', async () => {
    const { kafka, certs, input } = setup.get();
    const topic = input.topology.kafka!.topics[0]!.name;
    const ok = await kafka.topics(['--describe', '--topic', topic]);
    assert.equal(ok.code, 0, `the rendered client.properties (host certificate) is accepted: ${ok.out}`);
    const noCert = join(kafka.dir, 'client-no-cert.properties');
    writeFileSync(noCert, `security.protocol=SSL\nssl.truststore.type=PEM\nssl.truststore.location=${certs.ca}\ndefault.api.timeout.ms=20000\nrequest.timeout.ms=10000\n`);
    const rogueKeystore = join(kafka.dir, 'rogue-keystore.pem');
    writeFileSync(rogueKeystore, readFileSync(certs.rogueKey, 'utf8') + readFileSync(certs.rogueCert, 'utf8'));
    const rogue = join(kafka.dir, 'client-rogue.properties');
    writeFileSync(rogue, `security.protocol=SSL\nssl.truststore.type=PEM\nssl.truststore.location=${certs.ca}\nssl.keystore.type=PEM\nssl.keystore.location=${rogueKeystore}\ndefault.api.timeout.ms=20000\nrequest.timeout.ms=10000\n`);
    for (const [what, file] of [['no certificate', noCert], ['a certificate from another CA', rogue]] as const) {
      const r = await kafka.topics(['--describe', '--topic', topic], file);
      assert.notEqual(r.code, 0, `Kafka answered a client with ${what}: ${r.out}`);
      console.log(`# Kafka, ${what}: ${(/\S*(SslAuthenticationException|SSLHandshakeException|SSL handshake failed)[^\n]*/.exec(r.out)?.[0] ?? r.out.slice(-300)).slice(0, 300)}`);
      // TLS 1.3: the broker checks the client certificate after the handshake, the client then fails authentication
      assert.match(r.out, /SslAuthenticationException/, `${what}: ${r.out.slice(-1500)}`);
    }
    // the broker logs both refusals as failed SSL authentication
    assert.ok((kafka.log().match(/Failed authentication with \/127\.0\.0\.1 .*\(SSL handshake failed\)/g) ?? []).length >= 2, kafka.logTail());
  });
});
