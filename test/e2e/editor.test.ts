/**
 * The Node-RED editor as a user meets it, in a real Chromium against a real Node-RED running the
 * package (scripts/demo.ts: simulator + example flows with the simulator's demo credentials).
 *
 * One table row per node type of package.json: adding a type is a row. Each row is checked for: its edit
 * dialog opens (by double-clicking the node in the workspace, or the pencil next to an endpoint's
 * `server` for config nodes) without page or console errors; every property of docs/design.md has its
 * `#node-input-<prop>` / `#node-config-input-<prop>` field; bad values mark the field red and,
 * after Done, leave the node invalid (red triangle) until fixed; the help sidebar shows the node's
 * help text. Config rows also run "Test connection" against the simulator.
 */
import 'should';
import { CHROMIUM, CHROMIUM_ARGS, closeEditTrays, workspaceNode } from '../support/chromium';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT, startDemo, type Demo } from '../../scripts/demo';
import { DEMO_CREDENTIALS } from '../../simulator/server';
import { CONFIG_TYPES, NODE_TYPES } from '../support/node-types';


// `RED` lives in the page; these tests only reach it inside page.evaluate / waitForFunction.
declare const RED: any; // the editor's global has no types

/** A value a user may type that the editor must reject before deploy. */
interface BadValue {
  field: string;
  value: string;
  /** Other fields to set first (select values or text), e.g. a template the check depends on. */
  before?: Record<string, string>;
  /** What shows the problem in the dialog; default the field itself gets `input-error`. */
  flag?: string;
  /** The reason shown (in `flag`, or under the field) must match this. */
  text?: RegExp;
}

interface ConnectionTest {
  button: string;
  result: string;
  /** The secret field a user would mistype. */
  secretField: string;
}

interface NodeRow {
  type: string;
  /** Config nodes are opened from an endpoint of this type, by the pencil next to `server`. */
  via?: string;
  /** Property names of docs/design.md (and credentials): each must have its field in the dialog. */
  fields: string[];
  bad: BadValue[];
  connection?: ConnectionTest;
  /** Properties of a pasted node the editor must flag at once; default: the first bad value. */
  imported?: Record<string, string>;
  /** Type-specific dialog behaviour, run with the dialog open. */
  extra?: (page: Page) => Promise<void>;
}

