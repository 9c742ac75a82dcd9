/**
 * `npm start` as a newcomer meets it: a real Node-RED process with this package installed,
 * the simulator, and the example flows deployed. Checked through Node-RED's admin API, its
 * debug websocket, and a real Chromium driving the editor.
 */
import 'should';
import { CHROMIUM, CHROMIUM_ARGS } from '../support/chromium';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'undici';
import { chromium, type Browser } from 'playwright-core';
import { startDemo, type Demo } from '../../scripts/demo';

const MODULE = 'node-red-contrib-network-flows';
const ENDPOINT_TYPES = ['citrix-sdwan-flows', 'citrix-sdwan-ilbflows', 'firewalla-flows', 'riverbed-flowgateway-stats'];
const FUNCTION_TYPES = ['network-flow-normalize', 'network-flow-filter', 'network-flow-anomaly', 'network-flow-aggregate'];
const CONFIG_TYPES = ['citrix-sdwan-config', 'firewalla-msp-config', 'riverbed-flowgateway-config'];

interface DebugEvent { id: string; z?: string; msg?: string; format?: string; level?: number }


describe('npm start demo (real Node-RED + simulator + example flows)', function () {
  this.timeout(180_000);
  let demo: Demo;
  let userDir: string;
  const debug: DebugEvent[] = [];
  let ws: WebSocket | undefined;

  before(async () => {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nf-demo-'));
    demo = await startDemo({ userDir, port: 0, simPort: 0, quiet: true, fastInjects: true });
    ws = new WebSocket(`${demo.url.replace('http', 'ws')}/comms`);
    ws.addEventListener('open', () => ws!.send(JSON.stringify({ subscribe: 'debug' })));
    ws.addEventListener('message', (e) => {
      for (const m of JSON.parse(String(e.data)) as Array<{ topic: string; data: DebugEvent }>) if (m.topic === 'debug') debug.push(m.data);
    });
  });
  after(async () => {
    ws?.close();
    await demo?.stop();
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('loads every node type of the package without errors', async () => {
    const sets = (await (await fetch(`${demo.url}/nodes`, { headers: { accept: 'application/json' } })).json()) as
      Array<{ module: string; types: string[]; err?: string; enabled: boolean }>;
    const ours = sets.filter((s) => s.module === MODULE);
    for (const s of ours) (s.err === undefined).should.be.true(`${s.types.join(',')}: ${s.err}`);
    ours.flatMap((s) => s.types).sort().should.eql([...ENDPOINT_TYPES, ...FUNCTION_TYPES, ...CONFIG_TYPES].sort());
  });

  it('serves each node\'s editor, help text and icon', async () => {
    const html = await (await fetch(`${demo.url}/nodes`, { headers: { accept: 'text/html' } })).text();
    for (const t of [...ENDPOINT_TYPES, ...FUNCTION_TYPES, ...CONFIG_TYPES]) {
      html.includes(`data-template-name="${t}"`).should.be.true(`no editor template for ${t}`);
      html.includes(`data-help-name="${t}"`).should.be.true(`no help text for ${t}`);
    }
    const icons = (await (await fetch(`${demo.url}/icons`)).json()) as Record<string, string[]>;
    (icons[MODULE] ?? []).length.should.be.above(0);
    for (const icon of icons[MODULE]!) (await fetch(`${demo.url}/icons/${MODULE}/${icon}`)).status.should.equal(200);
  });

  it('offers the example flows under Import > Examples', async () => {
    const res = await fetch(`${demo.url}/library/examples/flows/${MODULE}`);
    res.status.should.equal(200);
    const listing = (await res.json()) as Array<{ fn?: string } | string>;
    const names = listing.map((x) => (typeof x === 'string' ? x : x.fn)).filter(Boolean);
    const files = fs.readdirSync(path.join(__dirname, '..', '..', 'examples')).filter((f) => f.endsWith('.json'));
    names.length.should.equal(files.length);
  });

  it('produces live records in the debug sidebar from every vendor example, with no errors', async () => {
    const flows = (await (await fetch(`${demo.url}/flows`)).json()) as Array<{ id: string; type: string; z?: string; label?: string }>;
    const tabOf = (type: string): Set<string> => new Set(flows.filter((n) => n.type === type).map((n) => n.z!));
    const until = Date.now() + 60_000;
    const seenFrom = (tabs: Set<string>): boolean => debug.some((d) => d.z !== undefined && tabs.has(d.z) && (d.level ?? 0) === 0);
    while (Date.now() < until && !ENDPOINT_TYPES.every((t) => seenFrom(tabOf(t)))) await new Promise((r) => setTimeout(r, 250));
    for (const t of ENDPOINT_TYPES) seenFrom(tabOf(t)).should.be.true(`no debug output from the ${t} example`);
    const ourErrors = debug.filter((d) => (d.level ?? 0) === 20);
    ourErrors.should.be.empty();
  });

  describe('in a real Chromium', () => {
    let browser: Browser;
    before(async () => {
      fs.existsSync(CHROMIUM).should.be.true(`Chromium not found at ${CHROMIUM}: install Debian's chromium (see .ci/run)`);
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    });
    after(async () => browser?.close());

    it('shows the network flows palette and the debug messages', async () => {
      const page = await browser.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await page.goto(demo.url);
      for (const t of [...ENDPOINT_TYPES, ...FUNCTION_TYPES]) {
        await page.waitForSelector(`.red-ui-palette-node[data-palette-type="${t}"]`, { state: 'attached', timeout: 30_000 });
      }
      await page.click('#red-ui-tab-debug-link-button').catch(() => undefined);
      await page.waitForSelector('.red-ui-debug-msg', { timeout: 30_000 });
      pageErrors.should.be.empty();
      await page.close();
    });
  });
});
