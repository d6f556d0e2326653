// otelstack verify: one verdict for traces, metrics and logs of one environment.
export { createVerifyClients, type ClientOptions, type OwnedClients } from './clients.js';
export { DEFAULT_BACKOFF, pollUntil, REAL_CLOCK, type Backoff, type Clock, type PollOutcome } from './poll.js';
export { buildProbe, VERIFY_ID_ATTRIBUTE, VERIFY_METRIC, VERIFY_SERVICE, type Probe, type ProbeOptions } from './probe.js';
export { verifyReportJson, verifyReportTable } from './report.js';
export {
  runVerify,
  type CheckKind,
  type CheckResult,
  type CheckStatus,
  type LogReader,
  type MetricsReader,
  type ObjectLister,
  type ProbeSender,
  type Readers,
  type TraceReader,
  type VerifyClients,
  type VerifyOptions,
  type VerifyReport,
} from './run.js';
export { ingestionEndpoint, resolveTargets, VerifyInputError, type StorageBucketTarget, type TargetView, type VerifyOverrides, type VerifyProtocol, type VerifyTargets } from './targets.js';
