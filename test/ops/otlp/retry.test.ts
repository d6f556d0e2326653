// Retry behaviour of both senders against a refusing / absent / restarting sink. Timing is asserted only
// as lower bounds (a wait of at least the Retry-After value), never as upper bounds.
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import * as grpc from '@grpc/grpc-js';

import {
  buildTraceTree,
  createOtlpSender,
  type LogRecordInput,
  type OtlpSender,
  type OtlpSenderOptions,
  type RetryPolicy,
} from '../../../src/ops/otlp/index.js';
import { closedPort, spanKey, withSink, type OtlpSink } from '../../support/otlp-sink.js';

const TEST_TIMEOUT = { timeout: 30_000 };
type Transport = 'http' | 'grpc';
const TRANSPORTS: readonly Transport[] = ['http', 'grpc'];
const FAST: Partial<RetryPolicy> = { initialBackoffMs: 10, maxBackoffMs: 50, jitter: 0, maxAttempts: 5 };

function senderFor(sink: OtlpSink, transport: Transport, opts: Partial<OtlpSenderOptions> = {}): OtlpSender {
  return createOtlpSender({
    endpoint: transport === 'grpc' ? sink.grpcEndpoint : sink.httpEndpoint,
    protocol: transport === 'grpc' ? 'grpc' : 'http/protobuf',
    timeoutMs: 5000,
    retry: FAST,
    ...opts,
  });
}

async function using<T>(sender: OtlpSender, fn: (s: OtlpSender) => Promise<T>): Promise<T> {
  try {
    return await fn(sender);
  } finally {
    await sender.close();
  }
}

const logs = (n: number): LogRecordInput[] => Array.from({ length: n }, (_, i) => ({ body: `r${i}`, attributes: { seq: i } }));

