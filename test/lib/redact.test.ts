import 'should';
import fc from 'fast-check';
import { MIN_REDACTED_PREFIX, redact, safeText } from '../../nodes/lib/errors';

/** How many characters of base64(`user:secret`) depend only on `user:`. */
function userChars(user: string): number {
  return Math.floor((Buffer.byteLength(user) + 1) * 8 / 6);
}

/** Every 8-character window of the secret's raw, URL-encoded and base64 forms, and of base64(`user:secret`) past the user. */
function fragments(secret: string, user: string): string[] {
  const from = userChars(user);
  const forms = [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64'), Buffer.from(`${user}:${secret}`).toString('base64').slice(from)];
  const out: string[] = [];
  for (const f of forms) for (let i = 0; i + MIN_REDACTED_PREFIX <= f.length; i++) out.push(f.slice(i, i + MIN_REDACTED_PREFIX));
  return out;
}

describe('lib: redact / safeText', () => {
  it('base64 of user:secret is redacted for user names of every length mod 3, given only the secret', () => {
    const secret = 'sdwan-demo-password';
    for (const user of ['ab', 'root', 'netops', 'admin1', 'x', 'operator']) {
      const header = `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
      const out = redact(`device says: ${header} was rejected`, [secret]);
      for (const f of fragments(secret, user)) out.should.not.containEql(f);
      out.should.containEql('***');
    }
  });

  it('with `user:secret` among the secrets the whole Basic credential goes', () => {
    for (const user of ['ab', 'root', 'netops']) {
      const b64 = Buffer.from(`${user}:pw-123456789`).toString('base64');
      redact(`Basic ${b64}`, ['pw-123456789', `${user}:pw-123456789`]).should.equal('Basic ***');
    }
  });

  it('a user name that is part of the secret keeps its own encoding; the secret\'s goes (fast-check seed 920624566)', () => {
    // user `onstr!` and secret `!!onstr!!`: both `onstr!` runs sit at a multiple of 3 bytes, so
    // the user's base64 (b25zdHIh) equals a window of the secret's. Only the secret's may go.
    const b64 = Buffer.from('onstr!:!!onstr!!').toString('base64');
    b64.should.equal('b25zdHIhOiEhb25zdHIhIQ==');
    const out = safeText(`${b64} tail`, ['!!onstr!!'], 120);
    out.should.startWith('b25zdHIhOi');
    out.should.not.containEql('Ehb25zdHIhI');
    out.slice('b25zdHIhOi'.length).should.not.containEql('b25zdHIh');
  });

  it('a prefix of 8+ characters left where someone else cut the text is redacted; a shorter one cannot identify it', () => {
    const token = 'fw-demo-token-0123456789abcdef';
    redact('auth failed for fw-demo-token-…', [token]).should.equal('auth failed for ***…');
    redact('"{"t": fw-demo-tok"...', [token]).should.equal('"{"t": ***"...');
    redact('fw-demo', [token]).should.equal('fw-demo');
  });

  it('redacts before cutting: a secret straddling the cut leaves no fragment (every cut position)', () => {
    const secret = 'sdwan-demo-pass';
    for (let pad = 260; pad <= 300; pad++) {
      const text = `${'x'.repeat(pad)}${secret} and more`;
      const out = safeText(text, [secret], 300);
      out.length.should.be.belowOrEqual(300);
      for (const f of fragments(secret, 'ab')) out.should.not.containEql(f);
    }
  });

  it('property: no 8-character window of any encoding of the secret survives safeText, whatever the cut', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 8, maxLength: 40 }).filter((s) => s.trim() === s && !/\s/.test(s)),
        fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !s.includes(':') && !/\s/.test(s)),
        fc.integer({ min: 0, max: 320 }),
        fc.constantFrom(120, 300),
        fc.constantFrom('raw', 'url', 'b64', 'basic'),
        (secret, user, pad, max, form) => {
          const encoded =
            form === 'raw' ? secret : form === 'url' ? encodeURIComponent(secret) : form === 'b64' ? Buffer.from(secret).toString('base64') : Buffer.from(`${user}:${secret}`).toString('base64');
          const out = safeText(`${'.'.repeat(pad)}${encoded} tail`, [secret], max);
          // What the text holds besides the secret: the padding, the characters of a Basic
          // credential that depend only on `user:` (they must survive), and the tail. A window
          // found there is not a leak even when it equals a window of the secret's encoding.
          const notSecret = `${'.'.repeat(pad)}${form === 'basic' ? encoded.slice(0, userChars(user)) : ''}`;
          return fragments(secret, user).every((f) => !out.includes(f) || notSecret.includes(f) || ' tail'.includes(f));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
