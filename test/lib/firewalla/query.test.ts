import 'should';
import { ALIASES, QUALIFIERS, QuerySyntaxError, checkQuery, hasTsTerm, parseQuery, asksForBlocked, andTerms, tsRangeTerm } from '../../../nodes/lib/vendors/firewalla/query';
import { BadInputError } from '../../../nodes/lib/errors';

function mistake(query: string, field = 'query'): QuerySyntaxError {
  try {
    parseQuery(query, field);
  } catch (err) {
    (err as Error).should.be.instanceOf(QuerySyntaxError);
    (err as Error).should.be.instanceOf(BadInputError);
    return err as QuerySyntaxError;
  }
  throw new Error(`expected ${JSON.stringify(query)} to be rejected`);
}

const SAMPLE: Record<string, string> = {
  ts: '1700000000-1700003600',
  status: 'blocked',
  direction: 'outbound',
  'box.id': '00000000-1234-1234-aaaa-000000000000',
  'box.name': '"Gold Plus"',
  'box.group.id': '1',
  'device.id': 'AA:BB:CC:DD:EE:FF',
  'device.name': '"My Iphone"',
  'network.id': '99285a11-aaaa-bbbb-cccc-510596edaaaa',
  'network.name': '"Home Office"',
  category: 'video',
  domain: '*.google.com',
  region: 'US',
  sport: '55664',
  dport: '443',
  download: '>1MB',
  upload: '<=500KB',
  total: '1GB-2GB',
};

