// otelstack load: an OTLP load generator sending pre-encoded batches.
export { buildBatches, EncodedBatch, findPatchOffsets, traceIdOf, type BatchSetOptions, type TraceShape } from './batches.js';
export { runWorker, type StopFlag, type WorkerConfig, type WorkerResult } from './engine.js';
export { LoadInputError, parseDuration, parseHeaders, parsePositiveInt, parseRates, parseRatio, parseSignals } from './options.js';
export { loadReportJson, loadReportText } from './report.js';
export { readBack, runLoad, type LoadOptions, type LoadProgress, type LoadReport, type ReadBackOptions, type ReadBackReport, type SignalReport } from './run.js';
export { classifyFailure, REJECT_KINDS, type Counters, type RejectKind, type SignalCounters } from './stats.js';
