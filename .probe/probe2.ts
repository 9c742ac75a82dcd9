import { startDemo } from '../scripts/demo';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/support/chromium';
import { chromium } from 'playwright-core';
import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path';
(async () => {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nf-probe-'));
  const demo = await startDemo({ userDir, port: 0, simPort: 0, quiet: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const page = await browser.newPage();
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') console.log('console', m.type(), m.text()); });
  page.on('pageerror', (e) => console.log('pageerror', e.message));
  const t0 = Date.now();
  await page.goto(demo.url, { timeout: 120000 });
  console.log('goto', Date.now() - t0);
  await page.waitForFunction(() => typeof (window as any).RED !== 'undefined' && (window as any).RED.nodes?.getType?.('network-flow-anomaly'), undefined, { timeout: 120000 });
  console.log('types', Date.now() - t0);
  console.log(await page.evaluate(() => [...document.querySelectorAll('.red-ui-palette-node')].map((e) => e.getAttribute('data-palette-label')).filter((l) => /flow|Citrix|Riverbed|Firewalla|NetFlow/.test(l ?? ''))));
  await browser.close(); await demo.stop(); fs.rmSync(userDir, { recursive: true, force: true });
})();
