// Object storage operations on the topology's S3 store.
export { BucketError, bucketFor, ensureBuckets, plannedBuckets, s3ClientFor, type EnsureBucketsResult, type S3ConnectOptions } from './buckets.js';
