/**
 * Secret hygiene across the three vendors in a real Node-RED: an appliance (or a proxy in front
 * of it) that echoes the request's Authorization header, cookie or login body into its error
 * text must not put any encoding of a credential into msg.error, a status or the log, wherever
 * the text is cut (300 characters of vendor text, 120 of an HTML page) and whatever the length
 * of the user name (base64 of `user:secret` lines up differently for each length mod 3).
 */
import 'should';
import { inspect } from 'node:util';
import helper from 'node-red-node-test-helper';
import type { Node } from 'node-red';
import sdwanConfig = require('../../nodes/citrix-sdwan-config');
import sdwanFlows = require('../../nodes/citrix-sdwan-flows');
import fwConfig = require('../../nodes/firewalla-msp-config');
import fwFlows = require('../../nodes/firewalla-flows');
import fgConfig = require('../../nodes/riverbed-flowgateway-config');
import fgStats = require('../../nodes/riverbed-flowgateway-stats');
import { startSimulator, type Fault, type Simulator } from '../../simulator/server';
import { IMPORT_STATS } from '../../simulator/riverbed-flowgateway';
import { type Msg, until } from '../support/node-messages';


const catchNode = require('@node-red/nodes/core/common/25-catch.js') as unknown;

helper.init(require.resolve('node-red'));

type FlowNodes = Parameters<typeof helper.load>[1] & Array<{ id: string }>;

/** Lengths 2, 4, 6, 8: every remainder mod 3 (2, 1, 0, 2). */
const USERS = ['ab', 'root', 'netops', 'operator'];
const PASSWORD = 'Pw/s3cr3t+value=42&x y';
const TOKEN = 'fw-hostile-token-0123456789abcdef';
const ACCESS_CODE = 'fg-hostile-access/code+0123456789';

/** Where the HTTP core cuts vendor text and HTML pages (nodes/lib/http/client.ts). */
const VENDOR_CUT = 299;
const HTML_CUT = 119;

/** Every 8-character window of every encoding of `secret` (and of `user:secret` in base64). */
function fragments(secret: string, user?: string): string[] {
  const forms = [
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ v: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
    Buffer.from(secret).toString('base64'),
  ];
  if (user !== undefined) {
    // Only the characters that carry bits of the secret, not those of `user:`.
    const from = Math.floor(((user.length + 1) * 8) / 6);
    forms.push(Buffer.from(`${user}:${secret}`).toString('base64').slice(from));
  }
  const out = new Set<string>();
  for (const f of forms) for (let i = 0; i + 8 <= f.length; i++) out.add(f.slice(i, i + 8));
  return [...out];
}

/** Every log line Node-RED wrote (an Error's message and stack included), as text. */
function loggedTexts(): string[] {
  return helper.log().args.map((a: unknown[]) => {
    const e = a[0] as { msg?: unknown };
    const m = e.msg instanceof Error ? `${e.msg.message}\n${e.msg.stack ?? ''}` : typeof e.msg === 'string' ? e.msg : inspect(e.msg);
    return `${inspect(e)}\n${m}`;
  });
}

function leaksIn(text: string, frags: readonly string[]): string[] {
  return frags.filter((f) => text.includes(f));
}

interface Case {
  name: string;
  flow: (url: string) => FlowNodes;
  creds: Record<string, Record<string, string>>;
  /** The fault for one poll: `pad` filler characters come before the echoed value. */
  fault: (pad: string) => Fault;
  /** The echoed text and where in it the secret's longest form starts. */
  echoed: string;
  formStart: number;
  formLength: number;
  cut: number;
  frags: string[];
}

