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
import { CONFIG_TYPES, ENDPOINT_TYPES, NODE_TYPES, SOURCE_TYPES } from '../support/node-types';

// Every node that brings records in: the vendor endpoints, and listeners such as the collector
// (its example gets the demo exporter's IPFIX on loopback).
const RECORD_SOURCES = [...ENDPOINT_TYPES, ...SOURCE_TYPES];

const MODULE = 'node-red-contrib-network-flows';

// `RED` lives in the page; only reached inside page.evaluate / waitForFunction.
declare const RED: any; // the editor's global has no types

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

  it('runs the Node-RED line under test (NF_NODE_RED_DIR, else node_modules)', async () => {
    const settings = (await (await fetch(`${demo.url}/settings`)).json()) as { version?: string };
    const expected = (require('node-red/package.json') as { version: string }).version;
    // Node-RED adds `-git` to its version when it finds a .git directory above it (a checkout).
    String(settings.version).replace(/-git$/, '').should.equal(expected);
  });

  it('loads every node type of the package without errors', async () => {
    const sets = (await (await fetch(`${demo.url}/nodes`, { headers: { accept: 'application/json' } })).json()) as
      Array<{ module: string; types: string[]; err?: string; enabled: boolean }>;
    const ours = sets.filter((s) => s.module === MODULE);
    for (const s of ours) (s.err === undefined).should.be.true(`${s.types.join(',')}: ${s.err}`);
    ours.flatMap((s) => s.types).sort().should.eql([...NODE_TYPES].sort());
  });

  it('serves each node\'s editor, help text and icon', async () => {
    const html = await (await fetch(`${demo.url}/nodes`, { headers: { accept: 'text/html' } })).text();
    html.includes('src="resources/node-red-contrib-network-flows/editor.js"').should.be.true('the shared editor helper is not loaded');
    for (const t of NODE_TYPES) {
      html.includes(`RED.nodes.registerType('${t}'`).should.be.true(`no editor definition for ${t}`);
      // The config and SD-WAN endpoint dialogs are built by the shared helper (resources/editor.js);
      // test/e2e/editor.test.ts opens every dialog.
      const built = new RegExp(`var T = '${t}';[\\s\\S]{0,2000}?E\\.(configTemplate|sdwanEndpoint)\\(T`).test(html);
      (html.includes(`data-template-name="${t}"`) || built).should.be.true(`no editor template for ${t}`);
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
    ENDPOINT_TYPES.length.should.be.above(0);
    const seenFrom = (tabs: Set<string>): boolean => debug.some((d) => d.z !== undefined && tabs.has(d.z) && (d.level ?? 0) === 0);
    // Up to a minute, counted in polls rather than read from the wall clock.
    for (let polls = 240; polls > 0 && !RECORD_SOURCES.every((t) => seenFrom(tabOf(t))); polls--) await new Promise((r) => setTimeout(r, 250));
    for (const t of RECORD_SOURCES) seenFrom(tabOf(t)).should.be.true(`no debug output from the ${t} example`);
    const ourErrors = debug.filter((d) => (d.level ?? 0) === 20);
    ourErrors.should.be.empty();
    // Every example tab catches its errors into a debug node named "error": none may show.
    const errorDebugs = new Set(flows.filter((n) => n.type === 'debug' && (n as { name?: string }).name === 'error').map((n) => n.id));
    errorDebugs.size.should.be.above(0);
    debug.filter((d) => errorDebugs.has(d.id)).map((d) => d.msg).should.eql([]);
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
      for (const t of NODE_TYPES.filter((x) => !CONFIG_TYPES.includes(x))) {
        await page.waitForSelector(`.red-ui-palette-node[data-palette-type="${t}"]`, { state: 'attached', timeout: 30_000 });
      }
      // By the sidebar's API: its tab buttons have no ids on Node-RED 5.
      await page.waitForFunction(() => typeof RED !== 'undefined' && RED.sidebar?.show !== undefined, undefined, { timeout: 30_000 });
      await page.evaluate(() => RED.sidebar.show('debug'));
      // The sidebar shows what arrives after the page connected; rather than wait for an
      // example's next poll (up to a minute), press the examples' inject buttons, as a user would,
      // until a message shows (the first presses may precede the page's websocket).
      const flows = (await (await fetch(`${demo.url}/flows`)).json()) as Array<{ id: string; type: string }>;
      const injects = flows.filter((n) => n.type === 'inject').map((n) => n.id);
      injects.length.should.be.above(0);
      let shown = false;
      for (let attempt = 0; attempt < 15 && !shown; attempt++) {
        for (const id of injects) (await fetch(`${demo.url}/inject/${id}`, { method: 'POST' })).status.should.equal(200);
        shown = await page.waitForSelector('.red-ui-debug-msg', { timeout: 2000 }).then(() => true, () => false);
      }
      shown.should.be.true('no message in the debug sidebar');
      pageErrors.should.be.empty();
      await page.close();
    });
  });
});
