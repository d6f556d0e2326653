// Prometheus as the metrics engine of an ansible environment with TLS (a variant of examples/vms prod, mTLS): the
// prometheus role's rendered web config template, templated by the real ansible-playbook with the host's TLS files
// (the test's, made by openssl), is loaded by the real Prometheus (Debian's, scripts/peers) with the flag the role's
// ExecStart adds: its API answers over TLS to a client presenting a certificate from the CA, and refuses one
// without and plaintext. The engine's endpoints in the topology are https, so the collectors and Grafana follow.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { parse, stringify } from 'yaml';

import { PROMETHEUS_WEB_TLS } from '../../src/catalog/server-tls.js';
import { renderStack } from '../../src/render/index.js';
import { expand } from '../../src/topology/expand.js';
import { freeLoopbackPorts, LOOPBACK_HOST } from '../../src/topology/loopback.js';
import { ansibleTool } from './support/peers.js';
import { PrometheusServer } from './support/prometheus.js';
import { killAllTracked } from './support/proc.js';
import { exampleVariant } from './support/stacks.js';
import { makeCerts, type Certs } from './support/tls.js';
import { Setup, makeTempDir, removeTempDir } from './support/tmp.js';

const run = promisify(execFile);
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The role's template rendered by the real ansible-playbook (template module) with the host's TLS variables. */
async function template(dir: string, src: string, vars: Obj): Promise<string> {
  const home = join(dir, 'template');
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, 'web.yml.j2'), src);
  const out = join(home, 'web.yml');
  const playbook = [{ name: 'the prometheus role web config', hosts: 'localhost', connection: 'local', gather_facts: false, vars: { ansible_python_interpreter: '{{ ansible_playbook_python }}', ...vars }, tasks: [{ name: 'template', 'ansible.builtin.template': { src: join(home, 'web.yml.j2'), dest: out, mode: '0600' } }] }];
  writeFileSync(join(home, 'playbook.yml'), `---\n${stringify(playbook)}`);
  const env = { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCALHOST_WARNING: 'false', ANSIBLE_INVENTORY_UNPARSED_WARNING: 'false', ANSIBLE_LOCAL_TEMP: join(home, 'tmp'), ANSIBLE_REMOTE_TEMP: join(home, 'tmp') };
  await run(ansibleTool('ansible-playbook'), ['-i', 'localhost,', join(home, 'playbook.yml')], { env, timeout: 120_000 });
  return out;
}

describe('e2e: Prometheus over TLS between VMs (the rendered web config on the real Prometheus)', () => {
  let dir: string | undefined;
  let prom: PrometheusServer | undefined;
  const setup = new Setup(async () => {
    dir = makeTempDir('vm-prometheus-tls');
    const certs: Certs = await makeCerts(dir);
    const stack = exampleVariant('vms', (raw) => {
      raw['signals'].metrics = { engine: 'prometheus', environments: { dev: { mode: 'monolithic' }, test: { mode: 'monolithic' }, prod: { mode: 'monolithic' } } };
    });
    const files = renderStack(stack).files;
    const inv = (parse(files.get('ansible/inventory/prod.yml')!) as Obj)['all'];
    const web = await template(dir, files.get('ansible/roles/prometheus/templates/prometheus-web.yml.j2')!, { otelstack_tls: { ...inv.vars.otelstack_tls, ca: certs.ca, cert: certs.cert, key: certs.key } });
    const [port] = (await freeLoopbackPorts(1)) as [number];
    prom = await PrometheusServer.start(dir, port, 60_000, { args: [`${PROMETHEUS_WEB_TLS.flag}=${web}`], tls: { ca: readFileSync(certs.ca), cert: readFileSync(certs.cert), key: readFileSync(certs.key) } });
    return { certs, stack, files, web };
  });
  before(setup.run);
  after(async () => {
    await prom?.stop();
    killAllTracked();
    removeTempDir(dir);
  });

  it("the role runs Prometheus with the web config under TLS, and the engine's endpoints are https", () => {
    const { stack, files, web } = setup.get();
    const unit = files.get('ansible/roles/prometheus/templates/otelstack-prometheus.service.j2')!;
    assert.match(unit, /\{% if otelstack_tls\.enabled \| default\(false\) %\} --web\.config\.file=\{\{ otelstack_root \| default\(''\) \}\}\/etc\/otelstack\/prometheus-web\.yml\{% endif %\}/);
    const cfg = parse(readFileSync(web, 'utf8')) as Obj;
    assert.deepEqual(Object.keys(cfg[PROMETHEUS_WEB_TLS.server]).sort(), ['cert_file', 'client_auth_type', 'client_ca_file', 'key_file']);
    const e = expand(stack, 'prod').engines.find((x) => x.engine === 'prometheus')!;
    for (const u of Object.values(e.endpoints)) if (u) assert.match(u, /^https:\/\/prometheus:9090/);
  });

  it('answers over TLS with a client certificate from the CA; refuses none, and plaintext', async () => {
    const { certs } = setup.get();
    const url = `${prom!.url}/api/v1/query?query=up`;
    assert.match(url, /^https:/);
    const ok = await request(url, { dispatcher: new Agent({ connect: { ca: readFileSync(certs.ca), cert: readFileSync(certs.cert), key: readFileSync(certs.key) } }) });
    assert.equal(ok.statusCode, 200, await ok.body.text());
    await assert.rejects(async () => {
      const r = await request(url, { dispatcher: new Agent({ connect: { ca: readFileSync(certs.ca) } }) });
      await r.body.text();
    }, 'no client certificate: refused');
    const plain = await request(`http://${LOOPBACK_HOST}:${prom!.port}/api/v1/query?query=up`).then(async (r) => ({ code: r.statusCode, body: await r.body.text() }), (e: Error) => ({ code: 0, body: e.message }));
    assert.notEqual(plain.code, 200, `plaintext: ${plain.body.slice(0, 100)}`);
  });
});
