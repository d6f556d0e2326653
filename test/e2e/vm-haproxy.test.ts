// The ansible target's HAProxy on each gateway host (seed 003 level 3; src/render/ansible/haproxy.ts) on the real
// HAProxy (Debian's 2.6) and the real collector:
//  - `haproxy -c` accepts the haproxy.cfg `otelstack render` writes for examples/vms serving tenants: the file itself
//    with TLS between VMs off, and with TLS on the same function's config naming a PEM made here (cert then key, as
//    the role assembles it) instead of /etc/otelstack/tls/haproxy.pem;
//  - run on loopback (the same function, placed on free ports) in front of the real collector's tenant receivers
//    (plaintext, loopback: what the VM gateway's placement gives them), HAProxy terminates the browsers' TLS with the
//    host certificate and asks for no client certificate: a POST over TLS reaches the tenant's receiver (202, its
//    CORS), a burst above the tenant's rate is refused with 429 (Retry-After, the CORS grant) and counted by its
//    Prometheus exporter, and plaintext HTTP on the TLS port gets no answer from the collector.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Agent, request } from 'undici';

import { OTELCOL_FARO_RECEIVER } from '../../src/catalog/otelcol.js';
import { HAPROXY, HAPROXY_FARO_RATE_LIMIT, HAPROXY_METRICS } from '../../src/catalog/support.js';
import { renderStack } from '../../src/render/index.js';
import { vmHaproxyConfig } from '../../src/render/ansible/haproxy.js';
import { expand } from '../../src/topology/expand.js';
import { freeLoopbackPorts, LOOPBACK_HOST } from '../../src/topology/loopback.js';
import { vmFaroProxy, VM_HAPROXY_PEM } from '../../src/topology/vm-faro-proxy.js';
import { vmsWithTenants } from '../render/ansible/support.js';
import { OtlpSink } from '../support/otlp-sink.js';
import { Collector } from './support/collector.js';
import { checkHaproxyConfig, seriesValue, tcpOpen } from './support/lb.js';
import { haproxyBin, opensslBin, otelcolWith } from './support/peers.js';
import { ManagedProcess, killAllTracked, waitUntil } from './support/proc.js';
import { loadExample, loopbackInput } from './support/stacks.js';
import { makeCerts } from './support/tls.js';
import { Setup, makeTempDir, removeTempDir } from './support/tmp.js';

/** The role's PEM: the certificate, then its key, in one file (roles/haproxy: `cat cert key`). */
function assemblePem(dir: string, cert: string, key: string): string {
  const pem = join(dir, 'haproxy.pem');
  writeFileSync(pem, readFileSync(cert, 'utf8') + readFileSync(key, 'utf8'), { mode: 0o600 });
  return pem;
}

/** A small Faro payload (one log line). */
const payload = (app: string) => JSON.stringify({ meta: { sdk: { name: '@grafana/faro-web-sdk', version: '2.12.1' }, app: { name: app, version: '1.0.0' } }, logs: [{ level: 'info', message: `page opened ${app}`, timestamp: new Date().toISOString() }] });

