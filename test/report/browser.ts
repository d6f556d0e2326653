import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (apt-get install chromium; CI: scripts/peers/chromium.sh). playwright-core brings no browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** Starts the system Chromium headless; fails (never skips) when it is not installed. */
export async function launchChromium(executable = CHROMIUM): Promise<Browser> {
  if (!existsSync(executable)) {
    throw new Error(`Debian's Chromium is not installed at ${executable}: the browser tests need it (test/report/browser.test.ts, test/e2e/browser-rum.test.ts). Install it with \`apt-get install -y chromium\` or \`bash scripts/peers/install-all.sh chromium\`.`);
  }
  // --no-sandbox: CI and the sessions run as root, where Chromium refuses its sandbox
  return chromium.launch({ executablePath: executable, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}
