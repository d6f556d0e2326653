// Test 5 (object storage): the bucket creation of src/ops/s3 (the same HeadBucket-or-CreateBucket logic as the
// Kubernetes bucket Job) against a real SeaweedFS S3 gateway on loopback, placed where the definition's object store
// endpoint was mapped. After two runs exactly the convention's buckets exist (the second run creates nothing), and an
// object written for an engine lands in that engine's bucket and nowhere else.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { ListBucketsCommand, PutObjectCommand } from '@aws-sdk/client-s3';

import { S3Lister } from '../../src/ops/backends/s3.js';
import { bucketFor, ensureBuckets, plannedBuckets, s3ClientFor } from '../../src/ops/s3/index.js';
import { killAllTracked } from './support/proc.js';
import { loadExample, loopbackTopology } from './support/stacks.js';
import { Setup, makeTempDir, removeTempDir } from './support/tmp.js';
import { WeedServer } from './support/weed.js';

/** The S3 admin identity this test gives SeaweedFS (test-only values; definitions hold Secret references). */
const CREDENTIALS = { accessKeyId: 'otelstack-e2e', secretAccessKey: 'otelstack-e2e-secret' };

describe('e2e object storage: bucket creation on a real SeaweedFS S3 gateway', () => {
  let dir: string | undefined;
  let weed: WeedServer | undefined;
  const setup = new Setup(async () => {
    dir = makeTempDir('seaweedfs');
    const stack = await loadExample('single-node');
    const topology = await loopbackTopology(stack, 'local');
    const port = Number(new URL(topology.objectStorage.endpoint).port);
    weed = await WeedServer.start(dir, port, CREDENTIALS);
    return { stack, topology, weed };
  });
  before(setup.run);
  after(async () => {
    await weed?.stop();
    killAllTracked();
    removeTempDir(dir);
  });

  async function listBuckets(): Promise<string[]> {
    const { topology } = setup.get();
    const client = s3ClientFor(topology, { credentials: CREDENTIALS });
    try {
      const r = await client.send(new ListBucketsCommand({}));
      return (r.Buckets ?? []).map((b) => b.Name ?? '').sort();
    } finally {
      client.destroy();
    }
  }

  it('the planned buckets are the naming convention applied to every managed engine and purpose', () => {
    const { stack, topology } = setup.get();
    const expected = topology.buckets.map((b) =>
      stack.conventions.bucket.replace('{stack}', stack.name).replace('{signal}', b.signal).replace('{env}', topology.env.name).replace('{purpose}', b.purpose),
    );
    assert.deepEqual(plannedBuckets(topology), [...new Set(expected)].sort());
    assert.ok(plannedBuckets(topology).length >= 3, 'tempo, mimir and loki each have buckets');
  });

  it('first run creates exactly the planned buckets', async () => {
    const { topology } = setup.get();
    assert.deepEqual(await listBuckets(), [], 'a fresh store');
    const r = await ensureBuckets(topology, { credentials: CREDENTIALS });
    assert.deepEqual(r.created, plannedBuckets(topology));
    assert.deepEqual(r.existing, []);
    assert.deepEqual(await listBuckets(), plannedBuckets(topology));
  });

  it('second run is idempotent: creates nothing, the store still holds exactly the planned buckets', async () => {
    const { topology } = setup.get();
    const r = await ensureBuckets(topology, { credentials: CREDENTIALS });
    assert.deepEqual(r.created, []);
    assert.deepEqual(r.existing, plannedBuckets(topology));
    assert.deepEqual(await listBuckets(), plannedBuckets(topology));
  });

  it("an object written for an engine lands in that engine's bucket only", async () => {
    const { topology } = setup.get();
    const client = s3ClientFor(topology, { credentials: CREDENTIALS });
    const lister = new S3Lister({ endpoint: topology.objectStorage.endpoint, credentials: CREDENTIALS });
    try {
      for (const b of topology.buckets) {
        const target = bucketFor(topology, b.engine, b.purpose);
        assert.equal(target?.name, b.name);
        await client.send(new PutObjectCommand({ Bucket: target.name, Key: `otelstack-e2e/${b.engine}/${b.purpose}.txt`, Body: `${b.engine} ${b.purpose}` }));
      }
      for (const b of topology.buckets) {
        const listed = await lister.list(b.name, { prefix: 'otelstack-e2e/' });
        assert.deepEqual(
          listed.objects.map((o) => o.key),
          [`otelstack-e2e/${b.engine}/${b.purpose}.txt`],
          `bucket ${b.name} holds only the ${b.engine} ${b.purpose} object`,
        );
      }
    } finally {
      client.destroy();
      await lister.close();
    }
  });
});
