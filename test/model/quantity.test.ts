import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatBytes, parseBytes, parseCpu, toK8sBytes, toK8sCpu } from '../../src/model/quantity.js';

describe('quantities', () => {
  it('parses CPU in millicores and cores', () => {
    assert.deepEqual(parseCpu('250m'), { ok: true, value: 250 });
    assert.deepEqual(parseCpu('2'), { ok: true, value: 2000 });
    assert.deepEqual(parseCpu('0.5'), { ok: true, value: 500 });
    assert.deepEqual(parseCpu(1.5), { ok: true, value: 1500 });
  });
  it('parses bytes with binary and decimal suffixes', () => {
    assert.deepEqual(parseBytes('512Mi'), { ok: true, value: 512 * 1024 ** 2 });
    assert.deepEqual(parseBytes('11.3Gi'), { ok: true, value: Math.round(11.3 * 1024 ** 3) });
    assert.deepEqual(parseBytes('1G'), { ok: true, value: 1e9 });
    assert.deepEqual(parseBytes('0'), { ok: true, value: 0 });
  });
  it('rejects "512MB" and suggests "512Mi"', () => {
    const r = parseBytes('512MB');
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.suggestion : '', /"512Mi"/);
  });
  it('rejects "2 cores" with a suggestion', () => {
    const r = parseCpu('2 cores');
    assert.equal(r.ok, false);
  });
  it('formats for humans and for manifests', () => {
    assert.equal(formatBytes(13.5 * 1024 ** 3), '13.5Gi');
    assert.equal(formatBytes(512 * 1024 ** 2), '512Mi');
    assert.equal(toK8sBytes(2 * 1024 ** 3), '2Gi');
    assert.equal(toK8sBytes(1536 * 1024 ** 2), '1536Mi');
    assert.equal(toK8sCpu(2000), '2');
    assert.equal(toK8sCpu(250), '250m');
  });
});