const ROWS: NodeRow[] = [
  {
    type: 'network-flow-sites-config', via: 'network-flow-site-poller',
    fields: ['name', 'vendor', 'sites', 'tls', 'timeout', 'apiVersion', 'authMethod', 'username', 'password', 'accessCode'],
    bad: [{ field: 'sites', value: 'ftp://x, a' }, { field: 'sites', value: '10.0.0.1, a\n10.0.0.2, a' }, { field: 'sites', value: '10.0.0.1, a, colour=red' }, { field: 'timeout', value: '5' }],
    extra: async (page) => {
      // FlowGateway lists show the auth method; SD-WAN lists the NITRO API version.
      await page.selectOption('#node-config-input-vendor', 'riverbed-flowgateway');
      await page.locator('#node-config-input-authMethod').waitFor({ state: 'visible' });
      await page.locator('#node-config-input-apiVersion').waitFor({ state: 'hidden' });
      await page.selectOption('#node-config-input-vendor', 'citrix-sdwan');
      await page.locator('#node-config-input-apiVersion').waitFor({ state: 'visible' });
    },
  },
  {
    type: 'network-flow-site-poller',
    fields: ['name', 'server', 'resource', 'filter', 'maxStats', 'statsType', 'intervalType', 'timeInterval', 'sourceIp', 'concurrency', 'jitter', 'failuresToDown', 'emptyToDown'],
    bad: [{ field: 'concurrency', value: '0' }, { field: 'jitter', value: '4000' }, { field: 'failuresToDown', value: 'x' }],
  },
  {
    type: 'firewalla-fleet',
    fields: ['name', 'server', 'boxes', 'group', 'query', 'blocked', 'limit', 'maxPages', 'concurrency', 'jitter', 'failuresToDown', 'emptyToDown'],
    bad: [{ field: 'limit', value: '501' }, { field: 'concurrency', value: '0' }, { field: 'emptyToDown', value: '-1' }],
  },
  {
    type: 'citrix-sdwan-config', via: 'citrix-sdwan-flows',
    fields: ['name', 'host', 'tls', 'timeout', 'apiVersion', 'username', 'password'],
    bad: [{ field: 'host', value: 'ftp://x' }, { field: 'timeout', value: '5' }, { field: 'host', value: 'https://u:p@sdwan.example' }],
    connection: { button: '#node-config-citrix-sdwan-config-test', result: '#node-config-citrix-sdwan-config-test-result', secretField: 'password' },
  },
  {
    type: 'citrix-sdwan-flows',
    fields: ['name', 'server', 'filter', 'maxStats'],
    bad: [{ field: 'filter', value: 'max_stats:7' }, { field: 'filter', value: 'application' }, { field: 'filter', value: 'App:HTTPS' }],
  },
  {
    type: 'citrix-sdwan-ilbflows',
    fields: ['name', 'server', 'filter', 'maxStats'],
    bad: [{ field: 'filter', value: 'lanip:' }, { field: 'filter', value: 'max_stats:7' }],
  },
  {
    type: 'firewalla-msp-config', via: 'firewalla-flows',
    fields: ['name', 'host', 'tls', 'timeout', 'token'],
    bad: [{ field: 'host', value: 'ftp://x' }, { field: 'timeout', value: '700000' }],
    connection: { button: '#node-config-firewalla-msp-config-test', result: '#node-config-firewalla-msp-config-test-result', secretField: 'token' },
  },
  {
    type: 'firewalla-flows',
    fields: ['name', 'server', 'query', 'groupBy', 'sortBy', 'limit', 'blocked', 'pagination', 'maxPages', 'sinceLastPoll'],
    // A query the editor has not checked yet: its answer arrives after the node was validated.
    imported: { query: 'nosuchqualifier:pasted' },
    bad: [
      { field: 'limit', value: '501' },
      { field: 'limit', value: '0' },
      { field: 'maxPages', value: '0', before: { pagination: 'all' } },
      { field: 'groupBy', value: '1device' },
      { field: 'sortBy', value: 'ts:sideways' },
      // Checked by the runtime's own parser through the admin API; the reason names the column.
      { field: 'query', value: 'nosuchqualifier:1', text: /column \d+/ },
    ],
    extra: async (page) => {
      // maxPages only matters when following pages.
      await page.selectOption('#node-input-pagination', 'page');
      await page.locator('#node-input-maxPages').waitFor({ state: 'hidden' });
      await page.selectOption('#node-input-pagination', 'stream');
      await page.locator('#node-input-maxPages').waitFor({ state: 'visible' });
    },
  },
  {
    type: 'riverbed-flowgateway-config', via: 'riverbed-flowgateway-stats',
    fields: ['name', 'host', 'tls', 'timeout', 'authMethod', 'username', 'password', 'accessCode'],
    bad: [{ field: 'host', value: 'ftp://x' }, { field: 'timeout', value: '99' }],
    connection: { button: '#node-config-riverbed-flowgateway-config-test', result: '#node-config-riverbed-flowgateway-config-test-result', secretField: 'password' },
    extra: async (page) => {
      // OAuth uses an access code, the others a user name and password.
      await page.selectOption('#node-config-input-authMethod', 'oauth');
      await page.locator('#node-config-input-accessCode').waitFor({ state: 'visible' });
      await page.locator('#node-config-input-password').waitFor({ state: 'hidden' });
      await page.selectOption('#node-config-input-authMethod', 'basic');
      await page.locator('#node-config-input-password').waitFor({ state: 'visible' });
      await page.locator('#node-config-input-accessCode').waitFor({ state: 'hidden' });
    },
  },
  {
    type: 'riverbed-flowgateway-stats',
    fields: ['name', 'server', 'template', 'statsType', 'intervalType', 'timeInterval', 'startTime', 'endTime', 'sourceIp'],
    bad: [
      { field: 'timeInterval', value: 'abc', before: { template: 'A' } },
      { field: 'timeInterval', value: '0', before: { template: 'A' } },
      { field: 'startTime', value: 'yesterday', before: { template: 'B' } },
      { field: 'endTime', value: '01/01/2024 00:00:00', before: { template: 'B', startTime: '02/01/2024 00:00:00' } },
      { field: 'sourceIp', value: '10.0.0.300' },
    ],
    extra: async (page) => {
      // Only the chosen template's fields are shown, and only they are checked: a user who typed
      // junk for one template and then switched is not blocked by a field they cannot see.
      await page.selectOption('#node-input-template', 'B');
      await setField(page, 'node-input', 'startTime', 'not a time');
      await expectError(page, '#node-input-startTime', true, 'template B must check startTime');
      await page.selectOption('#node-input-template', 'A');
      await page.locator('#node-input-timeInterval').waitFor({ state: 'visible' });
      await page.locator('#node-input-intervalType').waitFor({ state: 'visible' });
      await page.locator('#node-input-startTime').waitFor({ state: 'hidden' });
      await page.locator('#node-input-endTime').waitFor({ state: 'hidden' });
      await expectError(page, '#node-input-startTime', false, 'template A must not check startTime');
      await setField(page, 'node-input', 'timeInterval', 'abc');
      await expectError(page, '#node-input-timeInterval', true, 'template A must check timeInterval');
      await page.selectOption('#node-input-template', 'C');
      await page.locator('#node-input-startTime').waitFor({ state: 'visible' });
      await page.locator('#node-input-endTime').waitFor({ state: 'visible' });
      await page.locator('#node-input-timeInterval').waitFor({ state: 'hidden' });
      await page.locator('#node-input-intervalType').waitFor({ state: 'hidden' });
      await expectError(page, '#node-input-timeInterval', false, 'template C must not check timeInterval');
      await expectError(page, '#node-input-startTime', true, 'template C must check startTime');
      // Template C takes epoch seconds.
      await setField(page, 'node-input', 'startTime', '1700000000');
      await setField(page, 'node-input', 'endTime', '1700003600');
      await expectError(page, '#node-input-startTime', false);
      await expectError(page, '#node-input-endTime', false);
    },
  },
  {
    type: 'network-flow-normalize',
    fields: ['name', 'vendor', 'format', 'output', 'keepRaw', 'internalNetworks'],
    bad: [{ field: 'internalNetworks', value: '10.0.0.0/33' }, { field: 'internalNetworks', value: 'not-a-cidr' }],
  },
  {
    type: 'network-flow-filter',
    fields: ['name', 'expression', 'outputs', 'sendEmpty'],
    imported: { expression: 'bytes >> 1' },
    bad: [
      // Checked by the runtime's compiler through the admin API; the message names the column.
      { field: 'expression', value: 'bytes > ', flag: '#nff-message.nff-bad', text: /column \d+/i },
      { field: 'expression', value: 'src net 10.0.0.0/33', flag: '#nff-message.nff-bad' },
    ],
  },
  {
    type: 'network-flow-anomaly',
    fields: ['name', 'key', 'metric', 'window', 'windowType', 'rule', 'threshold', 'band', 'alpha', 'warmup', 'pending', 'cooldown', 'resolve', 'maxKeys'],
    bad: [
      { field: 'window', value: 'abc' },
      { field: 'window', value: '0' },
      { field: 'key', value: 'src ip' },
      { field: 'threshold', value: '', before: { rule: 'threshold' } },
      { field: 'alpha', value: '1.5', before: { rule: 'ewma' } },
      { field: 'maxKeys', value: '0' },
    ],
    extra: async (page) => {
      // The metric is built from a kind and a path; "count" has no path.
      await page.selectOption('#node-input-metricKind', 'count');
      await page.locator('#node-input-metricPath').waitFor({ state: 'hidden' });
      (await page.inputValue('#node-input-metric')).should.equal('count');
      await page.selectOption('#node-input-metricKind', 'distinct');
      await setField(page, 'node-input', 'metricPath', 'dst.port');
      (await page.inputValue('#node-input-metric')).should.equal('distinct:dst.port');
    },
  },
  {
    type: 'network-flow-collector',
    fields: ['name', 'address', 'port', 'batchSize', 'batchMs', 'allow', 'samplingRate', 'communityId', 'templateTimeout', 'holdTime'],
    bad: [
      { field: 'address', value: '10.0.0.300' },
      { field: 'port', value: '70000' },
      { field: 'batchSize', value: '0' },
      { field: 'batchMs', value: '5' },
      { field: 'allow', value: '10.0.0.0/33', text: /^Exporters: / },
      { field: 'samplingRate', value: '-1' },
      { field: 'templateTimeout', value: '1.5' },
      { field: 'holdTime', value: '301' },
    ],
  },
  {
    type: 'network-flow-enrich',
    fields: ['name', 'geo', 'countryFile', 'asnFile', 'names', 'namesFile', 'reload', 'cacheSize', 'reverseDns', 'dnsServers', 'dnsTimeout', 'dnsInFlight', 'dnsTtl', 'dnsCacheSize'],
    bad: [
      { field: 'names', value: '192.168.1.23,kids-ipad\n10.0.0.300,printer' },
      { field: 'names', value: '10.0.0.0/8,a\n10.0.0.0/8,b' },
      { field: 'cacheSize', value: '0' },
      { field: 'reload', value: 'soon' },
      { field: 'countryFile', value: '', before: { geo: 'files', asnFile: '' } },
    ],
    extra: async (page) => {
      // The file fields belong to "My files", the DNS fields to reverse DNS.
      await page.selectOption('#node-input-geo', 'off');
      await page.locator('#node-input-countryFile').waitFor({ state: 'hidden' });
      await page.selectOption('#node-input-geo', 'files');
      await page.locator('#node-input-asnFile').waitFor({ state: 'visible' });
      // DNS settings show with reverse DNS, and a bad server is flagged with its reason.
      await page.check('#node-input-reverseDns');
      await page.locator('#node-input-dnsServers').waitFor({ state: 'visible' });
      await setField(page, 'node-input', 'dnsServers', 'dns.example');
      await expectError(page, '#node-input-dnsServers', true, 'a host name is not a DNS server address');
      await setField(page, 'node-input', 'dnsServers', '127.0.0.1:5353');
      await expectError(page, '#node-input-dnsServers', false);
      await page.uncheck('#node-input-reverseDns');
      await page.selectOption('#node-input-geo', 'default');
    },
  },
  {
    type: 'network-flow-aggregate',
    fields: ['name', 'groupBy', 'labelPath', 'metrics', 'window', 'timeZone', 'lateness', 'topN', 'sortBy', 'output', 'maxGroups', 'dedup', 'wallFlush', 'persist', 'store'],
    bad: [
      { field: 'groupBy', value: 'src ip' },
      { field: 'metrics', value: 'avg:bytes' },
      { field: 'metrics', value: 'sum:bytes,sum:bytes' },
      { field: 'window', value: '7000' },
      { field: 'timeZone', value: 'Mars/Olympus', before: { window: 'month' } },
      { field: 'topN', value: '-1' },
      { field: 'sortBy', value: 'packets' },
      { field: 'maxGroups', value: '0' },
    ],
  },
];

