// JaegerClient against a loopback server answering as Jaeger's query service does (cmd/query/app/http_handler.go at
// v1.75.0: the structured response {data, total, limit, offset, errors}; trace ids in hex without the high 64 bits
// when they are zero; 404 for an unknown trace). The real Jaeger answers the same client in
// test/e2e/migrate-jaeger-tempo.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { JAEGER_API } from '../../../src/catalog/jaeger.js';
import { JaegerClient } from '../../../src/ops/backends/index.js';
import { FakeHttp, type FakeReply, type FakeRequest } from './support/fake-http.js';

const trace = (traceID: string, services: string[]) => ({
  traceID,
  spans: services.map((_, i) => ({ traceID, spanID: `${i + 1}`.padStart(16, '0'), operationName: 'op', processID: `p${i + 1}` })),
  processes: Object.fromEntries(services.map((s, i) => [`p${i + 1}`, { serviceName: s, tags: [] }])),
});

describe('JaegerClient', () => {
  let fake: FakeHttp;
  before(async () => {
    fake = await FakeHttp.start((r: FakeRequest): FakeReply => {
      if (r.path === JAEGER_API.search) {
        if (!r.query.get('service')) return { status: 400, json: { data: null, errors: [{ code: 400, msg: 'parameter \'service\' is required' }] } };
        return { json: { data: [trace('5b8efff798038103d269b633813fc60c', ['checkout', 'cart']), trace('1a2b3c4d5e6f7081', ['checkout'])], total: 2, limit: 0, offset: 0, errors: null } };
      }
      if (r.path === `${JAEGER_API.traceById}5b8efff798038103d269b633813fc60c`) return { json: { data: [trace('5b8efff798038103d269b633813fc60c', ['checkout'])], total: 0, limit: 0, offset: 0, errors: null } };
      if (r.path.startsWith(JAEGER_API.traceById)) return { status: 404, json: { data: null, errors: [{ code: 404, msg: 'trace not found' }] } };
      if (r.path === JAEGER_API.services) return { json: { data: ['cart', 'checkout'], total: 2 } };
      return { status: 404, text: '404 page not found' };
    });
  });
  after(() => fake.stop());

  it('searches by service and window (Unix microseconds), ids normalised to 32 hex characters', async () => {
    const c = new JaegerClient({ url: fake.url });
    const got = await c.search('checkout', { start: 1700000000, end: 1700000300.5, limit: 500 });
    assert.deepEqual(got, [
      { traceId: '5b8efff798038103d269b633813fc60c', spans: 2, services: ['cart', 'checkout'] },
      { traceId: '00000000000000001a2b3c4d5e6f7081', spans: 1, services: ['checkout'] },
    ]);
    const q = fake.requests.at(-1)!.query;
    assert.deepEqual([q.get('service'), q.get('start'), q.get('end'), q.get('limit')], ['checkout', '1700000000000000', '1700000300500000', '500']);
    await c.close();
  });

  it('a trace by id: found, or undefined on 404; the services; a refused search throws with the status', async () => {
    const c = new JaegerClient({ url: fake.url });
    assert.equal((await c.getTrace('5b8efff798038103d269b633813fc60c'))?.traceId, '5b8efff798038103d269b633813fc60c');
    assert.equal(await c.getTrace('00000000000000000000000000000001'), undefined);
    assert.deepEqual(await c.services(), ['cart', 'checkout']);
    await assert.rejects(c.search('', { start: 0, end: 1 }), /HTTP 400/);
    await c.close();
  });
});
