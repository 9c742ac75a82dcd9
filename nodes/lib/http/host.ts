import { BadInputError } from '../errors';
import { quoted } from '../validate';

/** Longer `host` text is refused before it is read (a URL's host, port and path fit easily). */
export const MAX_HOST_TEXT = 2048;

export interface ParsedHost {
  /** `https://10.1.2.3:8443` */
  origin: string;
  protocol: 'http:' | 'https:';
  hostname: string;
  port: number;
  /** A path prefix the user typed (`https://proxy/sdwan-a`), without a trailing slash; usually ''. */
  basePath: string;
}

/**
 * Turns what a person types into a config node's `host` (`10.1.2.3`, `10.1.2.3:8443`,
 * `https://sdwan.example`, `https://msp.firewalla.net/`, `[fd00::1]:8443`) into an origin.
 * No scheme means https (docs/design.md#config-nodes). Throws BadInputError('host') with what was expected.
 */
export function parseHost(input: unknown, field = 'host'): ParsedHost {
  if (typeof input !== 'string' || input.trim() === '') {
    throw new BadInputError(field, 'expected an address such as 10.1.2.3, 10.1.2.3:8443 or https://appliance.example');
  }
  if (input.length > MAX_HOST_TEXT) {
    throw new BadInputError(field, `expected at most ${MAX_HOST_TEXT} characters, got ${input.length}`);
  }
  let text = input.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    // A bare IPv6 address without brackets: bracket it so URL can parse it.
    if ((text.match(/:/g) ?? []).length > 1 && !text.startsWith('[')) text = `[${text}]`;
    text = `https://${text}`;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new BadInputError(field, `${quoted(input)} is not a valid address (expected e.g. 10.1.2.3:8443 or https://appliance.example)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BadInputError(field, `scheme "${url.protocol}" is not supported (expected http:// or https://)`);
  }
  if (url.username || url.password) {
    // Credentials belong in the credentials store, not in an address that is exported with flows.
    throw new BadInputError(field, 'must not contain a user name or password; use the credential fields');
  }
  if (url.search || url.hash) {
    throw new BadInputError(field, 'must not contain a query string or fragment');
  }
  const protocol = url.protocol;
  const port = url.port ? Number(url.port) : protocol === 'https:' ? 443 : 80;
  return {
    origin: url.origin,
    protocol,
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    basePath: withoutTrailingSlashes(url.pathname),
  };
}

/**
 * `/api//` -> `/api`. A loop, not `/\/+$/`: that pattern retries from every slash of a long run
 * that something else follows (quadratic).
 */
function withoutTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 47) end--;
  return path.slice(0, end);
}
