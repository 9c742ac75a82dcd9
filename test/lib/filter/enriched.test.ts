import 'should';
import fc from 'fast-check';
import { compileFilter, referencePredicate } from '../../../nodes/lib/filter';

const rec = (src: Record<string, unknown>, dst: Record<string, unknown>) => ({ kind: 'flow', src, dst, direction: 'outbound' });
const kids = rec(
  { ip: '192.168.1.23', name: 'kids-ipad', site: 'home', tags: ['kids', 'tablet'] },
  { ip: '142.250.74.46', country: 'US', as: 15169, asOrg: 'Google LLC', hostname: 'fra16s48-in-f14.1e100.net' },
);
const china = rec({ ip: '10.0.0.5', name: 'nas' }, { ip: '1.2.3.4', country: 'CN', as: 4134, asOrg: 'Chinanet' });

describe('filter: terms for enriched fields', () => {
  const cases: Array<[string, boolean, boolean]> = [
    ['dst country CN', false, true],
    ['dst country us', true, false],
    ['country in [CN, RU]', false, true],
    ['src country US', false, false],
    ['src as 15169', false, false],
    ['dst as 15169', true, false],
    ['as AS15169', true, false],
    ['dst as 4000-5000', false, true],
    ['as != 15169', false, true],
    ['src name "kids-ipad"', true, false],
    ['name kids*', true, false],
    ['dst asorg "Google*"', true, false],
    ['asorg google*, chinanet', true, true],
    ['src site home', true, false],
    ['src tag kids', true, false],
    ['tag tab*', true, false],
    ['not tag kids', false, true],
    ['dst hostname *.1e100.net', true, false],
    ['src name != nas', true, false],
  ];
  for (const [expr, a, b] of cases) {
    it(`${expr} -> ${a}, ${b}`, () => {
      const f = compileFilter(expr);
      const r = referencePredicate(expr);
      f(kids).should.equal(a);
      f(china).should.equal(b);
      r(kids).should.equal(a);
      r(china).should.equal(b);
    });
  }

  it('refuses bad AS numbers and a side without a term, with the column', () => {
    (() => compileFilter('src as google')).should.throw('expression: column 8: expected an AS number or range (such as 15169 or 64512-65534) after "as", found "google"');
    (() => compileFilter('as 5000-4000')).should.throw(/column 4: expected an AS number or range/);
    (() => compileFilter('as 4294967296')).should.throw(/column 4: expected an AS number/);
    (() => compileFilter('dst country')).should.throw('expression: column 12: expected a value after "country", found end of expression');
  });

  it('compiled and reference evaluators agree on random records', () => {
    const text = fc.constantFrom('US', 'cn', 'kids', 'kids-ipad', 'Google LLC', 'x', '', 'home');
    const endpoint = fc.record(
      {
        country: fc.oneof(text, fc.constant(5)),
        as: fc.oneof(fc.constantFrom(15169, 4134, 0, 4294967295), fc.constant('15169'), fc.constant('AS1')),
        asOrg: text,
        name: text,
        site: text,
        tags: fc.oneof(fc.array(fc.oneof(text, fc.constant(7)), { maxLength: 3 }), text),
        hostname: text,
      },
      { requiredKeys: [] },
    );
    const term = fc.constantFrom(
      'src country US', 'dst country cn', 'country in [us, CN]', 'as 15169', 'dst as 0-5000', 'src as != 4294967295', 'as AS4134',
      'asorg google*', 'src name kids*', 'name = "kids-ipad"', 'site home', 'tag kids', 'dst tag *i*', 'not tag 7', 'hostname ""', 'src hostname != x',
    );
    const expr = fc.oneof(term, fc.tuple(term, fc.constantFrom(' and ', ' or ', ' and not '), term).map((p) => p.join('')));
    fc.assert(
      fc.property(expr, endpoint, endpoint, (e, src, dst) => {
        const r = { src, dst };
        return compileFilter(e)(r) === referencePredicate(e)(r);
      }),
      { numRuns: 2000 },
    );
  });
});
