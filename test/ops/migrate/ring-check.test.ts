// Ring conditions of `migrate check` (--ring-url): the rings' status pages answered as dskit's ring page handler
// answers them (ring/ring_http.go: JSON {"shards": [...], "now"} when Accept contains application/json, HTML
// otherwise; test/support/ring-page.ts, the shape real Loki 3.6.3 and Tempo 3.0.1 answered on loopback, which
// test/fixtures/migrate/store-gateway-ring.json has too) by a loopback server; a condition holds or fails with the
// instances it saw, and a page that is not the ring JSON fails with a clear line.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { MIMIR_READ_WRITE_MIGRATION as M } from '../../../src/catalog/migrations.js';
import { loadStack } from '../../../src/model/load.js';
import { checkGate, fetchRing, gateLines, ringHolds } from '../../../src/ops/migrate/check.js';
import { planMigration } from '../../../src/ops/migrate/plan.js';
import type { Step } from '../../../src/ops/migrate/types.js';
import { ROOT } from '../../support/paths.js';
import { RING_SHARD_KEYS, ringPage, ringReply } from '../../support/ring-page.js';

type Shard = { id: string; state: string; zone: string };
const FIXTURE = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/migrate/store-gateway-ring.json'), 'utf8')) as { shards: Shard[] };
const page = (ids: Array<[string, string]>) => ringPage(ids.map(([id, state]) => [id, state, 'zone-a'] as const));

describe('migrate check: ring conditions through the rings\' status pages', () => {
  let server: http.Server;
  let base = '';
  const rings = new Map<string, unknown>();
  before(async () => {
    server = http.createServer((req, res) => {
      const body = rings.get(req.url ?? '');
      if (body === undefined) return void res.writeHead(404).end('404 page not found\n');
      // dskit: JSON only when asked for it
      const r = ringReply(req.headers.accept, body);
      res.writeHead(r.status, { 'content-type': r.contentType }).end(r.text);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('reads the documented JSON shape: ids, states and zones of the fixture', async () => {
    // the fixture's instances have the keys the real pages answered with
    for (const s of FIXTURE.shards) assert.deepEqual(Object.keys(s), [...RING_SHARD_KEYS]);
    assert.deepEqual(Object.keys(page([['x', 'ACTIVE']]).shards[0]!), [...RING_SHARD_KEYS]);
    rings.set('/store-gateway/ring', FIXTURE);
    const got = await fetchRing(base, 'store-gateway');
    assert.deepEqual(got, [
      { id: 'mimir-backend-zone-a-0', state: 'ACTIVE', zone: 'zone-a' },
      { id: 'store-gateway-zone-a-0', state: 'ACTIVE', zone: 'zone-a' },
    ]);
    assert.equal(ringHolds('both', got).holds, true);
    assert.equal(ringHolds('left', got).holds, false);
  });

  it('both: an ACTIVE instance of each kind; a JOINING read-write instance does not count yet', () => {
    assert.equal(ringHolds('both', page([['mimir-backend-zone-a-0', 'JOINING'], ['store-gateway-zone-a-0', 'ACTIVE']]).shards).holds, false);
    assert.equal(ringHolds('both', page([['mimir-backend-zone-b-1', 'ACTIVE'], ['compactor-0', 'ACTIVE']]).shards).holds, true);
    const none = ringHolds('both', page([['compactor-0', 'ACTIVE']]).shards);
    assert.equal(none.holds, false);
    assert.match(none.detail, /read-write: none; microservices: compactor-0 ACTIVE/);
  });

  it("the runbook's ring gates, run against the pages: hold when the rings say so, fail naming who is still there", async () => {
    const from = await loadStack(join(ROOT, 'test/fixtures/migrate/mimir-microservices.yaml'));
    const to = await loadStack(join(ROOT, 'test/fixtures/migrate/mimir-read-write.yaml'));
    const plan = planMigration({ fromFile: from.file, fromStack: from.stack, toFile: to.file, toStack: to.stack, env: 'prod' });
    const ringOnly = (id: string): Step => {
      const s = plan.runbook!.steps.find((x) => x.id === id)!;
      return { ...s, gate: s.gate.filter((g) => g.kind === 'ring') };
    };
    const up = ringOnly('scale-up-backend');
    assert.deepEqual(up.gate.map((g) => (g.kind === 'ring' ? g.ring : '')).sort(), [...M.rings].sort());
    for (const ring of M.rings) rings.set(M.ringPages[ring]!, page([[`mimir-backend-zone-a-0`, 'ACTIVE'], [`${ring}-0`, 'ACTIVE']]));
    const ok = await checkGate(up, { url: 'http://127.0.0.1:1', api: 'prometheus', ringUrl: base });
    assert.equal(ok.ok, true, gateLines(ok).join('\n'));
    assert.ok(ok.conditions.every((c) => c.status === 'hold'));

    const down = ringOnly('scale-down-read-backend-microservices');
    assert.ok(down.gate.length >= 3);
    for (const ring of M.rings) rings.set(M.ringPages[ring]!, page([[`mimir-backend-zone-a-0`, 'ACTIVE']]));
    rings.set('/store-gateway/ring', page([['mimir-backend-zone-a-0', 'ACTIVE'], ['store-gateway-zone-c-2', 'LEAVING']]));
    const bad = await checkGate(down, { url: 'http://127.0.0.1:1', api: 'prometheus', ringUrl: base });
    assert.equal(bad.ok, false);
    const sg = bad.conditions.find((c) => /store-gateway ring/.test(c.description))!;
    assert.equal(sg.status, 'fail');
    assert.match(sg.detail, /microservices: store-gateway-zone-c-2 LEAVING/);
    assert.ok(bad.conditions.filter((c) => c !== sg).every((c) => c.status === 'hold'));

    // without --ring-url the ring conditions stay manual, saying how to automate them
    const manual = await checkGate(down, { url: 'http://127.0.0.1:1', api: 'prometheus' });
    assert.ok(manual.conditions.every((c) => c.status === 'manual' && /--ring-url/.test(c.detail)));
  });

  it('a page that is not the ring JSON, or a missing one, fails with a clear line', async () => {
    rings.delete('/ruler/ring');
    await assert.rejects(fetchRing(base, 'ruler'), /HTTP 404/);
    const htmlOnly = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>'));
    await new Promise<void>((r) => htmlOnly.listen(0, '127.0.0.1', () => r()));
    try {
      await assert.rejects(fetchRing(`http://127.0.0.1:${(htmlOnly.address() as AddressInfo).port}`, 'compactor'), /did not answer JSON \(text\/html\): is it a ring status page\?/);
    } finally {
      await new Promise<void>((r) => htmlOnly.close(() => r()));
    }
  });
});