describe('e2e vm-haproxy: haproxy -c accepts the rendered VM gateway hosts\' haproxy.cfg', () => {
  let dir: string | undefined;
  after(() => removeTempDir(dir));

  it('TLS between VMs off: the rendered file as it is, for every environment', async () => {
    const stack = await vmsWithTenants((raw) => {
      for (const e of raw['environments']) delete e.tls;
    });
    const files = renderStack(stack).files;
    dir = makeTempDir('vm-haproxy-check');
    for (const env of ['dev', 'test', 'prod']) {
      const cfg = files.get(`ansible/roles/haproxy/files/${env}/haproxy.cfg`);
      assert.ok(cfg && cfg.includes('frontend faro_shop') && !cfg.includes(' ssl '), `${env}: a plaintext haproxy.cfg with the tenants`);
      const file = join(dir, `${env}-plain.cfg`);
      writeFileSync(file, cfg);
      checkHaproxyConfig(file);
    }
  });

  it('TLS between VMs on (examples/vms: TLS, prod mTLS): the same config with a PEM made here, the rendered file otherwise', async () => {
    opensslBin();
    const stack = await vmsWithTenants();
    const files = renderStack(stack).files;
    dir ??= makeTempDir('vm-haproxy-check');
    const certs = await makeCerts(dir);
    const pem = assemblePem(dir, certs.cert, certs.key);
    for (const env of ['dev', 'test', 'prod']) {
      const t = expand(stack, env);
      const plan = vmFaroProxy(t)!;
      // the rendered file is this function's output; only the PEM's path differs in the checked one
      assert.equal(files.get(`ansible/roles/haproxy/files/${env}/haproxy.cfg`), vmHaproxyConfig(t, plan));
      const cfg = vmHaproxyConfig(t, plan, { crt: pem });
      assert.ok(cfg.includes(`ssl crt ${pem} ssl-min-ver TLSv1.2`) && !cfg.includes(VM_HAPROXY_PEM), `${env}: TLS binds on the test PEM`);
      const file = join(dir, `${env}-tls.cfg`);
      writeFileSync(file, cfg);
      checkHaproxyConfig(file);
    }
  });
});