const WRONG_SECRET = 'wrong-Secret-';

/** Secrets the simulator accepts; the demo's config nodes hold them as credentials. */
const SECRETS = [DEMO_CREDENTIALS.sdwanPassword, DEMO_CREDENTIALS.firewallaToken, DEMO_CREDENTIALS.flowgatewayPassword,
  DEMO_CREDENTIALS.flowgatewayAccessCode];

// ---- page helpers ----------------------------------------------------------------------------

async function setField(page: Page, prefix: string, field: string, value: string): Promise<void> {
  const el = page.locator(`#${prefix}-${field}`);
  const tag = await el.evaluate((e) => e.tagName);
  if (tag === 'SELECT') {
    await el.selectOption(value);
  } else {
    // The editor fills a dialog's fields asynchronously after the tray opens; on a loaded machine
    // it can overwrite what was typed first. Type again until the value sticks, as a user would.
    for (let attempt = 0; attempt < 10; attempt++) {
      await el.fill(value);
      // Node-RED validates on change/keyup; a user leaving the field fires change.
      await el.dispatchEvent('change');
      await page.waitForTimeout(50);
      if ((await el.inputValue()) === value) return;
    }
    throw new Error(`#${prefix}-${field} does not keep the value ${JSON.stringify(value)}`);
  }
}

/** Waits until the field is (or is not) marked red: the runtime's answer arrives after typing. */
async function expectError(page: Page, selector: string, marked: boolean, why = ''): Promise<void> {
  await page.waitForFunction(([sel, m]) => document.querySelector(sel)?.classList.contains('input-error') === m, [selector, marked] as const, { timeout: 5000 })
    .catch(() => { throw new Error(`${selector} should ${marked ? '' : 'not '}be marked invalid${why ? `: ${why}` : ''}`); });
}

async function waitValid(page: Page, id: string, valid: boolean): Promise<void> {
  await page.waitForFunction(([nid, v]) => RED.nodes.node(nid)?.valid === v, [id, valid] as const, { timeout: 5000 })
    .catch(async () => {
      const got = await page.evaluate((nid) => {
        const n = RED.nodes.node(nid);
        return n ? { valid: n.valid, errors: n.validationErrors } : 'missing';
      }, id);
      throw new Error(`node ${id} should be ${valid ? 'valid' : 'invalid'}, got ${JSON.stringify(got)}`);
    });
}