const catchAndHelper = [
  { id: 'c1', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
  { id: 'out', type: 'helper' },
  { id: 'caught', type: 'helper' },
];

function cases(): Case[] {
  const list: Case[] = [];
  for (const user of USERS) {
    const basic = `Basic ${Buffer.from(`${user}:${PASSWORD}`).toString('base64')}`;
    const fgFlow = (url: string) => [
      { id: 'cfg', type: 'riverbed-flowgateway-config', host: url, timeout: '3000', authMethod: 'basic' },
      { id: 'ep', type: 'riverbed-flowgateway-stats', server: 'cfg', template: 'A', statsType: 'flows_per_minute', intervalType: 'minutes', timeInterval: '10', wires: [['out']] },
      ...catchAndHelper,
    ];
    const fgCreds = { cfg: { username: user, password: PASSWORD } };
    list.push({
      name: `FlowGateway Basic, user "${user}", vendor text (300 cut)`,
      flow: fgFlow,
      creds: fgCreds,
      fault: (pad) => ({ kind: 'echo', path: IMPORT_STATS, status: 400, body: `{"error_id": "BAD_REQUEST", "error_text": "${pad}{{authorization}} rejected"}` }),
      echoed: basic,
      formStart: 'Basic '.length,
      formLength: basic.length - 'Basic '.length,
      cut: VENDOR_CUT,
      frags: fragments(PASSWORD, user),
    });
    list.push({
      name: `FlowGateway Basic, user "${user}", HTML page (120 cut)`,
      flow: fgFlow,
      creds: fgCreds,
      fault: (pad) => ({ kind: 'echo', path: IMPORT_STATS, status: 200, contentType: 'text/html', body: `<html><body>${pad}{{authorization}}</body></html>` }),
      echoed: basic,
      formStart: 'Basic '.length,
      formLength: basic.length - 'Basic '.length,
      cut: HTML_CUT,
      frags: fragments(PASSWORD, user),
    });
    const loginBody = JSON.stringify({ login: { username: user, password: PASSWORD } });
    list.push({
      name: `Citrix SD-WAN login body, user "${user}" (300 cut)`,
      flow: (url) => [
        { id: 'cfg', type: 'citrix-sdwan-config', host: url, timeout: '3000', apiVersion: 'v2' },
        { id: 'ep', type: 'citrix-sdwan-flows', server: 'cfg', filter: '', maxStats: '50', wires: [['out']] },
        ...catchAndHelper,
      ],
      creds: { cfg: { username: user, password: PASSWORD } },
      fault: (pad) => ({ kind: 'echo', path: '/login', status: 400, body: `{"errorcode": 1075, "errormessage": "${pad}{{body}}"}` }),
      echoed: loginBody,
      formStart: loginBody.indexOf(PASSWORD),
      formLength: PASSWORD.length,
      cut: VENDOR_CUT,
      frags: fragments(PASSWORD),
    });
  }
  const fwFlow = (url: string) => [
    { id: 'cfg', type: 'firewalla-msp-config', host: url, timeout: '3000' },
    { id: 'ep', type: 'firewalla-flows', server: 'cfg', query: '', limit: '10', pagination: 'page', maxPages: '1', wires: [['out']] },
    ...catchAndHelper,
  ];
  const tokenHeader = `Token ${TOKEN}`;
  list.push({
    name: 'Firewalla token, vendor text (300 cut)',
    flow: fwFlow,
    creds: { cfg: { token: TOKEN } },
    fault: (pad) => ({ kind: 'echo', path: '/v2/flows', status: 400, body: `{"error": {"type": "BAD_REQUEST", "message": "${pad}{{authorization}}"}}` }),
    echoed: tokenHeader,
    formStart: tokenHeader.indexOf(TOKEN),
    formLength: TOKEN.length,
    cut: VENDOR_CUT,
    frags: fragments(TOKEN),
  });
  list.push({
    name: 'Firewalla token, HTML page (120 cut)',
    flow: fwFlow,
    creds: { cfg: { token: TOKEN } },
    fault: (pad) => ({ kind: 'echo', path: '/v2/flows', status: 200, contentType: 'text/html', body: `<html><body>${pad}{{authorization}}</body></html>` }),
    echoed: tokenHeader,
    formStart: tokenHeader.indexOf(TOKEN),
    formLength: TOKEN.length,
    cut: HTML_CUT,
    frags: fragments(TOKEN),
  });
  const form = new URLSearchParams({ grant_type: 'access_code', assertion: ACCESS_CODE }).toString();
  list.push({
    name: 'FlowGateway OAuth access code in the token request form (300 cut)',
    flow: (url) => [
      { id: 'cfg', type: 'riverbed-flowgateway-config', host: url, timeout: '3000', authMethod: 'oauth' },
      { id: 'ep', type: 'riverbed-flowgateway-stats', server: 'cfg', template: 'A', statsType: 'flows_per_minute', intervalType: 'minutes', timeInterval: '10', wires: [['out']] },
      ...catchAndHelper,
    ],
    creds: { cfg: { accessCode: ACCESS_CODE } },
    fault: (pad) => ({ kind: 'echo', path: '/oauth/token', status: 400, body: `{"error_id": "AUTH_INVALID_CODE", "error_text": "${pad}{{body}}"}` }),
    echoed: form,
    formStart: form.indexOf('assertion=') + 'assertion='.length,
    formLength: form.length - form.indexOf('assertion=') - 'assertion='.length,
    cut: VENDOR_CUT,
    frags: fragments(ACCESS_CODE),
  });
  return list;
}

describe('secrets never leak: echoed credentials across every cut, every user-name length', function () {
  this.timeout(120_000);
  let sim: Simulator;
  const nodes = [sdwanConfig, sdwanFlows, fwConfig, fwFlows, fgConfig, fgStats, catchNode] as Parameters<typeof helper.load>[0];

  before(async () => {
    sim = await startSimulator({ credentials: { flowgatewayPassword: PASSWORD, sdwanPassword: PASSWORD, firewallaToken: TOKEN, flowgatewayAccessCode: ACCESS_CODE } });
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
    await sim.close();
  });
  afterEach(async () => {
    sim.clearFaults();
    await helper.unload();
  });

  /** Sends one message and resolves with what came out (a result or a caught error). */
  function poll(): Promise<Msg> {
    return new Promise<Msg>((resolve) => {
      const done = (m: Msg): void => resolve(m);
      helper.getNode('out').once('input', done);
      helper.getNode('caught').once('input', done);
      helper.getNode('ep').receive({ payload: 'poll' });
    });
  }

  /** Resolves once Node-RED has logged `n` errors of the endpoint node (no Catch node in the flow). */
  async function loggedErrors(n: number): Promise<void> {
    const count = (): number => helper.log().args.filter((a: unknown[]) => (a[0] as { id?: string; level?: number }).id === 'ep' && (a[0] as { level?: number }).level === 20).length;
    await until(() => count() >= n, 10_000);
  }

  for (const c of cases()) {
    it(`${c.name}: no fragment of the secret in msg.error, statuses or the log`, async () => {
      // The cut falls at each character of the secret's form, and just before and after it.
      const pads: string[] = [];
      for (let k = -1; k <= c.formLength + 1; k++) pads.push('x'.repeat(Math.max(0, c.cut - c.formStart - k)));

      // With a Catch node: what a flow sees in msg.error, and the statuses.
      await helper.load(nodes, c.flow(sim.url), c.creds);
      const statuses: string[] = [];
      const ep = helper.getNode('ep') as Node & { status: (s: unknown) => void };
      const orig = ep.status.bind(ep);
      ep.status = (s: unknown) => {
        statuses.push(JSON.stringify(s));
        orig(s as never);
      };
      const errors: string[] = [];
      for (const pad of pads) {
        sim.addFault(c.fault(pad));
        const m = await poll();
        (m.error === undefined).should.be.false('a poll gave no error');
        errors.push(JSON.stringify(m.error));
      }
      await helper.unload();

      // Without one: Node-RED logs each error itself.
      await helper.load(nodes, c.flow(sim.url).filter((n) => n.id !== 'c1'), c.creds);
      for (let i = 0; i < pads.length; i++) {
        sim.addFault(c.fault(pads[i]!));
        helper.getNode('ep').receive({ payload: 'poll' });
        await loggedErrors(i + 1);
      }
      const logged = loggedTexts();
      const everything = [...errors, ...statuses, ...logged].join('\n');
      leaksIn(everything, c.frags).should.eql([]);
      // The echo really reached the texts (the test would pass vacuously otherwise).
      errors.some((e) => e.includes('***')).should.be.true();
      logged.some((l) => l.includes('***')).should.be.true();
    });
  }

  it('a JSON parse error names a position, never quotes the body', async () => {
    await helper.load(nodes, cases()[0]!.flow(sim.url), { cfg: { username: 'root', password: PASSWORD } });
    sim.addFault({ kind: 'echo', path: IMPORT_STATS, status: 200, body: '{"t": {{authorization}}' });
    const m = await poll();
    const err = m.error as { code: string; message: string };
    err.code.should.equal('BAD_RESPONSE');
    err.message.should.match(/malformed JSON \((invalid at character \d+|not valid JSON, \d+ characters)/);
    err.message.should.not.containEql('"{');
    err.message.should.not.containEql('Basic');
    leaksIn(loggedTexts().join('\n'), fragments(PASSWORD, 'root')).should.eql([]);
  });
});