describe('otlp sender retries', () => {
  for (const transport of TRANSPORTS) {
    it(`${transport}: sink refuses the first 3 requests, then accepts → success after 4 attempts`, TEST_TIMEOUT, async () => {
      await withSink({ transports: [transport] }, async (sink) => {
        sink.refuse(true, { times: 3, retryAfterSeconds: null });
        await using(senderFor(sink, transport), async (sender) => {
          const spans = buildTraceTree({ depth: 2, fanOut: 3 });
          const r = await sender.sendTraces({ spans });
          assert.equal(r.ok, true, r.error);
          assert.equal(r.attempts, 4);
          assert.equal(r.status, transport === 'grpc' ? 'OK' : 200);
          const t = sink.received('traces');
          assert.deepEqual(t.requests.map((q) => q.outcome), ['refused', 'refused', 'refused', 'accepted']);
          assert.equal(t.count, spans.length);
          assert.equal(t.duplicates.length, 0);
          for (const s of spans) assert.equal(t.ids.get(spanKey(s.traceId, s.spanId)), 1);
        });
      });
    });

    it(`${transport}: retries exhausted → ok:false with the last status`, TEST_TIMEOUT, async () => {
      await withSink({ transports: [transport] }, async (sink) => {
        sink.refuse(true, { retryAfterSeconds: null });
        await using(senderFor(sink, transport, { retry: { ...FAST, maxAttempts: 3 } }), async (sender) => {
          const r = await sender.sendLogs({ records: logs(5) });
          assert.equal(r.ok, false);
          assert.equal(r.attempts, 3);
          assert.equal(r.gaveUp, 'max-attempts');
          assert.equal(r.status, transport === 'grpc' ? 'UNAVAILABLE' : 503);
          assert.match(r.error ?? '', transport === 'grpc' ? /UNAVAILABLE/ : /HTTP 503/);
          assert.match(r.error ?? '', /refusing/);
          assert.equal(sink.received('logs').count, 0);
          assert.equal(sink.requests().length, 3);
        });
      });
    });

    it(`${transport}: a non-retryable refusal is not retried`, TEST_TIMEOUT, async () => {
      await withSink({ transports: [transport] }, async (sink) => {
        sink.refuse(true, { httpStatus: 400, grpcStatus: grpc.status.INVALID_ARGUMENT });
        await using(senderFor(sink, transport), async (sender) => {
          const r = await sender.sendLogs({ records: logs(1) });
          assert.equal(r.ok, false);
          assert.equal(r.attempts, 1);
          assert.equal(r.gaveUp, undefined);
          assert.equal(r.status, transport === 'grpc' ? 'INVALID_ARGUMENT' : 400);
        });
      });
    });

    it(`${transport}: RESOURCE_EXHAUSTED / 429 is retried`, TEST_TIMEOUT, async () => {
      await withSink({ transports: [transport] }, async (sink) => {
        sink.refuse(true, { times: 1, httpStatus: 429, grpcStatus: grpc.status.RESOURCE_EXHAUSTED, retryAfterSeconds: null });
        await using(senderFor(sink, transport), async (sender) => {
          const r = await sender.sendLogs({ records: logs(3) });
          assert.equal(r.ok, true, r.error);
          assert.equal(r.attempts, 2);
          assert.equal(sink.count('logs'), 3);
        });
      });
    });

    it(`${transport}: unreachable endpoint (closed port) → ok:false with a clear error`, TEST_TIMEOUT, async () => {
      const port = await closedPort();
      const endpoint = `http://127.0.0.1:${port}`;
      const sender = createOtlpSender({ endpoint, protocol: transport === 'grpc' ? 'grpc' : 'http/protobuf', timeoutMs: 3000, retry: { ...FAST, maxAttempts: 2 } });
      await using(sender, async () => {
        const r = await sender.sendTraces({ spans: buildTraceTree({ depth: 1, fanOut: 0 }) });
        assert.equal(r.ok, false);
        assert.equal(r.attempts, 2);
        assert.equal(r.gaveUp, 'max-attempts');
        if (transport === 'http') {
          assert.equal(r.status, null);
          assert.equal(r.errorCode, 'ECONNREFUSED');
          assert.match(r.error ?? '', new RegExp(`POST http://127\\.0\\.0\\.1:${port}/v1/traces: .*ECONNREFUSED`));
        } else {
          assert.equal(r.status, 'UNAVAILABLE');
          assert.match(r.error ?? '', new RegExp(`127\\.0\\.0\\.1:${port}`));
          assert.match(r.error ?? '', /UNAVAILABLE/);
        }
      });
    });

    it(`${transport}: sink down, then back on the same port → the send succeeds`, TEST_TIMEOUT, async () => {
      await withSink({ transports: [transport] }, async (sink) => {
        const port = transport === 'grpc' ? sink.grpcPort : sink.httpPort;
        await using(senderFor(sink, transport, { retry: { initialBackoffMs: 100, maxBackoffMs: 300, jitter: 0, maxAttempts: 40, maxElapsedMs: 20_000 } }), async (sender) => {
          // warm connection, then outage
          assert.equal((await sender.sendLogs({ records: [{ body: 'warm', attributes: { seq: 'warm' } }] })).ok, true);
          await sink.stop();
          const pending = sender.sendLogs({ records: logs(20) });
          await sleep(600);
          await sink.start();
          assert.equal(transport === 'grpc' ? sink.grpcPort : sink.httpPort, port);
          const r = await pending;
          assert.equal(r.ok, true, r.error);
          assert.ok(r.attempts > 1, `attempts ${r.attempts}`);
          const l = sink.received('logs');
          for (let i = 0; i < 20; i++) assert.equal(l.ids.get(String(i)), 1);
          assert.equal(l.duplicates.length, 0);
        });
      });
    });

    it(`${transport}: an abort stops the retry loop`, TEST_TIMEOUT, async () => {
      await withSink({ transports: [transport] }, async (sink) => {
        sink.refuse(true, { retryAfterSeconds: null });
        await using(senderFor(sink, transport, { retry: { initialBackoffMs: 60_000, maxAttempts: 5, maxElapsedMs: 300_000 } }), async (sender) => {
          const ac = new AbortController();
          const pending = sender.sendLogs({ records: logs(1) }, { signal: ac.signal });
          await sink.waitFor((s) => s.requests().length === 1, 5000);
          ac.abort();
          const r = await pending;
          assert.equal(r.ok, false);
          assert.equal(r.attempts, 1);
          assert.equal(r.gaveUp, 'aborted');
        });
      });
    });
  }

  it('http: Retry-After is honoured (the retry waits at least the header value)', TEST_TIMEOUT, async () => {
    await withSink({ transports: ['http'] }, async (sink) => {
      sink.refuse(true, { times: 1, retryAfterSeconds: 1 });
      await using(senderFor(sink, 'http'), async (sender) => {
        const r = await sender.sendLogs({ records: logs(2) });
        assert.equal(r.ok, true, r.error);
        assert.equal(r.attempts, 2);
        assert.ok(r.latencyMs >= 1000, `latency ${r.latencyMs} ms should be at least the 1 s Retry-After`);
        const [refused, accepted] = sink.requests();
        assert.equal(refused?.outcome, 'refused');
        assert.equal(accepted?.outcome, 'accepted');
      });
    });
  });

  it('http: a Retry-After beyond the time budget ends the loop early (max-elapsed)', TEST_TIMEOUT, async () => {
    await withSink({ transports: ['http'] }, async (sink) => {
      sink.refuse(true, { retryAfterSeconds: 30 });
      await using(senderFor(sink, 'http', { retry: { ...FAST, maxAttempts: 10, maxElapsedMs: 2000 } }), async (sender) => {
        const r = await sender.sendLogs({ records: logs(1) });
        assert.equal(r.ok, false);
        assert.equal(r.attempts, 1);
        assert.equal(r.gaveUp, 'max-elapsed');
        assert.equal(r.status, 503);
      });
    });
  });

  it('http: a server that never answers → timeout error, ok:false', TEST_TIMEOUT, async () => {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const sender = createOtlpSender({ endpoint: `http://127.0.0.1:${port}`, timeoutMs: 300, retry: false });
      await using(sender, async () => {
        const r = await sender.sendLogs({ records: logs(1) });
        assert.equal(r.ok, false);
        assert.equal(r.attempts, 1);
        assert.equal(r.status, null);
        assert.equal(r.errorCode, 'ETIMEDOUT');
        assert.match(r.error ?? '', /timed out after 300 ms/);
      });
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
