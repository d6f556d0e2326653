// The canary (and verify) from inside an ansible environment with TLS (examples/vms prod: mTLS): the targets it
// resolves push to the first gateway by name over TLS and read the engines over https with the host's CA and
// certificate (the files the rendered configs name). The clients built from those targets are run against real TLS
// servers requiring client certificates: the e2e suite's OTLP sink (gRPC with TLS, as the gateway's receiver is
// rendered) and a Node https server answering a Prometheus query. Certificates are made with the real openssl; the
// host's files are the test's certificates and the names resolve to loopback (the test places the targets there).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';

import { createVerifyClients, resolveTargets, type VerifyTargets } from '../../src/ops/verify/index.js';
import { expand } from '../../src/topology/expand.js';
import { LOOPBACK_HOST } from '../../src/topology/loopback.js';
import { OtlpSink } from '../support/otlp-sink.js';
import { vmsStack } from '../render/ansible/support.js';
import { makeCerts, type Certs } from './support/tls.js';
import { Setup, makeTempDir, removeTempDir } from './support/tmp.js';

describe('e2e: the canary\'s clients with the host\'s TLS files (examples/vms prod, mTLS)', () => {
  let dir: string | undefined;
  let sink: OtlpSink | undefined;
  let https: Server | undefined;
  const setup = new Setup(async () => {
    dir = makeTempDir('canary-tls');
    const certs = await makeCerts(dir);
    const tls = { certFile: certs.cert, keyFile: certs.key, clientCaFile: certs.ca };
    sink = await OtlpSink.start({ grpcTls: tls, httpTls: tls });
    // a Prometheus query API over https that wants a client certificate from the CA
    https = createServer({ cert: readFileSync(certs.cert), key: readFileSync(certs.key), ca: readFileSync(certs.ca), requestCert: true, rejectUnauthorized: true }, (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: { job: 'x' }, value: [1, '1'] }] } }));
    });
    await new Promise<void>((r) => https!.listen(0, LOOPBACK_HOST, () => r()));
    return { certs, httpsPort: (https.address() as AddressInfo).port };
  });
  before(setup.run);
  after(async () => {
    await sink?.stop();
    await new Promise<void>((r) => (https ? https.close(() => r()) : r()));
    removeTempDir(dir);
  });

  const placed = (t: VerifyTargets, certs: Certs, httpsPort: number, withTls: boolean): VerifyTargets => {
    const { tls: _unused, ...rest } = t;
    void _unused;
    return {
      ...rest,
      otlp: { ...t.otlp, endpoint: sink!.grpcEndpoint },
      metrics: { ...t.metrics!, url: `https://${LOOPBACK_HOST}:${httpsPort}` },
      ...(withTls ? { tls: { caFile: certs.ca, certFile: certs.cert, keyFile: certs.key } } : {}),
    };
  };

  it('resolves TLS targets from the topology: the first gateway by name, the engines over https, the host\'s CA, certificate and key', async () => {
    const stack = await vmsStack();
    const t = resolveTargets(expand(stack, 'prod'), { view: 'network' });
    assert.equal(t.otlp.endpoint, 'https://gateway-0:4317');
    assert.deepEqual(t.tls, { caFile: '/etc/otelstack/tls/ca.crt', certFile: '/etc/otelstack/tls/host.crt', keyFile: '/etc/otelstack/tls/host.key' });
    for (const u of [t.traces!.url, t.metrics!.url, t.logs!.url]) assert.match(u, /^https:\/\//);
    // dev: TLS without client certificates — the CA only; from the host (not inside the environment): no TLS files
    assert.deepEqual(resolveTargets(expand(stack, 'dev'), { view: 'network' }).tls, { caFile: '/etc/otelstack/tls/ca.crt' });
    assert.equal(resolveTargets(expand(stack, 'prod'), { view: 'host' }).tls, undefined);
  });

  it('pushes through gRPC with TLS and reads over https presenting the host certificate; without it both are refused', async () => {
    const { certs, httpsPort } = setup.get();
    const stack = await vmsStack();
    const t = resolveTargets(expand(stack, 'prod'), { view: 'network' });
    const ok = createVerifyClients(placed(t, certs, httpsPort, true));
    try {
      const before = sink!.count('logs');
      const r = await ok.sender.send('logs', { records: [{ body: 'canary over mTLS' }] });
      assert.equal(r.ok, true, JSON.stringify(r));
      assert.equal(sink!.count('logs'), before + 1, 'the sink received the record');
      const q = await ok.readers.metrics!.query('up');
      assert.equal(q.length, 1);
    } finally {
      await ok.close();
    }
    const bare = createVerifyClients(placed(t, certs, httpsPort, false));
    try {
      const r = await bare.sender.send('logs', { records: [{ body: 'no certificate' }] });
      assert.equal(r.ok, false, 'a push without the host certificate is refused');
      await assert.rejects(bare.readers.metrics!.query('up'));
    } finally {
      await bare.close();
    }
  });
});