describe('lib/vendors/firewalla query language', () => {
  it('accepts every documented qualifier', () => {
    for (const q of Object.keys(QUALIFIERS)) {
      const terms = parseQuery(`${q}:${SAMPLE[q]}`);
      terms.should.have.length(1);
      terms[0]!.qualifier.should.equal(q);
      terms[0]!.negated.should.be.false();
    }
    Object.keys(SAMPLE).sort().should.eql(Object.keys(QUALIFIERS).sort());
  });

  it('resolves every alias, case-insensitively, to its qualifier', () => {
    ALIASES.should.eql({ box: 'box.name', mac: 'device.id', device: 'device.name', network: 'network.name', sourceport: 'sport', destinationport: 'dport' });
    for (const [alias, canonical] of Object.entries(ALIASES)) {
      for (const written of [alias, alias.toUpperCase(), alias[0]!.toUpperCase() + alias.slice(1)]) {
        const value = SAMPLE[canonical]!;
        const [t] = parseQuery(`${written}:${value}`);
        t!.qualifier.should.equal(canonical);
        t!.written.should.equal(written);
      }
    }
    parseQuery('DOMAIN:x Box.Name:y')[1]!.qualifier.should.equal('box.name');
  });

  it('ANDs terms, ORs comma values, negates with a leading -', () => {
    const terms = parseQuery('category:video,games -domain:netflix.com  direction:outbound');
    terms.map((t) => t.qualifier).should.eql(['category', 'domain', 'direction']);
    terms[0]!.values.map((v) => (v.kind === 'text' ? v.text : '')).should.eql(['video', 'games']);
    terms[1]!.negated.should.be.true();
    terms[1]!.column.should.equal(22);
    terms[1]!.text.should.equal('-domain:netflix.com');
  });

  it('keeps quoted values literal (spaces, commas, *, :) and marks bare * as a wildcard', () => {
    const [a, b, c] = parseQuery('box.name:"Gold, Plus: *" domain:*.youtube.com device:"say \\"hi\\""');
    a!.values[0]!.should.eql({ kind: 'text', text: 'Gold, Plus: *', quoted: true, wildcard: false, column: 10 });
    b!.values[0]!.should.match({ kind: 'text', text: '*.youtube.com', wildcard: true });
    c!.values[0]!.should.match({ kind: 'text', text: 'say "hi"' });
  });

  it('reads numbers with units (powers of 1000), comparisons and ranges', () => {
    const t = parseQuery('total:>50MB download:>=1.5kb upload:<2GB total:<=1TB total:10B-20KB dport:80,443 ts:1700000000-1700000060');
    t[0]!.values[0]!.should.eql({ kind: 'compare', op: '>', value: 50_000_000, column: 7 });
    t[1]!.values[0]!.should.match({ op: '>=', value: 1500 });
    t[2]!.values[0]!.should.match({ op: '<', value: 2e9 });
    t[3]!.values[0]!.should.match({ op: '<=', value: 1e12 });
    t[4]!.values[0]!.should.match({ kind: 'range', from: 10, to: 20_000 });
    t[5]!.values.should.match([{ kind: 'number', value: 80 }, { kind: 'number', value: 443 }]);
    t[6]!.values[0]!.should.match({ kind: 'range', from: 1700000000, to: 1700000060 });
    hasTsTerm(t).should.be.true();
    hasTsTerm(parseQuery('-ts:1-2 category:ad')).should.be.false();
  });

  it('accepts an empty query (the service then returns the last 24 hours)', () => {
    parseQuery('').should.eql([]);
    parseQuery('   ').should.eql([]);
  });

  const cases: Array<[string, number, RegExp]> = [
    ['category:video foo:bar', 16, /unknown qualifier "foo"/],
    ['category:', 10, /expected a value after ":"/],
    ['category:video,', 16, /expected a value after ","/],
    ['category:video, games', 16, /expected a value/],
    ['box.name:"Gold Plus', 10, /unterminated quote/],
    ['box.name:"Gold"Plus', 16, /after the closing quote/],
    ['box.name:Gold"Plus"', 14, /quote may only start a value/],
    ['total:>50XB', 10, /unknown unit "XB"/],
    ['total:5MB-1MB', 10, /ends before it starts/],
    ['total:abc', 7, /expects a byte count/],
    ['total:>', 8, /expects a byte count/],
    ['total:>5MB-6MB', 11, /unexpected "-6MB"/],
    ['ts:1700000000MB', 14, /without a unit/],
    ['ts:>=17x', 8, /without a unit/],
    ['dport:70000', 7, /port from 0 to 65535/],
    ['direction:Outbound', 11, /case-sensitive/],
    ['direction:sideways', 11, /must be one of inbound, outbound, local/],
    ['youtube', 1, /is not a term: expected qualifier:value/],
    ['category video', 1, /is not a term/],
    ['category=video', 9, /expected ":" after the qualifier "category"/],
    ['- category:ad', 1, /expected a term after "-"/],
    ['"quoted":x', 1, /expected a qualifier/],
    ['block:true', 1, /status:blocked/],
    ['ts:1-2 -BLOCK:true', 9, /status:blocked/],
  ];
  for (const [query, column, reason] of cases) {
    it(`reports the column of the mistake in ${JSON.stringify(query)}`, () => {
      const err = mistake(query, 'request.query');
      err.code.should.equal('BAD_INPUT');
      err.field!.should.equal('request.query');
      err.column.should.equal(column);
      err.reason.should.match(reason);
      err.message.should.startWith(`request.query: column ${column}: `);
    });
  }

  it('checkQuery never throws and gives the column and reason', () => {
    checkQuery('category:video').should.match({ ok: true });
    const r = checkQuery('category:video bad:1');
    r.should.match({ ok: false, column: 16, message: /^unknown qualifier "bad"/ });
  });

  it('builds the "since last poll" and blocked terms', () => {
    tsRangeTerm(1700000000.9, 1700000060.2).should.equal('ts:1700000000-1700000060');
    andTerms('  category:ad ', 'status:blocked', tsRangeTerm(1, 2)).should.equal('category:ad status:blocked ts:1-2');
    andTerms('', 'status:blocked').should.equal('status:blocked');
    asksForBlocked(parseQuery('category:ad status:blocked')).should.be.true();
    asksForBlocked(parseQuery('-status:blocked')).should.be.false();
    parseQuery(andTerms('domain:x', tsRangeTerm(5, 10))).length.should.equal(2);
  });
});
