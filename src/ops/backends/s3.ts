// Object-storage listing with @aws-sdk/client-s3 (ListObjectsV2, S3 API version 2006-03-01): the objects under a
// bucket/prefix, optionally only those modified since a time. Path-style addressing by default, as SeaweedFS and
// MinIO expect. Credentials are never taken from the definition (it holds Secret references only): pass them, or
// let the SDK's default chain find them (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profiles, ...).
import { ListObjectsV2Command, S3Client, paginateListObjectsV2, type _Object } from '@aws-sdk/client-s3';

import { describeError } from '../otlp/sender.js';
import { BackendError } from './http.js';

export interface S3ListOptions {
  readonly endpoint: string;
  /** Default us-east-1 (what SeaweedFS and MinIO accept). */
  readonly region?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Default true. */
  readonly forcePathStyle?: boolean;
  /** Per-request timeout; default 10 000 ms. */
  readonly timeoutMs?: number;
}

export interface S3ObjectInfo {
  readonly key: string;
  readonly size: number;
  readonly lastModified: Date;
}

export interface ListResult {
  readonly objects: readonly S3ObjectInfo[];
  /** Objects listed in total, before the `since` filter. */
  readonly listed: number;
  /** The listing stopped at maxKeys. */
  readonly truncated: boolean;
}

export class S3Lister {
  private readonly client: S3Client;
  readonly endpoint: string;

  constructor(opts: S3ListOptions) {
    this.endpoint = opts.endpoint;
    this.client = new S3Client({
      endpoint: opts.endpoint,
      region: opts.region ?? 'us-east-1',
      forcePathStyle: opts.forcePathStyle ?? true,
      maxAttempts: 2,
      ...(opts.credentials ? { credentials: { accessKeyId: opts.credentials.accessKeyId, secretAccessKey: opts.credentials.secretAccessKey } } : {}),
      requestHandler: { requestTimeout: opts.timeoutMs ?? 10_000, connectionTimeout: opts.timeoutMs ?? 10_000 },
    });
  }

  /** Objects under bucket/prefix (all when prefix is empty), modified at or after `since`, up to maxKeys listed. */
  async list(bucket: string, opts: { readonly prefix?: string; readonly since?: Date; readonly maxKeys?: number } = {}): Promise<ListResult> {
    const max = opts.maxKeys ?? 100_000;
    const objects: S3ObjectInfo[] = [];
    let listed = 0;
    try {
      const pages = paginateListObjectsV2({ client: this.client, pageSize: 1000 }, { Bucket: bucket, ...(opts.prefix ? { Prefix: opts.prefix } : {}) });
      for await (const page of pages) {
        for (const o of page.Contents ?? ([] as _Object[])) {
          listed++;
          if (!o.Key || !o.LastModified) continue;
          if (opts.since && o.LastModified.getTime() < opts.since.getTime()) continue;
          objects.push({ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified });
          if (listed >= max) return { objects, listed, truncated: true };
        }
        if (listed >= max) return { objects, listed, truncated: true };
      }
    } catch (e) {
      const d = describeError(e);
      const name = (e as { name?: string }).name ?? '';
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      const kind = status !== undefined ? 'http' : 'unreachable';
      throw new BackendError(`S3 ListObjectsV2 ${this.endpoint} bucket ${bucket}: ${name && !d.message.includes(name) ? `${name}: ` : ''}${d.message}`, kind, this.endpoint, status);
    }
    objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { objects, listed, truncated: false };
  }

  /** Whether the bucket can be listed at all (one key). */
  async probe(bucket: string): Promise<void> {
    try {
      await this.client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }));
    } catch (e) {
      throw new BackendError(`S3 ${this.endpoint} bucket ${bucket}: ${describeError(e).message}`, 'http', this.endpoint);
    }
  }

  close(): void {
    this.client.destroy();
  }
}
