/**
 * The `npm start` demo as a library: a real Node-RED (the one in node_modules) with this package
 * installed in its user directory, the vendor simulator, and every example flow deployed with the
 * simulator's demo credentials. The e2e tests start the same thing on ephemeral ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { NetflowExporter } from '../simulator/netflow-exporter';
import { DEMO_CREDENTIALS, startSimulator, type Simulator } from '../simulator/server';

/** The package root, whether this runs from scripts/ (tsx) or dist/scripts/ (built). */
export const ROOT = findRoot(__dirname);

function findRoot(from: string): string {
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'node-red-contrib-network-flows') return dir;
  }
  throw new Error(`cannot find the package root above ${from}`);
}
const PACKAGE = 'node-red-contrib-network-flows';
const DASHBOARD = '@flowfuse/node-red-dashboard';
/** Dashboard config nodes every dashboard example carries with the same ids: deployed once, shared. */
const SHARED_DASHBOARD_TYPES = new Set(['ui-base', 'ui-theme', 'ui-page']);
/** Dashboard config nodes: global, never on a tab. */
const DASHBOARD_CONFIG_TYPES = new Set([...SHARED_DASHBOARD_TYPES, 'ui-group']);

export interface DemoOptions {
  /** Node-RED user directory (created if missing). Default `.node-red-data`. */
  userDir?: string;
  /** Editor port; default 1880. 0 picks a free one. */
  port?: number;
  /** Simulator port; default 8787 (the examples' config nodes point there). 0 picks a free one. */
  simPort?: number;
  /** Redeploy the example flows even if the user directory already has flows. */
  reset?: boolean;
  /** Where Node-RED's output goes; default inherit. */
  quiet?: boolean;
  /** Let injects in the examples fire sooner than the examples say, for tests. */
  fastInjects?: boolean;
  /** UDP port on 127.0.0.1 of the collector example, fed by our IPFIX exporter; default 2055 (a free one when `port` is 0). */
  netflowPort?: number;
}

export interface Demo {
  url: string;
  simulator: Simulator;
  nodeRed: ChildProcess;
  stop(): Promise<void>;
}

type FlowNode = Record<string, unknown> & { id: string; type: string; z?: string };

/** Credential values for each config type, taken from the simulator's demo accounts. */
const DEMO_NODE_CREDENTIALS: Record<string, Record<string, string>> = {
  'citrix-sdwan-config': { username: DEMO_CREDENTIALS.sdwanUsername, password: DEMO_CREDENTIALS.sdwanPassword },
  'firewalla-msp-config': { token: DEMO_CREDENTIALS.firewallaToken },
  // The site list example: Citrix SD-WAN sites, all answered by the one simulator.
  'network-flow-sites-config': { username: DEMO_CREDENTIALS.sdwanUsername, password: DEMO_CREDENTIALS.sdwanPassword },
  'riverbed-flowgateway-config': {
    username: DEMO_CREDENTIALS.flowgatewayUsername,
    password: DEMO_CREDENTIALS.flowgatewayPassword,
    accessCode: DEMO_CREDENTIALS.flowgatewayAccessCode,
  },
};

/** A UDP port on 127.0.0.1 nobody holds now (for the collector example under tests). */
export async function freeUdpPort(): Promise<number> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const port = sock.address().port;
  await new Promise<void>((r) => sock.close(() => r()));
  return port;
}

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Installs the package into the user directory as Node-RED expects a palette module. */
export function prepareUserDir(userDir: string, port: number): void {
  fs.mkdirSync(path.join(userDir, 'node_modules'), { recursive: true });
  const link = path.join(userDir, 'node_modules', PACKAGE);
  // Replace whatever is there (a stale link from a moved checkout would point elsewhere).
  fs.rmSync(link, { force: true, recursive: false });
  fs.symlinkSync(ROOT, link, 'dir');
  // The dashboard examples need FlowFuse Dashboard 2.0: a devDependency here, linked like a palette module.
  const dashboard = path.join(ROOT, 'node_modules', DASHBOARD);
  const dashLink = path.join(userDir, 'node_modules', DASHBOARD);
  fs.rmSync(dashLink, { force: true, recursive: false });
  if (fs.existsSync(dashboard)) {
    fs.mkdirSync(path.dirname(dashLink), { recursive: true });
    fs.symlinkSync(dashboard, dashLink, 'dir');
  }
  fs.writeFileSync(
    path.join(userDir, 'package.json'),
    JSON.stringify({ name: 'node-red-project', private: true, dependencies: { [PACKAGE]: `file:${ROOT}` } }, null, 2),
  );
  const settings = `// Written by npm start; local demo settings (loopback only).
module.exports = {
  uiHost: '127.0.0.1',
  uiPort: ${port},
  flowFile: 'flows.json',
  credentialSecret: 'network-flows-local-demo',
  httpAdminRoot: '/',
  httpNodeRoot: '/',
  logging: { console: { level: 'info', metrics: false, audit: false } },
  diagnostics: { enabled: false },
  telemetry: { enabled: false },
  editorTheme: { tours: false, projects: { enabled: false }, palette: { catalogues: [] } },
  externalModules: { autoInstall: false, palette: { allowInstall: false } },
};
`;
  fs.writeFileSync(path.join(userDir, 'settings.js'), settings);
}

