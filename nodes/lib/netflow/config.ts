/**
 * The collector node's settings as the editor stores them (strings from inputs, booleans from
 * checkboxes), checked with zod into numbers; the first problem becomes a BadInputError naming
 * the property. The editor runs the same rules before deploy.
 */
import { z } from 'zod';
import { parseIp } from '../ip';
import { parseInput } from '../validate';
import { parseAllowList } from './collector';

const wholeNumber = (min: number, max: number, fallback: number) =>
  z.preprocess(
    (v) => (v === undefined || v === null || v === '' ? fallback : typeof v === 'string' ? Number(v) : v),
    z.number({ message: `expected a whole number from ${min} to ${max}` }).int(`expected a whole number from ${min} to ${max}`).min(min, `expected a whole number from ${min} to ${max}`).max(max, `expected a whole number from ${min} to ${max}`),
  );

const flag = (fallback: boolean) => z.preprocess((v) => (v === undefined || v === '' ? fallback : v === 'true' ? true : v === 'false' ? false : v), z.boolean({ message: 'expected true or false' }));

export const collectorConfigSchema = z.object({
  address: z.preprocess(
    (v) => (v === undefined || v === null ? '' : typeof v === 'string' ? v.trim() : v),
    z.string({ message: 'expected an IPv4 or IPv6 address to listen on' }).refine((v) => v === '' || parseIp(v) !== undefined, 'expected an IPv4 or IPv6 address to listen on, such as 0.0.0.0, :: or 127.0.0.1'),
  ),
  port: wholeNumber(1, 65535, 2055),
  batchSize: wholeNumber(1, 10_000, 500),
  batchMs: wholeNumber(10, 60_000, 1000),
  allow: z.preprocess((v) => (v === undefined || v === null ? '' : v), z.string({ message: 'expected comma-separated addresses or CIDRs' })),
  samplingRate: wholeNumber(0, 1_000_000, 0),
  communityId: flag(true),
  templateTimeout: wholeNumber(10, 86_400, 1800),
  holdTime: wholeNumber(0, 300, 10),
});

export type CollectorConfig = z.output<typeof collectorConfigSchema>;

/** The node's settings, or a BadInputError naming the first wrong one. */
export function parseCollectorConfig(raw: Record<string, unknown>): CollectorConfig {
  const cfg = parseInput(collectorConfigSchema, raw);
  parseAllowList(cfg.allow); // throws BadInputError('allow', ...) naming the bad entry
  return cfg;
}

/** `udp6` for an IPv6 listen address (which also takes IPv4 on a dual-stack host), else `udp4`. */
export function socketTypeFor(address: string): 'udp4' | 'udp6' {
  return address.includes(':') ? 'udp6' : 'udp4';
}
