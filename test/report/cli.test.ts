import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { REPORT_MARKER } from '../../src/report/html.js';
import { baseInput } from '../fixtures/stacks.js';
import { otelstackAsync, tempDir } from '../support/cli.js';
import { GOLDEN_EXAMPLE, GOLDEN_REPORT } from './support.js';

const tmp = () => tempDir('otelstack-report-');

describe('otelstack report', () => {
  it('matches the checked-in report of the bundled example byte for byte (regenerate: node dist/test/report/update-golden.js)', async () => {
    const dir = tmp();
    const out = join(dir, 'report.html');
    const r = await otelstackAsync(['report', GOLDEN_EXAMPLE, '--out', out]);
    assert.equal(r.code, 0, r.err);
    assert.equal(readFileSync(out, 'utf8'), readFileSync(GOLDEN_REPORT, 'utf8'));
  });

  it('is deterministic and self-contained: two runs give the same bytes; no script, stylesheet link, font or remote URL', async () => {
    const dir = tmp();
    const a = await otelstackAsync(['report', GOLDEN_EXAMPLE, '--out', join(dir, 'a.html')]);
    const b = await otelstackAsync(['report', GOLDEN_EXAMPLE, '--out', join(dir, 'b.html')]);
    assert.equal(a.code, 0);
    assert.equal(b.code, 0);
    const html = readFileSync(join(dir, 'a.html'), 'utf8');
    assert.equal(html, readFileSync(join(dir, 'b.html'), 'utf8'));
    assert.ok(html.startsWith(`${REPORT_MARKER}\n<!DOCTYPE html>`));
    assert.doesNotMatch(html, /<script|<link|@import|@font-face|url\((?!#)|(?:src|href)="(?!#)/i);
    // every environment has its section with a drawn topology; the diff section lists the consecutive pairs
    for (const env of ['dev', 'test', 'prod']) assert.match(html, new RegExp(`<section class="environment" id="env-${env}" data-env="${env}">[\\s\\S]*?<svg `));
    assert.match(html, /data-from="dev" data-to="test"/);
    assert.match(html, /data-from="test" data-to="prod"/);
    assert.deepEqual(readdirSync(dir).sort(), ['a.html', 'b.html'], 'writes only the --out file');
  });

  it('--env: that environment only, nothing to compare', async () => {
    const dir = tmp();
    const r = await otelstackAsync(['report', GOLDEN_EXAMPLE, '--env', 'test', '--out', join(dir, 'r.html')]);
    assert.equal(r.code, 0, r.err);
    const html = readFileSync(join(dir, 'r.html'), 'utf8');
    assert.match(html, /data-env="test"/);
    assert.doesNotMatch(html, /class="environment" id="env-(dev|prod)"/);
    assert.match(html, /nothing to compare/);
  });

  it('refuses to overwrite a file it did not write (exit 2), overwrites its own, and --force overwrites any', async () => {
    const dir = tmp();
    const out = join(dir, 'report.html');
    writeFileSync(out, '<p>my notes</p>\n');
    const refused = await otelstackAsync(['report', GOLDEN_EXAMPLE, '--out', out]);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /exists and was not written by otelstack report[\s\S]*--force/);
    assert.equal(readFileSync(out, 'utf8'), '<p>my notes</p>\n');
    const forced = await otelstackAsync(['report', GOLDEN_EXAMPLE, '--out', out, '--force']);
    assert.equal(forced.code, 0, forced.err);
    assert.ok(readFileSync(out, 'utf8').startsWith(REPORT_MARKER));
    const again = await otelstackAsync(['report', GOLDEN_EXAMPLE, '--out', out]);
    assert.equal(again.code, 0, again.err);
  });

  it('bad input exits 2: an unknown environment, a missing definition, a directory as --out', async () => {
    const dir = tmp();
    const env = await otelstackAsync(['report', GOLDEN_EXAMPLE, '--env', 'nope', '--out', join(dir, 'r.html')]);
    assert.equal(env.code, 2);
    assert.match(env.err, /no environment "nope"[\s\S]*suggestion: use one of: dev, test, prod/);
    const missing = await otelstackAsync(['report', join(dir, 'missing'), '--out', join(dir, 'r.html')]);
    assert.equal(missing.code, 2);
    const asDir = await otelstackAsync(['report', GOLDEN_EXAMPLE, '--out', dir]);
    assert.equal(asDir.code, 2);
    assert.match(asDir.err, /is a directory/);
    const noDir = await otelstackAsync(['report', GOLDEN_EXAMPLE, '--out', join(dir, 'no', 'r.html')]);
    assert.equal(noDir.code, 2);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('shows error findings instead of refusing (exit 0), and says why environments were not compared', async () => {
    const dir = tmp();
    const s = baseInput() as ReturnType<typeof baseInput> & { signals: Record<string, unknown> };
    // tempo-distributed 2.x (Tempo 2 microservices) has no values otelstack writes: a chart-version error
    s.signals['traces'] = { engine: 'tempo', version: '2.8.2', environments: { dev: { mode: 'microservices' }, prod: { mode: 'microservices', replicationFactor: 3 } } };
    writeFileSync(join(dir, 'stack.yaml'), stringify(s));
    const out = join(dir, 'r.html');
    const r = await otelstackAsync(['report', dir, '--out', out]);
    assert.equal(r.code, 0, r.err);
    const html = readFileSync(out, 'utf8');
    assert.match(html, /<tr class="finding" data-severity="error" data-rule="chart-version"/);
    assert.match(html, /data-from="dev" data-to="prod">\n<h3>dev → prod<\/h3>\n<p>Not compared: the definition has \d+ error finding/);
  });
});