/** Every example flow on its own tab, config nodes with the simulator's address and demo credentials. */
export function demoFlows(simUrl: string, nodeRedUrl: string, fastInjects = false, netflowPort = 2055): FlowNode[] {
  const dir = path.join(ROOT, 'examples');
  const out: FlowNode[] = [];
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];
  const sharedSeen = new Set<string>();
  for (const file of files) {
    const nodes = remapIds(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as FlowNode[], file);
    const tabId = `demo-tab-${file.replace(/\W/g, '-')}`;
    const hasTab = nodes.find((n) => n.type === 'tab');
    const tab = hasTab?.id ?? tabId;
    if (!hasTab) out.push({ id: tabId, type: 'tab', label: file.replace(/\.json$/, ''), disabled: false, info: `Example ${file}` });
    for (const n of nodes) {
      if (SHARED_DASHBOARD_TYPES.has(n.type)) {
        if (sharedSeen.has(n.id)) continue;
        sharedSeen.add(n.id);
      }
      const node: FlowNode = { ...n };
      const global = DEMO_NODE_CREDENTIALS[node.type] !== undefined || node.type === 'tls-config' || DASHBOARD_CONFIG_TYPES.has(node.type);
      if (node.type !== 'tab' && !('z' in n) && !global) node.z = tab;
      if (typeof node.z === 'string' && node.z !== tab && !nodes.some((m) => m.id === node.z)) node.z = tab;
      const creds = DEMO_NODE_CREDENTIALS[node.type];
      if (creds) {
        if (typeof node.host === 'string' && /127\.0\.0\.1:8787|localhost:8787/.test(node.host)) node.host = simUrl;
        if (typeof node.sites === 'string') node.sites = node.sites.replace(/https?:\/\/(127\.0\.0\.1|localhost):8787/g, simUrl);
        node.credentials = creds;
      }
      if (node.type === 'http request' && typeof node.url === 'string') {
        // Webhook examples post to the demo's own http-in endpoint: follow the editor's real port.
        node.url = node.url.replace(/^http:\/\/(127\.0\.0\.1|localhost):1880/, nodeRedUrl);
      }
      // The collector example listens where the demo's IPFIX exporter sends.
      if (node.type === 'network-flow-collector' && node.address === '127.0.0.1') node.port = netflowPort;
      // Polling injects keep the example's own choice: they do not fire at deploy, so however
      // often a user deploys, the examples stay inside every vendor's rate budget
      // (test/lib/examples/rate-budget.test.ts); press an inject's button to poll now. Only the
      // e2e test (fastInjects) fires them at deploy, once.
      if (fastInjects && node.type === 'inject' && typeof node.repeat === 'string' && node.repeat !== '') {
        node.once = true;
        node.onceDelay = 0.2;
      }
      out.push(node);
    }
  }
  return out;
}

/** Prefixes every id of one example (and every reference to it) so examples never collide. */
function remapIds(nodes: FlowNode[], file: string): FlowNode[] {
  const prefix = `${file.replace(/\.json$/, '').replace(/\W/g, '')}-`;
  // Shared dashboard config nodes keep their ids, so every dashboard example lands on one page.
  const ids = new Set(nodes.filter((n) => !SHARED_DASHBOARD_TYPES.has(n.type)).map((n) => n.id));
  const map = (v: unknown): unknown => {
    if (typeof v === 'string') return ids.has(v) ? prefix + v : v;
    if (Array.isArray(v)) return v.map(map);
    return v;
  };
  return nodes.map((n) => Object.fromEntries(Object.entries(n).map(([k, v]) => [k, map(v)])) as FlowNode);
}

async function waitFor(url: string, ms: number, child: ChildProcess): Promise<void> {
  const until = Date.now() + ms;
  let last: unknown;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`Node-RED exited with code ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
      last = res.status;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Node-RED did not answer ${url} within ${ms} ms (${String(last)})`);
}

export async function startDemo(opts: DemoOptions = {}): Promise<Demo> {
  const userDir = path.resolve(opts.userDir ?? path.join(ROOT, '.node-red-data'));
  const port = opts.port === 0 ? await freePort() : (opts.port ?? 1880);
  const simulator = await startSimulator({ port: opts.simPort ?? 8787, host: '127.0.0.1' });
  const netflowPort = opts.netflowPort ?? (opts.port === 0 ? await freeUdpPort() : 2055);
  const fresh = !fs.existsSync(path.join(userDir, 'flows.json'));
  prepareUserDir(userDir, port);

  const red = require.resolve('node-red/red.js');
  const nodeRed = spawn(process.execPath, [red, '--userDir', userDir, '--settings', path.join(userDir, 'settings.js'), '--port', String(port)], {
    cwd: userDir,
    stdio: opts.quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    env: { ...process.env, NODE_RED_ENABLE_PROJECTS: 'false' },
  });
  const logs: string[] = [];
  nodeRed.stdout?.on('data', (d: Buffer) => logs.push(d.toString()));
  nodeRed.stderr?.on('data', (d: Buffer) => logs.push(d.toString()));
  const url = `http://127.0.0.1:${port}`;
  // The simulator's traffic as IPFIX to the collector example on loopback.
  const exporter = new NetflowExporter({ port: netflowPort, traffic: simulator.traffic }).run();
  const stop = async (): Promise<void> => {
    await exporter?.close();
    if (nodeRed.exitCode === null) {
      const exited = new Promise((r) => nodeRed.once('exit', r));
      nodeRed.kill('SIGINT');
      const timer = setTimeout(() => nodeRed.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await simulator.close();
  };
  try {
    await waitFor(`${url}/settings`, 60_000, nodeRed);
    if (fresh || opts.reset) {
      const res = await fetch(`${url}/flows`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
        body: JSON.stringify(demoFlows(simulator.url, url, opts.fastInjects, netflowPort)),
      });
      if (!res.ok) throw new Error(`deploying the demo flows failed: HTTP ${res.status} ${await res.text()}`);
    }
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${logs.join('').slice(-4000)}`);
  }
  return { url, simulator, nodeRed, stop };
}
