/**
 * The vendor simulator: one loopback HTTP(S) server that speaks the Citrix SD-WAN NITRO,
 * Firewalla MSP and Riverbed FlowGateway APIs as docs/vendors/ describes, over generated traffic,
 * with switchable faults. Tests, benchmarks and `npm start` all use it.
 *
 * Vendor behaviour lives in one module per vendor (`simulator/<vendor>.ts`), registered in
 * `VENDOR_FACTORIES`; this file owns the server, the request log, faults and the control API.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { systemClock } from '../nodes/lib/clock';
import { Traffic, type TrafficOptions } from './traffic';

export interface SimRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  /** Raw query string as received (after '?'), to check encoding. */
  rawQuery: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface SimContext {
  traffic: Traffic;
  now(): number;
}

export interface VendorModule {
  name: string;
  /** Answers the request if it is this vendor's; returns false to let the next module try. */
  handle(req: SimRequest, res: http.ServerResponse): boolean | Promise<boolean>;
  /** Ends every session and token, as an appliance reboot or timeout would. */
  expireSessions?(): void;
}

export type VendorFactory = (ctx: SimContext, options: SimulatorOptions) => VendorModule;

export type FaultKind =
  | 'status' // answer with `status` (default 500) and `body`
  | 'html' // an HTML error page with `status` (default 502), as a proxy would send
  | 'malformed-json' // 200 with broken JSON
  | 'wrong-content-type' // 200 with an XML document
  | 'truncate' // headers promise more body than is sent, then the socket closes
  | 'drop' // the socket closes without a response
  | 'slow-headers' // wait `delayMs`, then answer normally
  | 'slow-body' // send headers and half the body, stall `delayMs`, then finish
  | 'big-body' // 200 with a JSON array of about `bytes` bytes
  | 'rate-limit' // 429 with `retry-after: retryAfter` (seconds)
  | 'hang' // accepts the request and never answers, until the client gives up and closes the socket
  | 'echo'; // an error page that echoes the request: `body` with {{authorization}}, {{cookie}}, {{body}}, {{query}} filled in (misconfigured proxies and debug pages do this)

export interface Fault {
  kind: FaultKind;
  /** Applies to requests whose path contains this text; all requests when absent. */
  path?: string;
  /** How many requests it applies to; default 1, `Infinity` (or -1 over the control API) for all. */
  times?: number;
  status?: number;
  body?: string;
  delayMs?: number;
  bytes?: number;
  retryAfter?: number;
  /** For `echo`: the content type (default application/json; JSON bodies get JSON-escaped values). */
  contentType?: string;
}

export interface SimulatorOptions extends TrafficOptions {
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Serve HTTPS with this key pair (PEM). */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Clock of the simulated appliances (traffic, sessions, tokens, rate windows); default the system clock. */
  now?: () => number;
  /** Vendor credentials the simulator accepts (defaults in `DEMO_CREDENTIALS`). */
  credentials?: Partial<typeof DEMO_CREDENTIALS>;
  /** Vendors to serve; default all registered ones. */
  vendors?: string[];
  /** Keep at most this many requests in `requests`. Default 2000. */
  logLimit?: number;
  /** Hooks of a simulated fleet (simulator/fleet.ts): refuse connections, answer before the vendor modules. */
  gate?: SimGate;
}

/** What simulator/fleet.ts plugs in to take an appliance down, count sockets and limit its rate. */
export interface SimGate {
  /** A new socket: false destroys it at once (the appliance is down). */
  connection?(socket: Socket): boolean;
  /** Before faults and vendors: true when the gate answered the request itself. */
  request?(req: SimRequest, res: http.ServerResponse): boolean;
}

/** What the demo and tests log in with. Never real credentials. */
export const DEMO_CREDENTIALS = {
  sdwanUsername: 'admin',
  sdwanPassword: 'sdwan-demo-password',
  firewallaToken: 'fw-demo-token-0123456789abcdef',
  flowgatewayUsername: 'admin',
  flowgatewayPassword: 'fg-demo-password',
  flowgatewayAccessCode: 'fg-demo-access-code',
};

const VENDOR_FACTORIES = new Map<string, VendorFactory>();

/** Vendor modules call this at import time. */
export function registerVendor(name: string, factory: VendorFactory): void {
  VENDOR_FACTORIES.set(name, factory);
}

