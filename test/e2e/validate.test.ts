// Test 1: every collector config otelstack renders — every example with an OpenTelemetry Collector pool, every
// environment, every role (gateway; processor behind Kafka) — is accepted by the real collector's `validate`
// (otelcol-otelstack, built from scripts/peers/otelcol-builder.yaml at the catalog's version). The files are exactly
// renderCollectorConfigs' output, as `otelstack render` writes them, and the Kubernetes target's ConfigMaps (the
// OTel Collector pools it deploys: the config text a pod mounts). A broken config is rejected, so `validate` is
// not a rubber stamp.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'yaml';

import { renderCollectorConfigs } from '../../src/render/configs/otelcol.js';
import { renderStack } from '../../src/render/index.js';
import { expandAll } from '../../src/topology/expand.js';
import { OTELCOL_FARO_RECEIVER } from '../../src/catalog/otelcol.js';
import { otelcolWith } from './support/peers.js';
import { exampleNames, exampleVariant, loadExample } from './support/stacks.js';
import type { Stack } from '../../src/model/schema.js';
import { Setup, makeTempDir, removeTempDir } from './support/tmp.js';

const run = promisify(execFile);

/**
 * Definitions beyond the examples, edited as definitions: the browser (Faro) receiver on the Kafka-buffered gateway
 * (examples/single-node has it on the direct one), and with the open "*" origin (a plan warning, still a config the
 * collector must take) and with no origin (no cors block at all).
 */
const VARIANTS: Array<[string, () => Stack]> = [
  ['scalable+faro', () => exampleVariant('scalable', (raw) => { raw['ingestion'].faro = { enabled: true, allowedOrigins: ['https://app.example.com', 'https://*.example.org'] }; })],
  ['single-node+faro-any-origin', () => exampleVariant('single-node', (raw) => { raw['ingestion'].faro = { enabled: true, port: 13000, allowedOrigins: ['*'] }; })],
  ['single-node+faro-no-origin', () => exampleVariant('single-node', (raw) => { raw['ingestion'].faro = { enabled: true }; })],
  // TLS between VMs with the Faro receiver beside the OTLP receivers (server TLS only there); examples/vms itself has
  // TLS in every environment (prod with mTLS, test with a vault-variable key)
  ['vms+faro', () => exampleVariant('vms', (raw) => { raw['ingestion'].faro = { enabled: true, allowedOrigins: ['https://app.example.com'] }; })],
  // tenants (seed 003) on VMs with TLS: each tenant's Faro receiver takes server TLS like the shared one
  ['vms+tenants', () => exampleVariant('vms', (raw) => { raw['tenants'] = { shop: { origins: ['https://shop.example.com'], rateLimit: { perSecond: 20 } } }; })],
];

