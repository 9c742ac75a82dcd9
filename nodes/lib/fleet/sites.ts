/**
 * A site list (docs/fleets.md#the-site-list): one appliance per line,
 *
 *     host[, name][, key=value ...]
 *
 * `host` as a config node takes it (`10.1.2.3`, `10.1.2.3:8443`, `https://sdwan-17.example`);
 * `name` the site's name in messages and health (default: the host as typed); options
 * `port=<1-65535>` (overrides the host's port), `tls=<id of a tls-config node>` (instead of the
 * list's own) and `timeout=<ms>`. `#` starts a comment; empty lines are skipped. Every mistake
 * names its line.
 */
import { z } from 'zod';
import { BadInputError } from '../errors';
import { parseHost } from '../http/host';
import { quoted } from '../validate';

export const MAX_SITES = 2000;
export const MAX_SITE_LINE = 1000;
export const MAX_SITE_NAME = 128;

export interface Site {
  /** Unique within the list. */
  name: string;
  /** What the HTTP core is given (`https://10.1.2.3:8443`, scheme and port applied). */
  host: string;
  /** id of a tls-config node overriding the list's one. */
  tls?: string;
  timeoutMs?: number;
  /** 1-based line in the list. */
  line: number;
}

const optionSchemas = {
  port: z.coerce.number({ error: 'expected a port from 1 to 65535' }).int({ error: 'expected a port from 1 to 65535' }).min(1, { error: 'expected a port from 1 to 65535' }).max(65535, { error: 'expected a port from 1 to 65535' }),
  tls: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, { error: 'expected the id of a tls-config node' }),
  timeout: z.coerce.number({ error: 'expected whole milliseconds from 100 to 600000' }).int({ error: 'expected whole milliseconds from 100 to 600000' }).min(100, { error: 'expected whole milliseconds from 100 to 600000' }).max(600_000, { error: 'expected whole milliseconds from 100 to 600000' }),
} as const;
type OptionKey = keyof typeof optionSchemas;

/** Parses the list; throws BadInputError('sites', 'line N: ...'). */
export function parseSites(text: unknown, field = 'sites'): Site[] {
  if (typeof text !== 'string') throw new BadInputError(field, 'expected lines of host[, name][, key=value]');
  if (text.length > MAX_SITES * MAX_SITE_LINE) throw new BadInputError(field, `expected at most ${MAX_SITES * MAX_SITE_LINE} characters, got ${text.length}`);
  const lines = text.split(/\r?\n/);
  const sites: Site[] = [];
  const names = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const raw = lines[i]!;
    if (raw.length > MAX_SITE_LINE) throw new BadInputError(field, `line ${n}: expected at most ${MAX_SITE_LINE} characters, got ${raw.length}`);
    const hash = raw.indexOf('#');
    const line = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (line === '') continue;
    const parts = line.split(',').map((p) => p.trim());
    const hostText = parts[0]!;
    let name: string | undefined;
    const options: Partial<Record<OptionKey, unknown>> = {};
    for (let j = 1; j < parts.length; j++) {
      const p = parts[j]!;
      const eq = p.indexOf('=');
      if (eq < 0) {
        if (j !== 1) throw new BadInputError(field, `line ${n}: ${quoted(p)} is not an option (expected key=value: port, tls or timeout)`);
        name = p;
        continue;
      }
      const key = p.slice(0, eq).trim();
      if (!(key in optionSchemas)) throw new BadInputError(field, `line ${n}: unknown option ${quoted(key)} (expected port, tls or timeout)`);
      const parsed = optionSchemas[key as OptionKey].safeParse(p.slice(eq + 1).trim());
      if (!parsed.success) throw new BadInputError(field, `line ${n}: ${key}: ${parsed.error.issues[0]!.message}, got ${quoted(p.slice(eq + 1).trim())}`);
      options[key as OptionKey] = parsed.data;
    }
    let parsedHost;
    try {
      parsedHost = parseHost(hostText, 'host');
    } catch (err) {
      throw new BadInputError(field, `line ${n}: ${err instanceof Error ? err.message : String(err)}`);
    }
    let host = hostText;
    if (options.port !== undefined) {
      const u = new URL(parsedHost.origin);
      u.port = String(options.port);
      host = `${u.origin}${parsedHost.basePath}`;
    }
    const siteName = name ?? hostText;
    if (siteName === '' || siteName.length > MAX_SITE_NAME) throw new BadInputError(field, `line ${n}: a site name has 1 to ${MAX_SITE_NAME} characters`);
    if (names.has(siteName)) throw new BadInputError(field, `line ${n}: the site name ${quoted(siteName)} is already used by an earlier line`);
    names.add(siteName);
    if (sites.length >= MAX_SITES) throw new BadInputError(field, `at most ${MAX_SITES} sites in one list`);
    const site: Site = { name: siteName, host, line: n };
    if (options.tls !== undefined) site.tls = options.tls as string;
    if (options.timeout !== undefined) site.timeoutMs = options.timeout as number;
    sites.push(site);
  }
  if (sites.length === 0) throw new BadInputError(field, 'expected at least one site (one line: host[, name])');
  return sites;
}
