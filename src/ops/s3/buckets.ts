// Creates an environment's buckets — exactly the topology's, no more — idempotently, with @aws-sdk/client-s3
// (S3 API version 2006-03-01: HeadBucket, CreateBucket). The same logic as the Kubernetes bucket Job
// (src/render/kubernetes: `aws s3api head-bucket || aws s3api create-bucket` per bucket) and the compose buckets-init
// service, as a library a test can run against a real S3 (SeaweedFS) and an operator can run from a workstation.
//
// Path-style addressing by default, as SeaweedFS and MinIO expect. Credentials are never read from the definition
// (it holds Secret references only): pass them, or let the SDK's default chain find them (AWS_ACCESS_KEY_ID /
// AWS_SECRET_ACCESS_KEY, profiles, ...).
import { CreateBucketCommand, HeadBucketCommand, S3Client, type BucketLocationConstraint } from '@aws-sdk/client-s3';

import type { EngineId } from '../../catalog/types.js';
import type { Bucket, Topology } from '../../topology/types.js';
import { describeError } from '../otlp/sender.js';

export interface S3ConnectOptions {
  /** Default: the topology's object store endpoint. */
  readonly endpoint?: string;
  /** Default: the topology's object store region. */
  readonly region?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Default true. */
  readonly forcePathStyle?: boolean;
  /** Per-request timeout; default 10 000 ms. */
  readonly timeoutMs?: number;
}

export interface EnsureBucketsResult {
  readonly endpoint: string;
  /** Every bucket name the topology plans, sorted, each once. */
  readonly planned: readonly string[];
  /** Created by this run. */
  readonly created: readonly string[];
  /** Already there (owned by the caller). */
  readonly existing: readonly string[];
}

export class BucketError extends Error {
  override readonly name = 'BucketError';
  constructor(
    message: string,
    readonly bucket: string,
    readonly endpoint: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The bucket names an environment needs, sorted, each once (several engines may share one by explicit naming). */
export function plannedBuckets(t: Topology): string[] {
  return [...new Set(t.buckets.map((b) => b.name))].sort();
}

/** The bucket an engine keeps `purpose` in (its first bucket when no purpose is given). */
export function bucketFor(t: Topology, engine: EngineId, purpose?: string): Bucket | undefined {
  return t.buckets.find((b) => b.engine === engine && (purpose === undefined || b.purpose === purpose));
}

/** An S3 client for the topology's object store (or the endpoint given). */
export function s3ClientFor(t: Topology, opts: S3ConnectOptions = {}): S3Client {
  const timeout = opts.timeoutMs ?? 10_000;
  return new S3Client({
    endpoint: opts.endpoint ?? t.objectStorage.endpoint,
    region: opts.region ?? t.objectStorage.region,
    forcePathStyle: opts.forcePathStyle ?? true,
    maxAttempts: 3,
    ...(opts.credentials ? { credentials: { accessKeyId: opts.credentials.accessKeyId, secretAccessKey: opts.credentials.secretAccessKey } } : {}),
    requestHandler: { requestTimeout: timeout, connectionTimeout: timeout },
  });
}

function statusOf(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}
function nameOf(e: unknown): string {
  return (e as { name?: string }).name ?? '';
}

/**
 * Makes every planned bucket exist: HeadBucket, and CreateBucket for those that answer 404. A bucket that appears
 * between the two calls (BucketAlreadyOwnedByYou) counts as existing. Runs the buckets one after the other, in name
 * order, so a failure names the first bucket that could not be made; nothing is ever deleted.
 */
export async function ensureBuckets(t: Topology, opts: S3ConnectOptions = {}): Promise<EnsureBucketsResult> {
  const endpoint = opts.endpoint ?? t.objectStorage.endpoint;
  const region = opts.region ?? t.objectStorage.region;
  const planned = plannedBuckets(t);
  const created: string[] = [];
  const existing: string[] = [];
  const client = s3ClientFor(t, opts);
  try {
    for (const bucket of planned) {
      let exists = false;
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }));
        exists = true;
      } catch (e) {
        const status = statusOf(e);
        if (status !== 404 && nameOf(e) !== 'NotFound' && nameOf(e) !== 'NoSuchBucket') {
          throw new BucketError(`S3 HeadBucket ${bucket} at ${endpoint}: ${status !== undefined ? `HTTP ${status} ` : ''}${describeError(e).message}`, bucket, endpoint, status);
        }
      }
      if (exists) {
        existing.push(bucket);
        continue;
      }
      try {
        // us-east-1 is the one region CreateBucket must not name (S3 API reference, CreateBucket).
        await client.send(
          new CreateBucketCommand({
            Bucket: bucket,
            ...(region && region !== 'us-east-1' ? { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } } : {}),
          }),
        );
        created.push(bucket);
      } catch (e) {
        if (nameOf(e) === 'BucketAlreadyOwnedByYou') {
          existing.push(bucket);
          continue;
        }
        const status = statusOf(e);
        throw new BucketError(`S3 CreateBucket ${bucket} at ${endpoint}: ${status !== undefined ? `HTTP ${status} ` : ''}${nameOf(e) ? `${nameOf(e)}: ` : ''}${describeError(e).message}`, bucket, endpoint, status);
      }
    }
  } finally {
    client.destroy();
  }
  return { endpoint, planned, created, existing };
}
