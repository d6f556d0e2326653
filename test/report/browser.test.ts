/**
 * The report as a person sees it: Debian's headless Chromium (driven by playwright-core) opens the file, with no
 * network, and finds every environment and every finding; a full-page screenshot is kept as a test artifact.
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { loadStack } from '../../src/model/load.js';
import { buildPlan } from '../../src/plan/index.js';
import { otelstackAsync, tempDir } from '../support/cli.js';
import { ROOT } from '../support/paths.js';
import { launchChromium } from './browser.js';

const EXAMPLES = ['examples/dts', 'examples/scalable'];

/** The bit of the DOM read in the page (the project compiles without the DOM library). */
interface Cells {
  querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }>;
}

describe('otelstack report in headless Chromium', () => {
  let browser: Browser;
  const dir = tempDir('otelstack-report-browser-');
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  it('fails with what to install when the browser is missing (no skipping)', async () => {
    await assert.rejects(launchChromium(join(dir, 'no-chromium')), /Chromium is not installed at .*no-chromium[\s\S]*apt-get install -y chromium[\s\S]*scripts\/peers\/install-all\.sh chromium/);
  });

  for (const example of EXAMPLES) {
    it(`${example}: loads with no console errors or requests, shows every environment (with its topology) and every finding`, async () => {
      const name = example.replace(/\W+/g, '-');
      const file = join(dir, `${name}.html`);
      const r = await otelstackAsync(['report', example, '--out', file]);
      assert.equal(r.code, 0, r.err);
      const { stack, file: definition } = await loadStack(`${ROOT}${example}`);
      const plan = buildPlan(stack, definition);

      const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      const url = pathToFileURL(file).href;
      page.on('request', (q) => {
        if (q.url() !== url) problems.push(`request: ${q.url()}`);
      });
      await page.goto(url, { waitUntil: 'load' });
      assert.equal(await page.title(), `otelstack report — ${stack.name}`);
      // the generator's marker comment comes before <!DOCTYPE html>: the page must still render in standards mode
      assert.equal(await page.evaluate('document.compatMode'), 'CSS1Compat');

      for (const e of stack.environments) {
        const section = page.locator(`section.environment[data-env="${e.name}"]`);
        assert.equal(await section.count(), 1, `section for ${e.name}`);
        assert.ok(await section.locator('svg.topology').isVisible(), `${e.name}: topology drawn`);
        const box = await section.locator('svg.topology').boundingBox();
        assert.ok(box && box.width > 300 && box.height > 100, `${e.name}: topology has a size (${JSON.stringify(box)})`);
        assert.ok((await section.locator('h2').innerText()).startsWith(e.name));
      }
      const rows = await page.locator('tr.finding').evaluateAll((trs) => (trs as unknown as Cells[]).map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent ?? '')));
      assert.equal(rows.length, plan.findings.length, 'one row per finding');
      for (const f of plan.findings) {
        assert.ok(
          rows.some((c) => c[0]?.toLowerCase() === f.severity && c[1] === f.rule && c[2] === (f.env ?? '—') && c[3] === f.path && c[4] === f.message && c[5] === f.suggestion),
          `finding in the page: ${f.severity} [${f.rule}] ${f.path}: ${f.message}`,
        );
      }
      const shot = join(dir, `${name}.png`);
      await page.screenshot({ path: shot, fullPage: true });
      assert.ok(statSync(shot).size > 10_000);
      console.log(`report screenshot (test artifact): ${shot}`);
      await page.close();
      assert.deepEqual(problems, []);
    });
  }
});