export class Simulator {
  readonly options: SimulatorOptions;
  readonly traffic: Traffic;
  readonly requests: SimRequest[] = [];
  /** Sockets accepted since start: keep-alive reuse shows as one connection for many requests. */
  connections = 0;
  /** Requests a `hang` fault is holding (answered by nobody until the client closes). */
  hanging = 0;
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly vendors: VendorModule[];
  private faults: Array<Fault & { left: number }> = [];
  private address?: AddressInfo;
  private readonly now: () => number;

  constructor(options: SimulatorOptions = {}) {
    this.options = options;
    this.traffic = new Traffic(options);
    const ctx: SimContext = { traffic: this.traffic, now: options.now ?? systemClock.now };
    this.now = ctx.now;
    const names = options.vendors ?? [...VENDOR_FACTORIES.keys()];
    this.vendors = names.map((n) => {
      const f = VENDOR_FACTORIES.get(n);
      if (!f) throw new Error(`simulator: unknown vendor "${n}" (known: ${[...VENDOR_FACTORIES.keys()].join(', ')})`);
      return f(ctx, options);
    });
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      this.onRequest(req, res).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: `simulator bug: ${String(err)}` });
        else res.destroy();
      });
    };
    this.server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler) : http.createServer(handler);
    const onSocket = (socket: Socket): void => {
      if (options.gate?.connection && !options.gate.connection(socket)) {
        socket.destroy();
        return;
      }
      this.connections++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    };
    this.server.on(options.tls ? 'secureConnection' : 'connection', onSocket);
    this.server.keepAliveTimeout = 60_000;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    this.address = this.server.address() as AddressInfo;
    return this;
  }

  /** Sockets open right now: 0 after every client closed its pool. */
  get openConnections(): number {
    return this.sockets.size;
  }

  get port(): number {
    if (!this.address) throw new Error('simulator not started');
    return this.address.port;
  }

  /** `http://127.0.0.1:PORT` (or https), ready for a config node's `host`. */
  get url(): string {
    const host = this.address?.family === 'IPv6' ? `[${this.address.address}]` : (this.address?.address ?? '127.0.0.1');
    return `${this.options.tls ? 'https' : 'http'}://${host}:${this.port}`;
  }

  /** Adds faults; each applies to the next `times` matching requests. */
  addFault(...faults: Fault[]): void {
    for (const f of faults) this.faults.push({ ...f, left: f.times === undefined ? 1 : f.times < 0 ? Infinity : f.times });
  }

  clearFaults(): void {
    this.faults = [];
  }

  expireSessions(): void {
    for (const v of this.vendors) v.expireSessions?.();
  }

  /** Requests whose path contains `fragment`. */
  requestsTo(fragment: string): SimRequest[] {
    return this.requests.filter((r) => r.path.includes(fragment));
  }

  clearLog(): void {
    this.requests.length = 0;
  }

  /** Destroys every open socket (an appliance that went away mid-conversation). */
  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const rawQuery = q < 0 ? '' : raw.slice(q + 1);
    const sreq: SimRequest = {
      method: req.method ?? 'GET',
      path: decodeURIComponent(q < 0 ? raw : raw.slice(0, q)),
      query: new URLSearchParams(rawQuery),
      rawQuery,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      at: this.now(),
    };
    if (sreq.path.startsWith('/_sim/')) {
      this.control(sreq, res);
      return;
    }
    this.requests.push(sreq);
    const limit = this.options.logLimit ?? 2000;
    if (this.requests.length > limit) this.requests.splice(0, this.requests.length - limit);

    if (this.options.gate?.request?.(sreq, res)) return;
    const fault = this.takeFault(sreq.path);
    if (fault) {
      const handled = await this.applyFault(fault, sreq, res);
      if (handled) return;
    }
    for (const v of this.vendors) {
      if (await v.handle(sreq, res)) return;
    }
    sendJson(res, 404, { error: `no such resource: ${sreq.method} ${sreq.path}` });
  }

  private takeFault(path: string): Fault | undefined {
    const i = this.faults.findIndex((f) => f.left > 0 && (!f.path || path.includes(f.path)));
    if (i < 0) return undefined;
    const f = this.faults[i]!;
    f.left--;
    if (f.left <= 0) this.faults.splice(i, 1);
    return f;
  }

  /** Returns true when the fault answered the request; false to go on to the vendor handler. */
  private async applyFault(f: Fault, req: SimRequest, res: http.ServerResponse): Promise<boolean> {
    switch (f.kind) {
      case 'status':
        res.writeHead(f.status ?? 500, { 'content-type': 'application/json' });
        res.end(f.body ?? JSON.stringify({ error: 'simulated failure' }));
        return true;
      case 'html':
        res.writeHead(f.status ?? 502, { 'content-type': 'text/html' });
        res.end('<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>');
        return true;
      case 'malformed-json':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"count": 2, "results": [{"ts": 1647550615.011, "gid": "x"},');
        return true;
      case 'wrong-content-type':
        res.writeHead(200, { 'content-type': 'application/xml' });
        res.end('<?xml version="1.0"?><response><status>ok</status></response>');
        return true;
      case 'truncate': {
        const body = JSON.stringify({ count: 1, results: [{ ts: 1, note: 'x'.repeat(200) }] });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
        res.write(body.slice(0, 40));
        await delay(20);
        res.socket?.destroy();
        return true;
      }
      case 'drop':
        req.headers.connection = 'close';
        res.socket?.destroy();
        return true;
      case 'slow-headers':
        await delay(f.delayMs ?? 2000);
        return false;
      case 'slow-body': {
        const body = JSON.stringify({ count: 0, results: [], next_cursor: null });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
        res.write(body.slice(0, 10));
        await delay(f.delayMs ?? 2000);
        if (!res.destroyed) res.end(body.slice(10));
        return true;
      }
      case 'big-body': {
        const n = f.bytes ?? 1024 * 1024;
        const item = JSON.stringify({ pad: 'x'.repeat(1000) });
        const count = Math.ceil(n / (item.length + 1));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('[');
        for (let i = 0; i < count && !res.destroyed; i++) {
          const ok = res.write(i ? `,${item}` : item);
          if (!ok) await new Promise((r) => res.once('drain', r));
        }
        if (!res.destroyed) res.end(']');
        return true;
      }
      case 'rate-limit':
        res.writeHead(429, {
          'content-type': 'application/json',
          'retry-after': String(f.retryAfter ?? 1),
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(Math.ceil(this.now() / 1000) + (f.retryAfter ?? 1)),
        });
        res.end(JSON.stringify({ error: { message: 'Too Many Requests' } }));
        return true;
      case 'hang':
        this.hanging++;
        await new Promise<void>((r) => (res.destroyed || res.socket?.destroyed ? r() : res.once('close', () => r())));
        this.hanging--;
        return true;
      case 'echo': {
        const type = f.contentType ?? 'application/json';
        const json = type.includes('json');
        const values: Record<string, string> = {
          authorization: String(req.headers.authorization ?? ''),
          cookie: String(req.headers.cookie ?? ''),
          body: req.body,
          query: req.rawQuery,
        };
        const text = (f.body ?? '{"error": "bad request: {{authorization}}"}').replace(/\{\{(authorization|cookie|body|query)\}\}/g, (_m, k: string) =>
          json ? JSON.stringify(values[k]).slice(1, -1) : values[k]!,
        );
        res.writeHead(f.status ?? 400, { 'content-type': type });
        res.end(text);
        return true;
      }
    }
  }

  /** `/_sim/faults` (POST a Fault or an array, DELETE to clear), `/_sim/expire` (POST), `/_sim/stats`. */
  private control(req: SimRequest, res: http.ServerResponse): void {
    if (req.path === '/_sim/faults' && req.method === 'POST') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(req.body);
      } catch {
        sendJson(res, 400, { error: 'body must be a JSON fault or array of faults' });
        return;
      }
      this.addFault(...(Array.isArray(parsed) ? parsed : [parsed]) as Fault[]);
      sendJson(res, 200, { faults: this.faults.length });
    } else if (req.path === '/_sim/faults' && req.method === 'DELETE') {
      this.clearFaults();
      sendJson(res, 200, { faults: 0 });
    } else if (req.path === '/_sim/expire' && req.method === 'POST') {
      this.expireSessions();
      sendJson(res, 200, { expired: true });
    } else if (req.path === '/_sim/stats') {
      sendJson(res, 200, { connections: this.connections, open: this.openConnections, hanging: this.hanging, requests: this.requests.length, faults: this.faults.length, vendors: this.vendors.map((v) => v.name) });
    } else {
      sendJson(res, 404, { error: 'unknown control path' });
    }
  }
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Starts a simulator with every vendor module loaded. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  loadVendors();
  return new Simulator(options).start();
}

/** One file per vendor side of the simulator; each registers itself when loaded (they import
 * this file, so they are required lazily rather than imported at the top). */
const VENDOR_MODULES = ['citrix-sdwan', 'firewalla', 'riverbed-flowgateway', 'echo'];

/** Loads every vendor module once (each registers itself; repeated calls are free). */
export function loadVendors(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- each module registers its vendor when loaded; loaded by name
  for (const name of VENDOR_MODULES) require(`./${name}`);
}