describe('e2e vm-haproxy: the VM config on the real HAProxy, TLS for browsers, in front of the real collector\'s tenant receivers', () => {
  let dir: string | undefined;
  let sink: OtlpSink | undefined;
  let gateway: Collector | undefined;
  let haproxy: ManagedProcess | undefined;
  let agent: Agent | undefined;
  const setup = new Setup(async () => {
    otelcolWith([OTELCOL_FARO_RECEIVER.type]);
    haproxyBin();
    opensslBin();
    dir = makeTempDir('vm-haproxy');
    const certs = await makeCerts(dir);
    const pem = assemblePem(dir, certs.cert, certs.key);
    sink = await OtlpSink.start();
    // the collector: examples/rum's gateway (tenants blog and shop, the variant's names and origins) on loopback, its
    // tenant receivers plaintext on loopback ports as the VM placement gives them
    const rum = await loadExample('rum');
    gateway = await Collector.start({ name: 'gateway-0', role: 'gateway', input: await loopbackInput(rum, 'local', { sink, sinkSignals: ['traces', 'logs'] }), dir });
    // HAProxy: the VM config of examples/vms serving tenants (dev: one gateway host), on free loopback ports
    const vms = await vmsWithTenants();
    const t = expand(vms, 'dev');
    const plan = vmFaroProxy(t)!;
    assert.equal(plan.tls, true, 'examples/vms dev has TLS between VMs');
    const [monitor, runtimeApi, ...fronts] = await freeLoopbackPorts(2 + plan.tenants.length);
    const tenantPorts = Object.fromEntries(plan.tenants.map((x, i) => [x.name, fronts[i]!]));
    const cfg = vmHaproxyConfig(t, plan, {
      bindHost: LOOPBACK_HOST,
      ports: { monitor: monitor!, runtimeApi: runtimeApi! },
      tenantPorts,
      backend: { health: gateway.ports.health, tenantPorts: gateway.tenantPorts },
      crt: pem,
      runAsRoot: process.getuid?.() !== 0,
    });
    const cfgFile = join(dir, 'haproxy.cfg');
    writeFileSync(cfgFile, cfg);
    checkHaproxyConfig(cfgFile);
    haproxy = ManagedProcess.start('haproxy', haproxyBin(), { args: ['-db', '-f', cfgFile], logFile: join(dir, 'haproxy.log') });
    const monitorUrl = `http://${LOOPBACK_HOST}:${monitor}`;
    await waitUntil('HAProxy monitor and tenant frontends up', 30_000, async () => {
      if (!haproxy!.running) throw new Error(`haproxy exited:\n${haproxy!.logTail()}`);
      const up = await fetch(`${monitorUrl}${HAPROXY.monitorUri}`).then((r) => r.status === 200).catch(() => false);
      return up && (await Promise.all(Object.values(tenantPorts).map(tcpOpen))).every(Boolean);
    }, { details: () => haproxy!.logTail() });
    // the browser's view: the CA trusted, no client certificate presented
    agent = new Agent({ connect: { ca: readFileSync(certs.ca, 'utf8'), servername: 'localhost' } });
    const url = (tenant: string, scheme = 'https') => `${scheme}://${LOOPBACK_HOST}:${tenantPorts[tenant]}${OTELCOL_FARO_RECEIVER.path}`;
    const post = async (tenant: string, origin: string) => {
      const res = await request(url(tenant), { method: 'POST', dispatcher: agent!, headers: { 'content-type': OTELCOL_FARO_RECEIVER.contentType, origin }, body: payload(tenant), headersTimeout: 10_000, bodyTimeout: 10_000 });
      await res.body.dump();
      return { status: res.statusCode, headers: res.headers as Record<string, string | undefined> };
    };
    const denied = async (tenant: string) => seriesValue(await (await fetch(`${monitorUrl}${HAPROXY_METRICS.path}`)).text(), HAPROXY_METRICS.frontendRequestsDenied, { [HAPROXY_METRICS.proxyLabel]: HAPROXY_FARO_RATE_LIMIT.frontend(tenant) });
    return { t, post, url, denied };
  });
  before(setup.run);
  after(async () => {
    await agent?.close();
    await haproxy?.stop();
    await gateway?.stop();
    await sink?.stop();
    killAllTracked();
    removeTempDir(dir);
  });

  it('a POST over TLS (server certificate only) reaches the tenant\'s receiver on loopback: 202 with its CORS', async () => {
    const { post } = setup.get();
    const r = await post('shop', 'https://shop.example.com');
    assert.equal(r.status, OTELCOL_FARO_RECEIVER.acceptedStatus);
    assert.equal(r.headers['access-control-allow-origin'], 'https://shop.example.com');
  });

  it("above the tenant's rate: 429 with Retry-After and the CORS grant, each refusal counted on its frontend", async () => {
    const { t, post, denied } = setup.get();
    const blog = t.tenants!.find((x) => x.name === 'blog')!;
    const before = await denied('blog');
    const n = blog.rateLimit.burst * 2 + 5;
    const replies = await Promise.all(Array.from({ length: n }, () => post('blog', 'https://blog.example.com')));
    const refused = replies.filter((r) => r.status === HAPROXY_FARO_RATE_LIMIT.status);
    const accepted = replies.filter((r) => r.status === OTELCOL_FARO_RECEIVER.acceptedStatus).length;
    assert.equal(refused.length + accepted, n, replies.map((r) => r.status).join(','));
    assert.ok(accepted > 0 && accepted <= blog.rateLimit.burst, `at most the burst (${blog.rateLimit.burst}) passes: ${accepted}`);
    assert.equal(refused[0]!.headers['retry-after'], String(HAPROXY_FARO_RATE_LIMIT.shortWindowSeconds));
    assert.equal(refused[0]!.headers['access-control-allow-origin'], 'https://blog.example.com');
    assert.equal((await denied('blog')) - before, refused.length, `${HAPROXY_METRICS.frontendRequestsDenied} counts every 429`);
  });

  it('plaintext HTTP on a tenant\'s TLS port never reaches the collector', async () => {
    const { url } = setup.get();
    const plain = await request(url('shop', 'http'), { method: 'POST', headers: { 'content-type': OTELCOL_FARO_RECEIVER.contentType }, body: payload('shop'), headersTimeout: 5000, bodyTimeout: 5000 })
      .then(async (r) => {
        await r.body.dump();
        return r.statusCode;
      })
      .catch((e: Error) => e.message);
    assert.notEqual(plain, OTELCOL_FARO_RECEIVER.acceptedStatus, `plaintext answered ${plain}`);
  });
});
