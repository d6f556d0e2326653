// Writes docs/report.png, the README's picture of `otelstack report`: the checked-in examples/dts/report.html in
// Debian's headless Chromium, cropped to the prod environment's heading and topology drawing.
//   npm run build && node dist/test/report/screenshot.js
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { ROOT } from '../support/paths.js';
import { launchChromium } from './browser.js';
import { GOLDEN_REPORT } from './support.js';

// `node --test dist/test/…` also loads this file (it sits under a test/ directory): never rewrite the picture then.
if (process.env['NODE_TEST_CONTEXT'] === undefined) {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1200 } });
    await page.goto(pathToFileURL(GOLDEN_REPORT).href, { waitUntil: 'load' });
    const svg = await page.locator('section[data-env="prod"] svg.topology').boundingBox();
    // wide enough that the drawing is not cut by its scrolling frame
    if (svg) await page.setViewportSize({ width: Math.ceil(svg.width + 120), height: 1200 });
    const head = await page.locator('section[data-env="prod"] h2').boundingBox();
    const fig = await page.locator('section[data-env="prod"] figure').boundingBox();
    if (!head || !fig) throw new Error('the report has no prod topology');
    const out = join(ROOT, 'docs/report.png');
    await page.screenshot({ path: out, fullPage: true, clip: { x: 0, y: head.y - 12, width: Math.ceil(fig.x + fig.width + 24), height: Math.ceil(fig.y + fig.height - head.y + 24) } });
    process.stdout.write(`wrote ${out}\n`);
  } finally {
    await browser.close();
  }
}
