// A real SeaweedFS (`weed server -s3`) on loopback: master, volume, filer and the S3 gateway in one process, every
// port set explicitly (else some default to fixed ports; see scripts/peers/README.md), data in the test's temp dir.
// S3 has one admin identity, given the way the compose target gives it (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';

import { SEAWEEDFS_NO_TELEMETRY } from '../../../src/catalog/seaweedfs.js';
import { LOOPBACK_HOST, freeLoopbackPorts } from '../../../src/topology/loopback.js';
import { weedBin } from './peers.js';
import { ManagedProcess, waitUntil } from './proc.js';

export class WeedServer {
  private constructor(
    readonly s3Port: number,
    private readonly proc: ManagedProcess,
    private readonly https = false,
  ) {}

  /**
   * Starts weed with its S3 gateway on 127.0.0.1:`s3Port` (the port the topology's object store was mapped to) and
   * one S3 admin identity. Without an identity SeaweedFS 4.48 accepts anonymous writes but lists no buckets.
   */
  /** `extraArgs`: more flags, e.g. the S3 TLS flags the ansible target's seaweedfs role renders (S3 then answers https). */
  static async start(dir: string, s3Port: number, credentials: { readonly accessKeyId: string; readonly secretAccessKey: string }, timeoutMs = 90_000, extraArgs: readonly string[] = [], ca?: Buffer): Promise<WeedServer> {
    const bin = weedBin();
    const home = join(dir, 'seaweedfs');
    mkdirSync(join(home, 'data'), { recursive: true });
    const [master, masterGrpc, volume, volumeGrpc, filer, filerGrpc, s3Grpc] = (await freeLoopbackPorts(7)) as [number, number, number, number, number, number, number];
    const proc = ManagedProcess.start('seaweedfs', bin, {
      args: [
        'server',
        `-ip=${LOOPBACK_HOST}`,
        `-ip.bind=${LOOPBACK_HOST}`,
        `-dir=${join(home, 'data')}`,
        `-master.port=${master}`,
        `-master.port.grpc=${masterGrpc}`,
        `-volume.port=${volume}`,
        `-volume.port.grpc=${volumeGrpc}`,
        '-filer',
        `-filer.port=${filer}`,
        `-filer.port.grpc=${filerGrpc}`,
        '-s3',
        `-s3.port=${s3Port}`,
        `-s3.port.grpc=${s3Grpc}`,
        '-s3.port.iceberg=0',
        '-s3.port.lance=0',
        '-master.volumeSizeLimitMB=64',
        // each bucket is a collection that grows its own volumes (several at a time): room for the stack's buckets
        '-volume.max=100',
        '-volume.preStopSeconds=0',
        // as every target renders it (the real weed checks the flag here)
        SEAWEEDFS_NO_TELEMETRY,
        ...extraArgs,
      ],
      logFile: join(home, 'weed.log'),
      // the S3 admin identity, from the environment as the compose target passes it (env_file s3.env)
      env: { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey },
    });
    const w = new WeedServer(s3Port, proc, extraArgs.some((a) => a.startsWith('-s3.cert.file=')));
    const dispatcher = ca ? new Agent({ connect: { ca } }) : undefined;
    await waitUntil('the SeaweedFS S3 gateway to answer ListBuckets', timeoutMs, async () => {
      if (!proc.running) throw new Error(`weed exited:\n${proc.logTail()}`);
      const res = await request(`${w.s3Url}/`, { headersTimeout: 3000, bodyTimeout: 3000, ...(dispatcher ? { dispatcher } : {}) });
      await res.body.dump();
      return res.statusCode === 200 || res.statusCode === 403;
    }, { intervalMs: 500, details: () => proc.logTail() });
    return w;
  }

  get s3Url(): string {
    return `${this.https ? 'https' : 'http'}://${LOOPBACK_HOST}:${this.s3Port}`;
  }

  logTail(n = 40): string {
    return this.proc.logTail(n);
  }

  /** The data is throwaway: a short grace (a graceful weed stop waits ~15 s on its filer), then SIGKILL. */
  async stop(): Promise<void> {
    await this.proc.stop({ signal: 'SIGTERM', graceMs: 3000 });
  }
}
