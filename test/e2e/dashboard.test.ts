/**
 * The `npm start` dashboard as a user meets it: a real Node-RED with this package and FlowFuse
 * Dashboard 2.0, the simulator, the aggregate examples deployed; a real Chromium opens the
 * dashboard page. The charts must be drawn from the simulator's flows (non-empty series in the
 * dashboard's own client store, and a canvas per chart) and the alert table must list the alert
 * of a spike.
 */
import 'should';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../support/chromium';
import { startDemo, type Demo } from '../../scripts/demo';

interface FlowNode { id: string; type: string; label?: string; chartType?: string; z?: string }
interface Point { series?: unknown; x?: unknown; y?: unknown }

/** What the dashboard client holds for a widget: the messages it was sent (history for charts). */
async function widgetMessages(page: Page, id: string): Promise<Array<{ payload?: unknown }>> {
  return page.evaluate((widgetId) => {
    type Store = { state: { data: { messages: Record<string, unknown> } } };
    const app = (document.querySelector('#app') as unknown as { __vue_app__?: { config: { globalProperties: { $store?: Store } } } } | null)?.__vue_app__;
    const m = app?.config.globalProperties.$store?.state.data.messages[widgetId];
    if (m === undefined || m === null) return [];
    return JSON.parse(JSON.stringify(Array.isArray(m) ? m : [m])) as Array<{ payload?: unknown }>;
  }, id);
}

function points(msgs: Array<{ payload?: unknown }>): Point[] {
  return msgs.flatMap((m) => (Array.isArray(m.payload) ? (m.payload as Point[]) : m.payload !== undefined ? [m.payload as Point] : []));
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  let last: T | undefined | false;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('dashboard demo (real Node-RED + FlowFuse Dashboard 2.0 + simulator + Chromium)', function () {
  this.timeout(240_000);
  let demo: Demo;
  let userDir: string;
  let browser: Browser;
  let flows: FlowNode[];

  before(async () => {
    fs.existsSync(CHROMIUM).should.be.true(`Chromium not found at ${CHROMIUM}`);
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nf-dash-'));
    demo = await startDemo({ userDir, port: 0, simPort: 0, quiet: true, fastInjects: true });
    flows = (await (await fetch(`${demo.url}/flows`)).json()) as FlowNode[];
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
    await demo?.stop();
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('deploys one dashboard page with a bar, a line and a doughnut chart and a table', () => {
    flows.filter((n) => n.type === 'ui-base').should.have.length(1);
    flows.filter((n) => n.type === 'ui-page').should.have.length(1);
    flows.filter((n) => n.type === 'ui-chart').map((n) => n.chartType).sort().should.eql(['bar', 'doughnut', 'line']);
    flows.filter((n) => n.type === 'ui-table').should.have.length(1);
  });

  it('draws the charts with the simulator\'s flows and lists the spike in the alert table', async () => {
    // The spike inject is a button (the demo fires only polling injects at deploy): press it as a user would.
    const spike = flows.find((n) => n.type === 'inject' && n.id.endsWith('agat-spike'))!;
    (await fetch(`${demo.url}/inject/${spike.id}`, { method: 'POST' })).status.should.equal(200);

    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${demo.url}/dashboard/network-flows`);
    const charts = flows.filter((n) => n.type === 'ui-chart');
    for (const c of charts) {
      const pts = await until(`points in the ${c.chartType} chart`, async () => {
        const p = points(await widgetMessages(page, c.id));
        return p.length > 0 ? p : undefined;
      });
      for (const p of pts) {
        (typeof p.series === 'string').should.be.true(`series of ${JSON.stringify(p)}`);
        (typeof p.y === 'number' && p.y >= 0).should.be.true(`y of ${JSON.stringify(p)}`);
      }
      if (c.chartType === 'line') pts.every((p) => typeof p.x === 'number').should.be.true('line points at window starts');
      else pts.some((p) => (p.y as number) > 0).should.be.true(`${c.chartType}: some group with bytes`);
      await page.waitForSelector(`#nrdb-ui-widget-${c.id} canvas`, { state: 'attached', timeout: 30_000 });
    }
    // The bar chart's labels are devices of the simulated site.
    const bar = charts.find((c) => c.chartType === 'bar')!;
    points(await widgetMessages(page, bar.id)).some((p) => typeof p.x === 'string' && p.x !== 'other').should.be.true();

    // The table as the user sees it: a header per column and a row for the spike's device.
    const table = flows.find((n) => n.type === 'ui-table')!;
    const text = await until('the spike in the alert table', async () => {
      const t = await page.evaluate((id) => document.querySelector(`#nrdb-ui-widget-${id} tbody`)?.textContent ?? '', table.id);
      return t.includes('spike-demo') ? t : undefined;
    });
    text.should.match(/spike-demo\s*sum:bytes\s*2000000000/);
    const headers = await page.evaluate((id) => Array.from(document.querySelectorAll(`#nrdb-ui-widget-${id} thead th`)).map((h) => h.textContent?.trim()), table.id);
    headers.should.eql(['key', 'metric', 'value', 'since', 'alert']);
    pageErrors.should.be.empty();
    await page.close();
  });
});
