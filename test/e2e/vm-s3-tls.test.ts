// TLS on the object store between VMs (examples/vms prod): the seaweedfs role's rendered ExecStart adds the S3 TLS
// flags under TLS, and the engines' configs reach the object store by https with verification on. A real SeaweedFS
// (scripts/peers) started with exactly those flags (the host's certificate and key are the test's, made by openssl)
// answers S3 over TLS to a client that trusts the CA — buckets created and listed — and refuses plaintext. Not run
// here: the engines themselves (Go, verifying with the system trust the otelstack-tls role installs the CA into).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { parse } from 'yaml';
import { request } from 'undici';

import { renderStack } from '../../src/render/index.js';
import { expand } from '../../src/topology/expand.js';
import { freeLoopbackPorts, LOOPBACK_HOST } from '../../src/topology/loopback.js';
import { vmsStack } from '../render/ansible/support.js';
import { makeCerts, type Certs } from './support/tls.js';
import { killAllTracked } from './support/proc.js';
import { Setup, makeTempDir, removeTempDir } from './support/tmp.js';
import { WeedServer } from './support/weed.js';

const CREDS = { accessKeyId: 'otelstack-e2e', secretAccessKey: 'otelstack-e2e-secret' };

/** The TLS flags of the rendered seaweedfs unit, with the host's files (the Jinja the role runs, evaluated here). */
function renderedTlsFlags(unit: string, certs: Certs): string[] {
  const m = /\{% if otelstack_tls\.enabled \| default\(false\) %\}(.*?)\{% endif %\}/.exec(unit);
  assert.ok(m, 'the seaweedfs unit has TLS flags under otelstack_tls.enabled');
  return m[1]!.replace('{{ otelstack_tls.cert }}', certs.cert).replace('{{ otelstack_tls.key }}', certs.key).trim().split(/\s+/);
}

describe('e2e: the object store over TLS between VMs (SeaweedFS S3 with the rendered flags)', () => {
  let dir: string | undefined;
  let weed: WeedServer | undefined;
  const setup = new Setup(async () => {
    dir = makeTempDir('vm-s3-tls');
    const certs = await makeCerts(dir);
    const stack = await vmsStack();
    const files = renderStack(stack).files;
    const unitPath = [...files.keys()].find((k) => /^ansible\/roles\/seaweedfs\/templates\/.*\.service\.j2$/.test(k));
    assert.ok(unitPath, `a seaweedfs unit template among ${[...files.keys()].filter((k) => k.includes('seaweedfs')).join(', ')}`);
    const flags = renderedTlsFlags(files.get(unitPath)!, certs);
    const [port] = (await freeLoopbackPorts(1)) as [number];
    weed = await WeedServer.start(dir, port, CREDS, 90_000, flags, readFileSync(certs.ca));
    return { certs, stack, files, flags };
  });
  before(setup.run);
  after(async () => {
    await weed?.stop();
    killAllTracked();
    removeTempDir(dir);
  });

  it("the engines reach the object store by https with verification on; the role serves S3 on the host's certificate", () => {
    const { stack, files, flags } = setup.get();
    const t = expand(stack, 'prod');
    assert.equal(t.objectStorage.endpoint, 'https://seaweedfs:8333');
    assert.equal(t.objectStorage.insecure, false);
    const tempo = parse(files.get('ansible/roles/tempo/files/prod/tempo.yaml')!) as any;
    assert.equal(tempo.storage.trace.s3.insecure, false);
    assert.equal(tempo.storage.trace.s3.endpoint, 'seaweedfs:8333');
    assert.deepEqual(flags.map((f) => f.split('=')[0]), ['-s3.cert.file', '-s3.key.file']);
    // the host running seaweedfs must carry that name in its certificate (the tls role checks it)
    const inv = parse(files.get('ansible/inventory/prod.yml')!) as any;
    assert.ok(Object.values(inv.all.vars.otelstack_tls.names_by_host as Record<string, string[]>).some((names) => names.includes('seaweedfs')));
  });

  it('S3 over TLS to a client trusting the CA: a bucket created and listed; plaintext refused', async () => {
    const { certs } = setup.get();
    const s3 = new S3Client({
      endpoint: weed!.s3Url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: CREDS,
      requestHandler: { httpsAgent: new HttpsAgent({ ca: readFileSync(certs.ca) }), requestTimeout: 10_000, connectionTimeout: 10_000 },
    });
    try {
      assert.match(weed!.s3Url, /^https:\/\//);
      await s3.send(new CreateBucketCommand({ Bucket: 'vms-tls-e2e' }));
      const l = await s3.send(new ListBucketsCommand({}));
      assert.ok((l.Buckets ?? []).some((b) => b.Name === 'vms-tls-e2e'), JSON.stringify(l.Buckets));
    } finally {
      s3.destroy();
    }
    const plain = await request(`http://${LOOPBACK_HOST}:${weed!.s3Port}/`, { headersTimeout: 5000, bodyTimeout: 5000 });
    const body = await plain.body.text();
    assert.equal(plain.statusCode, 400, `a plaintext request to the TLS port: ${body.slice(0, 100)}`);
  });
});
