import { systemClock } from '../../clock';

/**
 * A minimal cookie jar for one appliance session. The NITRO login's cookie names are not
 * documented, so every cookie `Set-Cookie` gives is kept and all are sent back. Deletions
 * (`Max-Age=0` or an `Expires` in the past) remove a cookie; other attributes (Path, Domain,
 * Secure) are not needed for a single origin and are ignored.
 */
/** Longer `Set-Cookie` lines are ignored. */
export const MAX_COOKIE_LINE = 8192;

export class CookieJar {
  private readonly cookies = new Map<string, string>();

  /** Applies the `set-cookie` header(s) of a response. */
  update(header: string | string[] | undefined, now = systemClock.now()): void {
    if (header === undefined) return;
    for (const line of Array.isArray(header) ? header : [header]) this.apply(line, now);
  }

  private apply(line: string, now: number): void {
    // Browsers keep cookies of at least 4096 bytes (RFC 6265 6.1); a longer line is junk, and
    // splitting a megabyte of `;` would hold the event loop.
    if (line.length > MAX_COOKIE_LINE) return;
    const [pair, ...attrs] = line.split(';');
    const eq = pair!.indexOf('=');
    if (eq <= 0) return;
    const name = pair!.slice(0, eq).trim();
    const value = pair!.slice(eq + 1).trim();
    if (!name) return;
    let expired = false;
    let maxAgeSeen = false;
    for (const a of attrs) {
      const i = a.indexOf('=');
      const key = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase();
      const v = i < 0 ? '' : a.slice(i + 1).trim();
      if (key === 'max-age' && /^-?\d+$/.test(v)) {
        maxAgeSeen = true; // Max-Age wins over Expires (RFC 6265 5.3)
        expired = Number(v) <= 0;
      } else if (key === 'expires' && !maxAgeSeen) {
        const t = Date.parse(v);
        if (!Number.isNaN(t)) expired = t <= now;
      }
    }
    if (expired) this.cookies.delete(name);
    else this.cookies.set(name, value);
  }

  /** The `Cookie` request header, or undefined when the jar is empty. */
  header(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  get size(): number {
    return this.cookies.size;
  }

  /** Cookie values: they are session secrets and must never reach an error text. */
  values(): string[] {
    return [...this.cookies.values()];
  }

  clear(): void {
    this.cookies.clear();
  }
}