async function validate(bin: string, file: string): Promise<{ ok: boolean; output: string }> {
  try {
    const r = await run(bin, ['validate', `--config=${file}`], { timeout: 60_000 });
    return { ok: true, output: r.stdout + r.stderr };
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${x.stdout ?? ''}${x.stderr ?? ''}` || x.message };
  }
}

describe('e2e: the real collector validates every rendered collector config', () => {
  let dir: string | undefined;
  const rendered: Array<{ example: string; env: string; path: string; file: string }> = [];
  const setup = new Setup(async () => {
    const bin = otelcolWith([OTELCOL_FARO_RECEIVER.type]);
    dir = makeTempDir('validate');
    const definitions: Array<[string, () => Promise<Stack> | Stack]> = [...exampleNames().map((e): [string, () => Promise<Stack>] => [e, () => loadExample(e)]), ...VARIANTS];
    for (const [example, load] of definitions) {
      const stack = await load();
      for (const topology of expandAll(stack)) {
        const r = renderCollectorConfigs({ stack, topology });
        assert.deepEqual(r.findings.filter((f) => f.severity === 'error'), [], `${example}/${topology.env.name}: render findings`);
        for (const [path, text] of r.files) {
          const file = join(dir, example, path);
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, text);
          rendered.push({ example, env: topology.env.name, path, file });
        }
      }
      // the Kubernetes target's collector pools: the config inside each rendered ConfigMap, as the pod mounts it
      for (const [path, text] of renderStack(stack).files) {
        const m = /^kubernetes\/([^/]+)\/otelcol\/[a-z]+-configmap\.yaml$/.exec(path);
        if (!m) continue;
        const config = (parse(text) as { data: Record<string, string> }).data['config.yaml']!;
        const file = join(dir, example, `${path}.config.yaml`);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, config);
        rendered.push({ example, env: m[1]!, path: `${path}#config.yaml`, file });
      }
    }
    return { bin, dir };
  });
  before(setup.run);
  after(() => removeTempDir(dir));

  it('renders collector configs for the examples that run the OpenTelemetry Collector, both roles', () => {
    setup.get();
    const got = rendered.map((r) => `${r.example}:${r.path}`).sort();
    // single-node: a gateway straight to the backends; scalable: gateway → Kafka → processor
    // buffered: the same pools on Kubernetes, their configs in the ConfigMaps the pods mount
    for (const want of [
      'single-node:configs/local/otelcol-gateway.yaml',
      'scalable:configs/local/otelcol-gateway.yaml',
      'scalable:configs/local/otelcol-processor.yaml',
      'buffered:kubernetes/prod/otelcol/gateway-configmap.yaml#config.yaml',
      'buffered:kubernetes/prod/otelcol/processor-configmap.yaml#config.yaml',
    ]) {
      assert.ok(got.includes(want), `expected ${want} among ${got.join(', ')}`);
    }
  });

  it('the Faro receiver is among what is validated: on the direct gateway, the Kafka-buffered one, with "*" and with no origin', () => {
    setup.get();
    const gateway = (example: string) => readFileSync(rendered.find((r) => r.example === example && r.path.endsWith('otelcol-gateway.yaml'))!.file, 'utf8');
    for (const example of ['single-node', 'scalable+faro', 'single-node+faro-any-origin', 'single-node+faro-no-origin']) {
      assert.match(gateway(example), /\n  faro:\n/, `${example}: a faro receiver`);
      assert.match(gateway(example), /receivers:\n        - otlp\n        - faro\n/, `${example}: in a pipeline`);
    }
    assert.match(gateway('scalable+faro'), /allowed_origins:\n        - https:\/\/\*\.example\.org\n        - https:\/\/app\.example\.com\n/);
    assert.match(gateway('single-node+faro-any-origin'), /allowed_origins:\n        - "\*"\n/);
    assert.doesNotMatch(gateway('single-node+faro-no-origin'), /cors:/);
    assert.doesNotMatch(gateway('scalable'), /faro/, 'the scalable example itself has no Faro');
  });

  it('the TLS configs of the VM target are among what is validated: server TLS, client_ca_file under mTLS, Kafka clients over TLS', () => {
    setup.get();
    const file = (example: string, path: string) => readFileSync(rendered.find((r) => r.example === example && r.path === path)!.file, 'utf8');
    const prodGateway = parse(file('vms', 'configs/prod/otelcol-gateway.yaml')) as Record<string, any>;
    assert.equal(prodGateway['receivers'].otlp.protocols.grpc.tls.client_ca_file, '/etc/otelstack/tls/ca.crt');
    assert.equal(prodGateway['exporters']['kafka/traces'].tls.cert_file, '/etc/otelstack/tls/host.crt');
    assert.equal((parse(file('vms', 'configs/dev/otelcol-processor.yaml')) as Record<string, any>)['receivers']['kafka/logs'].tls.ca_file, '/etc/otelstack/tls/ca.crt');
    const faro = parse(file('vms+faro', 'configs/prod/otelcol-gateway.yaml')) as Record<string, any>;
    assert.deepEqual(Object.keys(faro['receivers'].faro.tls).sort(), ['cert_file', 'key_file', 'min_version'], 'Faro: server TLS without client certificates');
  });

  it("the tenants' Faro receivers are among what is validated: their own port, origins, pipelines and tenant-id exporters (direct and Kafka-buffered gateways, TLS)", () => {
    setup.get();
    const file = (example: string, path: string) => parse(readFileSync(rendered.find((r) => r.example === example && r.path === path)!.file, 'utf8')) as Record<string, any>;
    for (const [example, path] of [['rum', 'configs/local/otelcol-gateway.yaml'], ['rum', 'kubernetes/prod/otelcol/gateway-configmap.yaml#config.yaml']] as const) {
      const c = file(example, path);
      assert.deepEqual(c['receivers']['faro/shop'].cors.allowed_origins, ['https://shop.example.com'], `${example} ${path}`);
      assert.deepEqual(c['service'].pipelines['logs/faro-shop'].receivers, ['faro/shop']);
      assert.deepEqual(c['service'].pipelines['traces/faro-blog'].receivers, ['faro/blog']);
      const exporters = [...c['service'].pipelines['logs/faro-shop'].exporters, ...c['service'].pipelines['traces/faro-shop'].exporters];
      for (const id of exporters) assert.equal(c['exporters'][id].headers['X-Scope-OrgID'], 'shop', `${path}: ${id}`);
    }
    const vms = file('vms+tenants', 'configs/prod/otelcol-gateway.yaml');
    assert.deepEqual(Object.keys(vms['receivers']['faro/shop'].tls).sort(), ['cert_file', 'key_file', 'min_version'], 'tenant Faro: server TLS without client certificates');
  });

  it('every rendered config passes `otelcol validate`', async () => {
    const { bin } = setup.get();
    const failures: string[] = [];
    for (const r of rendered) {
      const v = await validate(bin, r.file);
      if (!v.ok) failures.push(`${r.example}/${r.env} ${r.path}:\n${v.output}`);
    }
    assert.deepEqual(failures, [], failures.join('\n\n'));
  });

  it('validate rejects a broken config (an unknown key in a rendered exporter)', async () => {
    const { bin, dir } = setup.get();
    const r = rendered.find((x) => x.path.endsWith('otelcol-gateway.yaml'))!;
    const broken = readFileSync(r.file, 'utf8').replace('    sending_queue:\n', '    sending_queue:\n      no_such_setting: 1\n');
    assert.notEqual(broken, readFileSync(r.file, 'utf8'), 'the edit applied');
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, broken);
    const v = await validate(bin, file);
    assert.equal(v.ok, false, 'validate accepted an unknown key');
    assert.match(v.output, /no_such_setting/);
  });
});

describe('e2e: validate reads the faro receiver (its keys are checked, so the rendered ones are the real ones)', () => {
  it('an unknown key in the rendered cors block is rejected, naming confighttp.CORSConfig', async () => {
    const bin = otelcolWith([OTELCOL_FARO_RECEIVER.type]);
    const dir = makeTempDir('validate-faro');
    try {
      const stack = await loadExample('single-node');
      const [text] = [...renderCollectorConfigs({ stack, topology: expandAll(stack)[0]! }).files.values()];
      assert.ok(text && /\n  faro:\n    cors:\n/.test(text), 'the example renders a faro receiver with cors');
      const broken = text.replace('\n  faro:\n    cors:\n', '\n  faro:\n    cors:\n      no_such_cors_key: 1\n');
      const file = join(dir, 'broken-faro.yaml');
      writeFileSync(file, broken);
      const v = await validate(bin, file);
      assert.equal(v.ok, false, 'validate accepted an unknown faro cors key');
      assert.match(v.output, /CORSConfig.*no_such_cors_key/s);
    } finally {
      removeTempDir(dir);
    }
  });
});