/** First node of a type in the deployed demo flows (config nodes included). */
async function firstOf(page: Page, type: string): Promise<{ id: string; z?: string } | undefined> {
  return page.evaluate((t) => {
    let found: { id: string; z?: string } | undefined;
    RED.nodes.eachNode((n: { id: string; z: string; type: string }) => { if (!found && n.type === t) found = { id: n.id, z: n.z }; });
    if (!found) RED.nodes.eachConfig((n: { id: string; type: string }) => { if (!found && n.type === t) found = { id: n.id }; });
    return found;
  }, type);
}

const TRAY_OPEN = '.red-ui-tray .red-ui-tray-body';

/** Shows the node's tab and double-clicks it, as a user does, and waits for its dialog. */
async function openByDoubleClick(page: Page, id: string, z: string): Promise<void> {
  await page.evaluate(([tab, nid]) => { RED.workspaces.show(tab); RED.view.reveal(nid, false); }, [z, id] as const);
  const node = page.locator(`${workspaceNode(id)} .red-ui-flow-node`);
  await node.dblclick();
  await page.locator('#node-dialog-ok').waitFor({ state: 'visible' });
}

/** Cancels an open Import/Export dialog and any edit trays, the stacked config one first (it covers the one below). */
async function closeAllTrays(page: Page): Promise<void> {
  const clipboard = page.locator('#red-ui-clipboard-dialog-cancel');
  if (await clipboard.isVisible()) await clipboard.click({ timeout: 5000 });
  await closeEditTrays(page);
}

function readHelp(type: string): { para: string; headings: string[] } {
  const file = path.join(ROOT, 'locales', 'en-US', `${type}.html`);
  fs.existsSync(file).should.be.true(`no help file ${path.relative(ROOT, file)}`);
  const html = fs.readFileSync(file, 'utf8');
  const text = (s: string): string => s.replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'").replace(/&nbsp;/g, ' ').replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim();
  const p = /<p>([\s\S]*?)<\/p>/.exec(html);
  (p !== null).should.be.true(`${type} help has no <p> paragraph`);
  return { para: text(p![1]!).slice(0, 80), headings: [...html.matchAll(/<h3>([\s\S]*?)<\/h3>/g)].map((m) => text(m[1]!)) };
}

/** The help sidebar's text (the info sidebar has a `.red-ui-help` too). */
const HELP = '.red-ui-sidebar-help-stack .red-ui-help';

/** The "add flow" button of the flow tabs: under the workspace (Node-RED 4) or in the header (5). */
const ADD_FLOW_TAB = '#red-ui-workspace .red-ui-tab-button.red-ui-tabs-add a, #red-ui-header-tabs .red-ui-tab-button.red-ui-tabs-add a';

async function helpText(page: Page): Promise<string> {
  return page.locator(HELP).first().evaluate((e) => (e.textContent ?? '').replace(/\s+/g, ' '));
}

// ---- tests -----------------------------------------------------------------------------------

