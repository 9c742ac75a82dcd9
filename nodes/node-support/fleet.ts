/**
 * Shared by the fleet nodes (`network-flow-site-poller`, `firewalla-fleet`): the message of one
 * site's records, the health message of the second output, the status summary, and the node
 * properties every fleet node has (docs/fleets.md#site-health).
 */
import type { Node, NodeAPI, NodeMessage } from 'node-red';
import { z } from 'zod';
import type { FlowError } from '../lib/errors';
import type { HealthEvent, HealthSummary, Site, SiteAccount, SiteClient } from '../lib/fleet';
import { parseInput } from '../lib/validate';
import type { Texts } from './texts';

/** A property left empty takes its default; anything else, 0 included, is checked as typed. */
export function orDefault(v: unknown, fallback: string | number): unknown {
  return v === undefined || v === '' ? fallback : v;
}

export interface SitesCredentials {
  username?: string;
  password?: string;
  accessCode?: string;
}

/** What `network-flow-site-poller` reads from a `network-flow-sites-config` node. */
export interface SiteListNode extends Node<SitesCredentials> {
  siteList?: { sites: Site[]; account: SiteAccount; client(site: Site): SiteClient };
  configError?: FlowError;
}


const whole = (min: number, max: number) => {
  const msg = `expected a whole number from ${min} to ${max}`;
  return z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? Number(v.trim()) : v), z.number({ error: msg }).int({ error: msg }).min(min, { error: msg }).max(max, { error: msg }));
};

export const fleetPropsSchema = z.object({
  concurrency: whole(1, 1000),
  jitter: whole(0, 3600),
  failuresToDown: whole(1, 1000),
  emptyToDown: whole(0, 1000),
});
export type FleetProps = z.output<typeof fleetPropsSchema>;

/** The fleet properties of a node (empty ones take the defaults given). */
export function parseFleetProps(def: Record<string, unknown>, defaults: FleetProps): FleetProps {
  const input: Record<string, unknown> = {};
  for (const k of Object.keys(defaults) as Array<keyof FleetProps>) {
    const v = def[k];
    input[k] = v === undefined || v === null || v === '' ? defaults[k] : v;
  }
  return parseInput(fleetPropsSchema, input);
}

/** One site's records: a copy of the trigger message with payload, networkFlows and site. */
export function siteMessage(RED: NodeAPI, trigger: NodeMessage, site: string, records: unknown[], meta: Record<string, unknown>): NodeMessage & Record<string, unknown> {
  const { payload: _p, _msgid: _id, ...rest } = trigger as NodeMessage & Record<string, unknown>;
  const out = RED.util.cloneMessage(rest) as NodeMessage & Record<string, unknown>;
  out._msgid = RED.util.generateId();
  out.payload = records;
  out.site = site;
  out.networkFlows = { ...meta, site };
  return out;
}

/** The second output: `topic` `site-down` or `site-up`, `payload` the event and the site's health. */
export function healthMessage(RED: NodeAPI, ev: HealthEvent, extra: Record<string, unknown> = {}): NodeMessage {
  const msg: NodeMessage & { site: string } = {
    _msgid: RED.util.generateId(),
    topic: `site-${ev.event}`,
    site: ev.site,
    payload: { event: ev.event, site: ev.site, reason: ev.reason, at: ev.at, health: ev.health, ...extra },
  };
  return msg;
}

/** `198/200 sites ok · 2 down`. */
export function summaryText(s: HealthSummary, t: Texts): string {
  const base = t('status.summary', { ok: s.ok, total: s.total });
  return s.down ? `${base} · ${t('status.down', { down: s.down })}` : base;
}
