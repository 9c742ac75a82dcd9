/**
 * `network-flow-sites-config`: a list of Citrix SD-WAN appliances or FlowGateway devices that share one
 * account (docs/fleets.md#the-site-list). Owns one client per site (its own pool and session,
 * opened on first use) that every `network-flow-site-poller` on this list shares; logs every
 * session out and closes on redeploy.
 */
import type { NodeAPI, NodeDef } from 'node-red';
import { z } from 'zod';
import { BadInputError, FlowError } from './lib/errors';
import { CLOSE_BUDGET_MS, settleWithin } from './lib/http/deadline';
import { FLEET_VENDORS, openSiteClient, parseSites, runCycle, type SiteAccount, type SiteClient } from './lib/fleet';
import { apiVersionSchema } from './lib/vendors/citrix-sdwan';
import { AUTH_METHODS } from './lib/vendors/riverbed-flowgateway';
import { parseInput } from './lib/validate';
import { parseTimeout } from './node-support/config';
import { tlsOptionsFrom } from './node-support/tls';
import type { SiteListNode, SitesCredentials } from './node-support/fleet';
import { texts } from './node-support/texts';
import { registerValidation } from './node-support/validation';

/** Sessions logged out at once when the list closes. */
const CLOSE_CONCURRENCY = 10;

interface SitesDef extends NodeDef {
  vendor?: string;
  sites?: string;
  tls?: string;
  timeout?: string | number;
  apiVersion?: string;
  authMethod?: string;
}


const vendorSchema = z.enum(FLEET_VENDORS, { error: 'expected citrix-sdwan or riverbed-flowgateway' });
const authSchema = z.preprocess((v) => (v === undefined || v === '' ? 'basic' : v), z.enum(AUTH_METHODS, { error: 'expected basic, session or oauth' }));

/** The list's settings as deploy reads them (and the editor's check): throws naming the field. */
function listSettings(def: SitesDef, creds: SitesCredentials): { sites: ReturnType<typeof parseSites>; account: SiteAccount } {
  const vendor = parseInput(vendorSchema, def.vendor || 'citrix-sdwan', 'vendor');
  const sites = parseSites(def.sites ?? '');
  const account: SiteAccount = {
    vendor,
    username: creds.username,
    password: creds.password,
    accessCode: creds.accessCode,
    timeoutMs: parseTimeout(def.timeout),
    ...(vendor === 'citrix-sdwan' ? { apiVersion: parseInput(apiVersionSchema, def.apiVersion, 'apiVersion') } : { authMethod: parseInput(authSchema, def.authMethod, 'authMethod') }),
  };
  return { sites, account };
}

export = function (RED: NodeAPI): void {
  const t = texts(RED, 'network-flow-sites-config');
  function SiteList(this: SiteListNode, def: SitesDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const creds = this.credentials ?? {};
    const clients = new Map<string, SiteClient>();
    try {
      const { sites, account } = listSettings(def, creds);
      // The list's TLS node is checked at deploy; a site's own is checked when it is first polled.
      const listTls = tlsOptionsFrom(RED, def.tls || undefined);
      node.siteList = {
        sites,
        account,
        client(site) {
          let c = clients.get(site.name);
          if (!c) {
            const tls = site.tls ? tlsOptionsFrom(RED, site.tls) : listTls;
            c = openSiteClient(site, account, tls);
            clients.set(site.name, c);
          }
          return c;
        },
      };
    } catch (err) {
      node.configError = err instanceof FlowError ? err : new BadInputError('config', String(err));
      // Validation texts name the field and line, never a credential.
      node.error(t('errors.invalid', { message: node.configError.message }));
    }
    node.on('close', (_removed: boolean, done: () => void) => {
      node.siteList = undefined;
      const all = [...clients.values()];
      clients.clear();
      // Logged out a few at a time: 500 logouts at once would open 500 sockets (docs/fleets.md#connections).
      const closing = runCycle(all, (c) => c.client.close().catch(() => undefined), { concurrency: CLOSE_CONCURRENCY, jitterMs: 0 });
      void settleWithin(closing, CLOSE_BUDGET_MS).then(() => done());
    });
  }

  RED.nodes.registerType<SiteListNode, SitesDef, unknown, SitesCredentials>('network-flow-sites-config', SiteList, {
    credentials: { username: { type: 'text' }, password: { type: 'password' }, accessCode: { type: 'password' } },
  });
  // The editor checks the list line by line as it is typed, with the parser deploy uses.
  registerValidation(RED, 'network-flow-sites-config', (props) => {
    listSettings(props as unknown as SitesDef, {});
  }, { sites: '127.0.0.1' });
};