describe('Node-RED editor in a real Chromium', function () {
  this.timeout(40_000);
  // Editor animations can lose a click on a loaded machine; afterEach closes every tray, so one
  // retry starts from a clean editor. A real defect fails both attempts.
  this.retries(1);
  let demo: Demo;
  let userDir: string;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  before(async function () {
    this.timeout(120_000);
    fs.existsSync(CHROMIUM).should.be.true(`Chromium not found at ${CHROMIUM}`);
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nf-editor-'));
    [demo, browser] = await Promise.all([
      startDemo({ userDir, port: 0, simPort: 0, quiet: true }),
      chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }),
    ]);
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    // Fail a step in seconds, with its selector, rather than at mocha's test timeout.
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      // Includes the browser's "Failed to load resource" for any non-2xx answer (a missing icon, a 500).
      if (m.type() === 'error') problems.push(`console: ${m.text()} ${m.location().url}`);
    });
    // A loaded machine (the suite runs beside others) can take longer than a step's 15 s to load the editor.
    await page.goto(demo.url, { timeout: 90_000 });
    await page.waitForFunction(() => typeof RED !== 'undefined' && RED.nodes?.getType?.('network-flow-anomaly') && RED.workspaces?.count() > 0
      && RED.nodes.filterNodes({ type: 'network-flow-anomaly' }).length > 0, undefined, { timeout: 60_000 });
    // The editor shows a welcome notification on first load; it can cover the workspace.
    await page.locator('.red-ui-notification .red-ui-notification-close, .red-ui-notification button').first().click({ timeout: 500 }).catch(() => undefined);
  });

  after(async () => {
    await browser?.close();
    await demo?.stop();
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  });

  let seen = 0;
  /** Page errors and console errors since the last call. */
  const newProblems = (): string[] => { const p = problems.slice(seen); seen = problems.length; return p; };
  beforeEach(() => { newProblems(); });
  afterEach(async () => { if (page) await closeAllTrays(page).catch(() => undefined); });

  it('has a row for every node type of package.json', () => {
    ROWS.map((r) => r.type).sort().should.eql([...NODE_TYPES].sort());
  });

  it('loads the editor with every package node in the palette and no page errors', async () => {
    const missing: string[] = [];
    for (const type of NODE_TYPES.filter((t) => !CONFIG_TYPES.includes(t))) {
      const n = await page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`).count();
      if (n === 0) missing.push(type);
    }
    missing.should.be.empty();
    newProblems().should.be.empty();
  });

  it('adds an anomaly node from the palette, fills its dialog and deploys it', async () => {
    // A fresh tab, then drag the palette entry onto it as a user would.
    const before = await page.evaluate(() => RED.nodes.filterNodes({ type: 'network-flow-anomaly' }).map((n: { id: string }) => n.id) as string[]);
    await page.locator(ADD_FLOW_TAB).first().click();
    await page.locator('.red-ui-palette-node[data-palette-type="network-flow-anomaly"]').dragTo(page.locator('#red-ui-workspace-chart'), {
      targetPosition: { x: 300, y: 200 },
    });
    const id = await page.waitForFunction((known) => {
      const added = RED.nodes.filterNodes({ type: 'network-flow-anomaly', z: RED.workspaces.active() })
        .find((n: { id: string }) => !known.includes(n.id));
      return added?.id as string | undefined;
    }, before).then((h) => h.jsonValue() as Promise<string>);
    await page.locator(`${workspaceNode(id)} .red-ui-flow-node`).dblclick();
    await page.locator('#node-input-window').waitFor({ state: 'visible' });
    await setField(page, 'node-input', 'name', 'e2e anomaly');
    await setField(page, 'node-input', 'key', 'dst.ip, dst.port');
    await setField(page, 'node-input', 'metricKind', 'distinct');
    await setField(page, 'node-input', 'metricPath', 'src.ip');
    await setField(page, 'node-input', 'window', '60');
    await setField(page, 'node-input', 'rule', 'threshold');
    await setField(page, 'node-input', 'threshold', '5');
    await setField(page, 'node-input', 'rule', 'ewma');
    // The band was once `k`, a name the editor reserves and silently dropped.
    await setField(page, 'node-input', 'band', '2.5');
    await setField(page, 'node-input', 'rule', 'threshold');
    // The worst-case memory is computed by the runtime as the user types, and warns above its limit.
    await page.locator('#nfa-memory[data-over="false"]').waitFor({ state: 'visible' });
    await setField(page, 'node-input', 'maxKeys', '1000000');
    await page.locator('#nfa-memory[data-over="true"]').waitFor({ state: 'visible' });
    (await page.locator('#nfa-memory').textContent())!.should.match(/1,000,000 keys × .* is above 537 MB/);
    await setField(page, 'node-input', 'maxKeys', '10000');
    await page.locator('#nfa-memory[data-over="false"]').waitFor({ state: 'visible' });
    await page.locator('#node-input-resolve').check();
    await page.click('#node-dialog-ok');
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    await waitValid(page, id, true);
    // Two outputs once "resolve" is on: the second port is drawn.
    (await page.locator(`${workspaceNode(id)} .red-ui-flow-port-output`).count()).should.equal(2);

    await page.locator('#red-ui-header-button-deploy:not(.disabled)').waitFor();
    const posted = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/flows', { timeout: 15_000 });
    await page.click('#red-ui-header-button-deploy');
    // Deploying with invalid nodes elsewhere asks first; a user confirms.
    const confirm = page.locator('#red-ui-deploy-dialog-confirm-deploy-deploy');
    await Promise.race([posted, confirm.waitFor({ state: 'visible', timeout: 15_000 }).then(() => confirm.click()).catch(() => undefined)]);
    (await posted).status().should.equal(200);
    await page.locator('#red-ui-header-button-deploy.disabled').waitFor();

    const flows = (await (await fetch(`${demo.url}/flows`)).json()) as Array<Record<string, unknown>>;
    const saved = flows.find((n) => n.id === id);
    (saved !== undefined).should.be.true('the new node is not in the deployed flows');
    saved!.should.containEql({ type: 'network-flow-anomaly', name: 'e2e anomaly', key: 'dst.ip, dst.port', metric: 'distinct:src.ip', rule: 'threshold', resolve: true });
    String(saved!.window).should.equal('60');
    String(saved!.threshold).should.equal('5');
    String(saved!.band).should.equal('2.5');
    saved!.should.not.have.property('k');
    Number(saved!.outputs).should.equal(2);
    newProblems().should.be.empty();
  });

  for (const row of ROWS) {
    describe(row.type, () => {
      const prefix = row.via ? 'node-config-input' : 'node-input';
      let target: { id: string; z?: string } | undefined;
      let host: { id: string; z?: string } | undefined;

      /** The demo node this row edits; for a config row, the config node its endpoint uses. */
      async function resolve(): Promise<void> {
        if (target) return;
        if (row.via) {
          host = await firstOf(page, row.via);
          (host !== undefined).should.be.true(`no ${row.via} node to reach ${row.type} from`);
          const server = await page.evaluate((nid) => RED.nodes.node(nid).server as string, host!.id);
          target = { id: server };
          String(await page.evaluate((nid) => RED.nodes.node(nid)?.type as string | undefined, server)).should.equal(row.type);
        } else {
          target = await firstOf(page, row.type);
          (target !== undefined).should.be.true(`no ${row.type} node in the demo flows (is its type registered?)`);
        }
      }
      /** Opens this row's dialog the way a user does; resolves when its fields are there. */
      async function open(): Promise<void> {
        await resolve();
        if (row.via) {
          await openByDoubleClick(page, host!.id, host!.z!);
          (await page.inputValue('#node-input-server')).should.equal(target!.id);
          // A click that lands while the tray is still sliding in is lost: click again, as a user would.
          for (let attempt = 1; ; attempt++) {
            await page.click('#node-input-btn-server-edit');
            try {
              await page.locator('#node-config-dialog-ok').waitFor({ state: 'visible', timeout: 4000 });
              break;
            } catch (err) {
              if (attempt === 3) throw err;
            }
          }
        } else {
          await openByDoubleClick(page, target!.id, target!.z!);
        }
        await page.locator(`#${prefix}-${row.fields[0]}`).waitFor({ state: 'attached' });
      }
      /** Done on a config dialog, then on the endpoint that holds it. */
      async function done(): Promise<void> {
        if (row.via) {
          await page.click('#node-config-dialog-ok');
          await page.locator('#node-config-dialog-ok').waitFor({ state: 'detached' });
        }
        await page.click('#node-dialog-ok');
        await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
      }

      it('opens its edit dialog with every documented field and no page errors', async () => {
        await open();
        const missing: string[] = [];
        for (const f of row.fields) if ((await page.locator(`#${prefix}-${f}`).count()) !== 1) missing.push(`#${prefix}-${f}`);
        missing.should.be.empty();
        // Nothing is red for the demo's own (working) values.
        const red = await page.locator(`${TRAY_OPEN} .input-error:visible`).count();
        red.should.equal(0, 'a field of the demo node is marked invalid');
        if (row.extra) await row.extra(page);
        newProblems().should.be.empty();
      });

      it('marks each bad value red in the dialog, and the node invalid after Done until fixed', async () => {
        await open();
        for (const bad of row.bad) {
          const fields = [...Object.keys(bad.before ?? {}), bad.field];
          const originals = new Map<string, string>();
          for (const f of fields) originals.set(f, await page.inputValue(`#${prefix}-${f}`));
          for (const [f, v] of Object.entries(bad.before ?? {})) await setField(page, prefix, f, v);
          await setField(page, prefix, bad.field, bad.value);
          const flag = bad.flag ?? `#${prefix}-${bad.field}.input-error`;
          await page.locator(flag).waitFor({ state: 'visible', timeout: 5000 })
            .catch(() => { throw new Error(`${row.type}: ${bad.field} = ${JSON.stringify(bad.value)} is not flagged (${flag})`); });
          // Not only a red border: the runtime's reason shows next to the field.
          const why = bad.flag ?? `#${prefix}-${bad.field}-reason`;
          await page.locator(why).waitFor({ state: 'visible', timeout: 5000 })
            .catch(() => { throw new Error(`${row.type}: ${bad.field} = ${JSON.stringify(bad.value)} shows no reason (${why})`); });
          const reason = (await page.locator(why).innerText()).trim();
          reason.should.not.be.empty();
          if (bad.text) reason.should.match(bad.text);
          // Putting the old values back clears the mark.
          for (const f of fields.reverse()) await setField(page, prefix, f, originals.get(f)!);
          await page.locator(flag).waitFor({ state: 'hidden', timeout: 5000 })
            .catch(() => { throw new Error(`${row.type}: restoring ${fields.join(', ')} leaves ${bad.field} flagged`); });
          if (!bad.flag) await page.locator(why).waitFor({ state: 'hidden', timeout: 5000 });
        }

        // The first bad value saved with Done: the node (and, for config, every user) is invalid.
        const first = row.bad[0]!;
        for (const [f, v] of Object.entries(first.before ?? {})) await setField(page, prefix, f, v);
        const original = await page.inputValue(`#${prefix}-${first.field}`);
        await setField(page, prefix, first.field, first.value);
        await done();
        await waitValid(page, target!.id, false);
        const shown = row.via ? host! : target!;
        if (row.via) await waitValid(page, host!.id, false);
        await page.locator(`${workspaceNode(shown.id)} .red-ui-flow-node-error`).waitFor({ state: 'visible' });

        // Fixing it clears the triangle.
        await open();
        await setField(page, prefix, first.field, original);
        await done();
        await waitValid(page, target!.id, true);
        if (row.via) await waitValid(page, host!.id, true);
        await page.locator(`${workspaceNode(shown.id)} .red-ui-flow-node-error`).waitFor({ state: 'hidden' });
        newProblems().should.be.empty();
      });

      if (row.connection) {
        const c = row.connection;
        it('tests the connection against the simulator, and never echoes a mistyped secret', async () => {
          await open();
          // The dialog never receives the stored secret, only a placeholder.
          (SECRETS.includes(await page.inputValue(`#${prefix}-${c.secretField}`))).should.be.false();
          await page.click(c.button);
          await page.locator(`${c.result}.nf-ok`).waitFor({ timeout: 15_000 })
            .catch(async () => { throw new Error(`Test connection failed with the demo credentials: ${await page.locator(c.result).innerText()}`); });
          (await page.locator(c.result).innerText()).trim().should.not.equal('');

          const wrong = `${WRONG_SECRET}${Date.now()}`;
          await setField(page, prefix, c.secretField, wrong);
          await page.click(c.button);
          await page.locator(`${c.result}.nf-fail`).waitFor({ timeout: 15_000 });
          const failure = await page.locator(c.result).innerText();
          failure.should.match(/AUTH|401|403|denied|invalid|unauthori[sz]ed|credential|password|token/i);
          failure.should.not.containEql(wrong);
          for (const s of SECRETS) failure.should.not.containEql(s);
          newProblems().should.be.empty();
        });
      }

      it('shows its help text in the help sidebar', async () => {
        const help = readHelp(row.type);
        await resolve();
        if (row.via) {
          // Config nodes are not on the workspace: the dialog's book button shows their help.
          await open();
          await page.locator('.red-ui-tray').last().locator('.red-ui-tray-footer-left button:has(i.fa-book)').click();
        } else {
          await page.evaluate(([tab, nid]) => { RED.workspaces.show(tab); RED.view.reveal(nid, false); }, [target!.z!, target!.id] as const);
          // By the sidebar's API: its tab buttons have no ids on Node-RED 5.
          await page.evaluate(() => RED.sidebar.show('help'));
          await page.locator(`${workspaceNode(target!.id)} .red-ui-flow-node`).click();
        }
        await page.waitForFunction(([sel, p]) => (document.querySelector(sel)?.textContent ?? '').replace(/\s+/g, ' ').includes(p),
          [HELP, help.para] as const, { timeout: 5000 }).catch(() => undefined);
        const text = await helpText(page);
        text.should.containEql(help.para);
        for (const h of help.headings) text.should.containEql(h);
        newProblems().should.be.empty();
      });

      if (!row.via) {
        it('flags a bad value in a flow pasted through Import, without opening the node', async () => {
          await resolve();
          const first = row.bad[0]!;
          const props = row.imported ?? { ...first.before, [first.field]: first.value };
          const server = await page.evaluate((nid) => RED.nodes.node(nid).server as string | undefined, target!.id);
          const id = `e2e-pasted-${row.type}`;
          const flow = [{ id, type: row.type, name: 'pasted', ...(server ? { server } : {}), ...props, x: 200, y: 120, wires: [] }];
          await page.evaluate((tab) => RED.workspaces.show(tab), target!.z!);
          await page.click('#red-ui-header-button-sidemenu');
          await page.click('#menu-item-import');
          await page.fill('#red-ui-clipboard-dialog-import-text', JSON.stringify(flow));
          // The dialog checks the JSON on keyup before it enables Import.
          await page.locator('#red-ui-clipboard-dialog-import-text').dispatchEvent('keyup');
          await page.click('#red-ui-clipboard-dialog-ok');
          // Imported nodes follow the mouse until a click drops them.
          await page.mouse.move(700, 600);
          await page.mouse.click(700, 600);
          await page.locator(workspaceNode(id)).waitFor();
          await waitValid(page, id, false);
          await page.locator(`${workspaceNode(id)} .red-ui-flow-node-error`).waitFor({ state: 'visible' });
          await page.evaluate((nid) => { RED.nodes.remove(nid); RED.nodes.dirty(true); RED.view.redraw(true); }, id);
          newProblems().should.be.empty();
        });
      }
    });
  }

  describe('shared editor helper, palette, rule builder and help', () => {
    const PALETTE_TYPES = NODE_TYPES.filter((t) => !CONFIG_TYPES.includes(t));

    it('loads one editor helper from the package resources, and every property check goes through it to the runtime', async () => {
      const res = await fetch(`${demo.url}/resources/node-red-contrib-network-flows/editor.js`);
      res.status.should.equal(200);
      (await res.text()).should.containEql('network-flows/validate');
      (await page.evaluate(() => typeof (window as unknown as { NetworkFlowsEditor?: { validate?: unknown } }).NetworkFlowsEditor?.validate)).should.equal('function');
      // No property of any package type keeps a check of its own (a browser copy of a rule).
      const own = await page.evaluate((types) => types.flatMap((t: string) => {
        const d = RED.nodes.getType(t).defaults as Record<string, { type?: string; validate?: { toString(): string } }>;
        return Object.keys(d).filter((k) => k !== 'name' && !d[k]!.type && !String(d[k]!.validate).includes('cached('))
          .map((k) => `${t}.${k}`);
      }), [...NODE_TYPES]);
      own.should.eql([]);
      // A value typed into a dialog is checked by POST network-flows/validate.
      const target = (await firstOf(page, 'citrix-sdwan-flows'))!;
      await openByDoubleClick(page, target.id, target.z!);
      const asked = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/network-flows/validate'
        && JSON.stringify(r.postDataJSON()).includes('e2e-shared-helper'));
      await setField(page, 'node-input', 'filter', 'application:e2e-shared-helper;Bad Key:1');
      const body = (await asked).postDataJSON() as { type: string; props: Record<string, unknown> };
      body.type.should.equal('citrix-sdwan-flows');
      await page.locator('#node-input-filter-reason').waitFor({ state: 'visible' });
      newProblems().should.be.empty();
    });

    it('palette labels say vendor and job, are unique, keep "SD-WAN" whole, and "netflow" finds every node', async () => {
      const entries = await page.evaluate(() => Array.from(document.querySelectorAll('.red-ui-palette-node')).map((e) => ({
        type: e.getAttribute('data-palette-type') ?? '',
        text: (e.querySelector<HTMLElement>('.red-ui-palette-label')?.innerText ?? '').replace(/\s+/g, ' ').trim(),
      })));
      const ours = entries.filter((e) => PALETTE_TYPES.includes(e.type));
      ours.map((e) => e.type).sort().should.eql([...PALETTE_TYPES].sort());
      for (const e of ours) {
        entries.filter((x) => x.text.toLowerCase() === e.text.toLowerCase()).length.should.equal(1, `"${e.text}" (${e.type}) is not unique in the palette`);
        e.text.should.not.match(/SD - WAN|SD -WAN|SD- WAN/);
      }
      ours.some((e) => /Citrix SD.WAN/.test(e.text)).should.be.true();
      ours.some((e) => /Riverbed/.test(e.text)).should.be.true();
      ours.some((e) => /NetFlow/.test(e.text)).should.be.true();

      // Typed as a user types: the palette filters on key presses.
      const search = page.locator('#red-ui-palette-search input');
      const typeSearch = async (text: string): Promise<void> => {
        await search.fill('');
        await search.press('Backspace');
        if (text) await search.pressSequentially(text);
      };
      await typeSearch('netflow');
      await page.locator('.red-ui-palette-node[data-palette-type="inject"]').waitFor({ state: 'hidden' });
      for (const t of PALETTE_TYPES) (await page.locator(`.red-ui-palette-node[data-palette-type="${t}"]`).isVisible()).should.be.true(`"netflow" does not find ${t}`);
      await typeSearch('sd-wan');
      await page.locator('.red-ui-palette-node[data-palette-type="citrix-sdwan-flows"]').waitFor({ state: 'visible' });
      await page.locator('.red-ui-palette-node[data-palette-type="network-flow-filter"]').waitFor({ state: 'hidden' });
      await typeSearch('');
      await page.locator('.red-ui-palette-node[data-palette-type="inject"]').waitFor({ state: 'visible' });

      // The edit dialog's title is not core's "Edit filter node".
      const filter = (await firstOf(page, 'network-flow-filter'))!;
      await openByDoubleClick(page, filter.id, filter.z!);
      const title = (await page.locator('.red-ui-tray').last().locator('.red-ui-tray-titlebar').innerText()).trim();
      title.should.not.equal('Edit filter node');
      title.should.containEql('flow filter');
      newProblems().should.be.empty();
    });

    it('filter rule builder: room for several rows, rules read back on reopen, and a plain note when an expression is too complex', async () => {
      const filter = (await firstOf(page, 'network-flow-filter'))!;
      const original = await page.evaluate((nid) => RED.nodes.node(nid).expression as string, filter.id);
      const rowsOf = (): Promise<Array<{ field: string; op: string; value: string }>> => page.evaluate(() => Array.from(document.querySelectorAll('#nff-rules > li'))
        .map((li) => ({
          field: (li.querySelector('.nff-field') as HTMLSelectElement).value,
          op: (li.querySelector('.nff-op') as HTMLSelectElement).value,
          value: (li.querySelector('.nff-value') as HTMLInputElement).value,
        })));
      try {
        await openByDoubleClick(page, filter.id, filter.z!);
        await page.locator('#nff-rules > li').first().waitFor();
        // Enough room for several rows, not a cramped box.
        const height = await page.locator('#nff-rules').evaluate((e) => e.closest<HTMLElement>('.red-ui-editableList-container')?.clientHeight ?? 0);
        height.should.be.aboveOrEqual(200);
        // Rules written by the builder...
        await setField(page, 'node-input', 'expression', '');
        await page.locator('#nff-rules > li').nth(0).locator('.nff-field').selectOption('dst port');
        await page.locator('#nff-rules > li').nth(0).locator('.nff-value').fill('443');
        await page.locator('.nff-builder .red-ui-editableList-addButton').click();
        await page.locator('#nff-rules > li').nth(1).locator('.nff-field').selectOption('proto');
        await page.locator('#nff-rules > li').nth(1).locator('.nff-value').fill('tcp');
        await page.click('#nff-replace');
        await page.waitForFunction(() => (document.querySelector('#node-input-expression') as HTMLTextAreaElement).value === 'dst port 443 and proto tcp');
        await page.click('#node-dialog-ok');
        await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
        // ...are read back from the expression when the dialog opens again.
        await openByDoubleClick(page, filter.id, filter.z!);
        await page.waitForFunction(() => document.querySelectorAll('#nff-rules > li').length === 2);
        (await rowsOf()).should.eql([{ field: 'dst port', op: '=', value: '443' }, { field: 'proto', op: '=', value: 'tcp' }]);
        (await page.locator('#nff-builder-note').innerText()).trim().should.equal('');
        await setField(page, 'node-input', 'expression', '(proto tcp or proto udp) and dst port 53');
        await page.click('#node-dialog-ok');
        await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
        await openByDoubleClick(page, filter.id, filter.z!);
        await page.waitForFunction(() => /too complex/.test(document.querySelector('#nff-builder-note')?.textContent ?? ''));
        (await rowsOf()).length.should.equal(1);
      } finally {
        await closeAllTrays(page);
        await page.evaluate(([nid, e]) => { const n = RED.nodes.node(nid); n.expression = e; RED.editor.validateNode(n); RED.view.redraw(true); }, [filter.id, original] as const);
      }
      newProblems().should.be.empty();
    });

    it('help: long code lines wrap inside the sidebar, FlowGateway references link to Riverbed, no demo or jargon', async () => {
      const agg = (await firstOf(page, 'network-flow-aggregate'))!;
      await page.evaluate(([tab, nid]) => { RED.workspaces.show(tab); RED.view.reveal(nid, false); RED.sidebar.show('help'); }, [agg.z!, agg.id] as const);
      await page.locator(`${workspaceNode(agg.id)} .red-ui-flow-node`).click();
      await page.locator(`${HELP} pre`).first().waitFor();
      const overflow = await page.locator(HELP).first().evaluate((help) => {
        const right = help.getBoundingClientRect().right;
        return Array.from(help.querySelectorAll('pre, code')).filter((e) => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > right + 1)
          .map((e) => (e.textContent ?? '').slice(0, 40));
      });
      overflow.should.eql([]);

      const fg = (await firstOf(page, 'riverbed-flowgateway-stats'))!;
      await page.evaluate(([tab, nid]) => { RED.workspaces.show(tab); RED.view.reveal(nid, false); }, [fg.z!, fg.id] as const);
      await page.locator(`${workspaceNode(fg.id)} .red-ui-flow-node`).click();
      await page.locator(`${HELP} a[href^="https://support.riverbed.com/apis/mgmt.flowgateway_analytics/"]`).first().waitFor();

      for (const file of fs.readdirSync(path.join(ROOT, 'locales', 'en-US')).filter((f) => f.endsWith('.html'))) {
        const help = fs.readFileSync(path.join(ROOT, 'locales', 'en-US', file), 'utf8');
        help.should.not.match(/simulator|\bdemo\b|keyed envelope/i, file);
      }
      newProblems().should.be.empty();
    });
  });

  // After the rows (mocha runs a suite's own tests before its sub-suites): the dialogs above have
  // made the editor fetch every config node's credentials by now.
  describe('credentials', () => {
    it('never puts a credential into the exported flows or the page', async () => {
      const exported = await page.evaluate(() => ({
        withoutCreds: JSON.stringify(RED.nodes.createCompleteNodeSet({ credentials: false })),
        defaults: JSON.stringify(RED.nodes.createCompleteNodeSet()),
      }));
      // What a user copies from Menu > Export > All flows.
      await page.click('#red-ui-header-button-sidemenu');
      await page.click('#menu-item-export');
      await page.locator('#red-ui-clipboard-dialog-export-rng-full').click();
      await page.locator('#red-ui-clipboard-dialog-export-fmt-full').click();
      const dialogText = await page.inputValue('#red-ui-clipboard-dialog-export-text');
      await page.locator('#red-ui-clipboard-dialog-cancel').click();
      JSON.parse(dialogText).length.should.be.above(10);
      const html = await page.evaluate(() => document.documentElement.outerHTML
        + Array.from(document.querySelectorAll('input, textarea')).map((e) => (e as HTMLInputElement).value).join('\n'));
      const adminFlows = await (await fetch(`${demo.url}/flows`)).text();
      for (const [where, text] of Object.entries({ withoutCreds: exported.withoutCreds, defaults: exported.defaults, dialogText, html, adminFlows })) {
        for (const s of SECRETS) text.includes(s).should.be.false(`${where} contains a demo secret`);
        // The wrong secrets typed for "Test connection" were cancelled, not kept.
        text.includes(WRONG_SECRET).should.be.false(`${where} contains a secret typed into a cancelled dialog`);
      }
      newProblems().should.be.empty();
    });
  });
});
