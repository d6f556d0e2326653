// worker_threads entry of `otelstack load --workers N` (N > 1): runs one worker, posts its counters every 200 ms
// and its result at the end; stops early on a "stop" message.
import { parentPort, workerData } from 'node:worker_threads';

import { runWorker, type StopFlag, type WorkerConfig } from './engine.js';
import { newCounters } from './stats.js';

if (parentPort) {
  const port = parentPort;
  const cfg = workerData as WorkerConfig;
  const live = newCounters();
  const stop: StopFlag = { stopped: false };
  port.on('message', (m: unknown) => {
    if (m === 'stop') stop.stopped = true;
  });
  const timer = setInterval(() => port.postMessage({ type: 'progress', counters: live }), 200);
  try {
    const result = await runWorker(cfg, live, stop);
    port.postMessage({ type: 'done', result });
  } catch (e) {
    port.postMessage({ type: 'error', message: (e as Error).stack ?? String(e) });
  } finally {
    clearInterval(timer);
    port.close();
  }
}
