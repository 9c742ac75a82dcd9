import 'should';
import fc from 'fast-check';
import { parseFilter } from '../../../nodes/lib/filter';
import { compileExpr } from '../../../nodes/lib/filter/compile';
import { tokenize } from '../../../nodes/lib/filter/lexer';
import { blockIndex, firstOctet, inRanges4Indexed, firstOctetMask, inRanges4, inRanges6, mergeRanges } from '../../../nodes/lib/filter/ranges';
import { glob } from '../../../nodes/lib/filter/glob';
import { bpsOf, getPath, parseDuration, parseRate, parseSize, toNumber, toText } from '../../../nodes/lib/filter/values';

describe('lib/filter parts', () => {
  describe('lexer', () => {
    it('splits words, operators, brackets, strings and comments with offsets', () => {
      const toks = tokenize('src net 2001:db8::/32 and(port>=1024-2000)||!app="a\\"b" # c\n,[x]&&y');
      toks.map((t) => `${t.type}:${t.value}@${t.start}`).should.eql([
        'word:src@0',
        'word:net@4',
        'word:2001:db8::/32@8',
        'word:and@22',
        '(:(@25',
        'word:port@26',
        'op:>=@30',
        'word:1024-2000@32',
        '):)@41',
        '||:||@42',
        '!:!@44',
        'word:app@45',
        'op:=@48',
        'string:a"b@49',
        ',:,@60',
        '[:[@61',
        'word:x@62',
        ']:]@63',
        '&&:&&@64',
        'word:y@66',
        'eof:@67',
      ]);
    });
    it('reads == != <= < > = and lone & | as bad tokens', () => {
      tokenize('a==b!=c<=d<e>f=g&h|i').filter((t) => t.type !== 'word').map((t) => t.text).should.eql(['==', '!=', '<=', '<', '>', '=', '&', '|', '']);
      tokenize('a & b')[1]!.type.should.equal('bad');
    });
  });

  describe('parser', () => {
    it('builds n-ary and/or with not binding tightest', () => {
      parseFilter('app a or not app b and app c or app d').should.eql({
        type: 'or',
        items: [
          { type: 'text', field: 'app', negate: false, patterns: ['a'] },
          {
            type: 'and',
            items: [
              { type: 'not', expr: { type: 'text', field: 'app', negate: false, patterns: ['b'] } },
              { type: 'text', field: 'app', negate: false, patterns: ['c'] },
            ],
          },
          { type: 'text', field: 'app', negate: false, patterns: ['d'] },
        ],
      });
    });
    it('turns values into numbers, ranges and patterns at parse time', () => {
      parseFilter('dst port in [80, 8000-8999]').should.eql({ type: 'port', side: 'dst', negate: false, ranges: [[80, 80], [8000, 8999]] });
      parseFilter('src port > 1023').should.eql({ type: 'portCmp', side: 'src', op: '>', value: 1023 });
      parseFilter('proto tcp,17,ICMPv6').should.eql({ type: 'proto', negate: false, numbers: [6, 17, 58] });
      parseFilter('bytes >= 1.5MiB').should.eql({ type: 'metric', metric: 'bytes', op: '>=', value: 1.5 * 1024 * 1024 });
      parseFilter('duration == 2m').should.eql({ type: 'metric', metric: 'duration', op: '=', value: 120_000 });
      parseFilter('raw.vpathclass = "2"').should.eql({ type: 'path', path: ['raw', 'vpathclass'], op: '=', value: '2' });
      parseFilter('extra.flowcount > 10k').should.eql({ type: 'path', path: ['extra', 'flowcount'], op: '>', value: 10_000 });
      parseFilter('Category != Video*').should.eql({ type: 'text', field: 'category', negate: true, patterns: ['video*'] });
      const ip = parseFilter('src net 10.1.2.3/8') as { ranges: Array<{ text: string }> };
      ip.ranges[0]!.text.should.equal('10.0.0.0/8');
    });
  });

  describe('compiler', () => {
    it('never pastes expression text into the generated source', () => {
      const { source } = compileExpr(parseFilter('app "x\\"); process.exit(1); (\\"" or raw.a = "`${1}`" or category "*/ */*"'));
      source.should.not.match(/process\.exit/);
      source.should.not.match(/`/);
      source.should.not.match(/\*\//);
    });
    it('tests cheap terms first without changing the result', () => {
      const src = compileExpr(parseFilter('src net 10.0.0.0/8 and app x* and bytes > 1M')).source;
      const body = src.slice(src.indexOf('return function'));
      // bytes (f0) before app (f1) before the address test (f2).
      body.should.match(/f0\(r\) && f1\(r\["app"\]\) && f2\(r\.src\)/);
      src.should.match(/function f0\(r\) \{\n {2}let v = r\["bytes"\]/);
    });
    it('bisects long lists and inlines short ones', () => {
      const long = compileExpr(parseFilter(`ip in [${Array.from({ length: 20 }, (_, i) => `10.${i * 2}.0.0/16`).join(',')}]`)).source;
      long.should.match(/IN4\(/);
      compileExpr(parseFilter('ip in [10.0.0.0/16, 10.1.0.0/16, 10.2.0.0/16]')).source.should.not.match(/IN4\(/);
      // Adjacent /16s merge into one range: one inline comparison.
      compileExpr(parseFilter('ip in [10.0.0.0/16, 10.1.0.0/16, 10.2.0.0/16]')).source.should.match(/v >= \(167772160\) && v <= \(167968767\)/);
    });
  });

  describe('ranges', () => {
    it('inRanges4Indexed agrees with bisection and with a linear scan', () => {
      const addr = fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0x0a000000, max: 0x0a00ffff }), fc.constantFrom(0, 65535, 65536, 2 ** 32 - 1));
      const range = fc.tuple(addr, fc.integer({ min: 0, max: 300_000 })).map(([a, len]) => [a, Math.min(2 ** 32 - 1, a + len)] as [number, number]);
      fc.assert(
        fc.property(fc.array(range, { maxLength: 400 }), fc.array(addr, { minLength: 1, maxLength: 50 }), (ranges, values) => {
          const set = mergeRanges(ranges);
          const s = Float64Array.from(set.starts);
          const e = Float64Array.from(set.ends);
          const index = blockIndex(e);
          // Probe each range's ends and their neighbours as well as random values.
          const probes = [...values, ...set.starts.flatMap((x) => [x - 1, x]), ...set.ends.flatMap((x) => [x, x + 1])].filter((v) => v >= 0 && v < 2 ** 32);
          for (const v of probes) {
            const linear = ranges.some(([lo, hi]) => v >= lo && v <= hi);
            if (inRanges4(s, e, v) !== linear || inRanges4Indexed(index, s, e, v) !== linear) throw new Error(`disagree at ${v}`);
          }
        }),
        { numRuns: 200 },
      );
    });
    it('firstOctet reads the first octet of IPv4-looking text only', () => {
      ['0.1.2.3', '9.x', '10.1', '255.0.0.0', '192.168.1.1'].map(firstOctet).should.eql([0, 9, 10, 255, 192]);
      for (const other of ['256.1.1.1', '01.2.3.4', '2001:db8::1', '::ffff:10.1.2.3', '1', '12', '123', '1234.5', 'a.b', '', ' 1.2.3.4', '10:1.2.3']) {
        firstOctet(other).should.equal(-1, other);
      }
    });
    it('firstOctetMask marks the first octets a range can start with', () => {
      const m = firstOctetMask([167772160, 3232235520], [184549375, 3232301055]);
      [...m.keys()].filter((o) => m[o] === 1).should.eql([10, 192]);
      const all = firstOctetMask([0], [4294967295]);
      all.includes(0).should.be.false();
      const span = firstOctetMask([0x0a800000], [0x0c000000]);
      [...span.keys()].filter((o) => span[o] === 1).should.eql([10, 11, 12]);
    });
    it('mergeRanges sorts and merges overlapping and adjacent ranges', () => {
      mergeRanges([[10, 20], [1, 2], [3, 5], [15, 30], [40, 40], [32, 39]]).should.eql({ starts: [1, 10, 32], ends: [5, 30, 40] });
      mergeRanges([[5n, 9n], [0n, 4n], [11n, 12n]]).should.eql({ starts: [0n, 11n], ends: [9n, 12n] });
      mergeRanges([]).should.eql({ starts: [], ends: [] });
    });
    it('inRanges4 / inRanges6 find members at both ends of every range', () => {
      const set = mergeRanges<number>([[10, 20], [30, 30], [100, 200]]);
      const s = Float64Array.from(set.starts);
      const e = Float64Array.from(set.ends);
      [9, 10, 20, 21, 29, 30, 31, 99, 100, 200, 201].map((v) => inRanges4(s, e, v)).should.eql([false, true, true, false, false, true, false, false, true, true, false]);
      inRanges4(new Float64Array(0), new Float64Array(0), 1).should.be.false();
      const six = mergeRanges<bigint>([[10n, 20n], [1n << 120n, (1n << 121n) - 1n]]);
      [9n, 10n, 20n, 21n, 1n << 120n, (1n << 121n) - 1n, 1n << 121n].map((v) => inRanges6(six, v)).should.eql([false, true, true, false, true, true, false]);
    });
  });

  describe('values', () => {
    it('toNumber takes numbers and decimal strings only', () => {
      toNumber(5).should.equal(5);
      toNumber(' 12.5 ').should.equal(12.5);
      toNumber('1e3').should.equal(1000);
      toNumber('-3').should.equal(-3);
      for (const bad of ['', 'x', '0x10', '1,000', true, null, undefined, {}]) Number.isNaN(toNumber(bad)).should.be.true(String(bad));
    });
    it('toText takes strings, numbers and booleans', () => {
      toText('a')!.should.equal('a');
      toText(5)!.should.equal('5');
      toText(false)!.should.equal('false');
      (toText(null) === undefined && toText({}) === undefined && toText([1]) === undefined).should.be.true();
    });
    it('getPath walks objects and arrays, never functions', () => {
      getPath({ a: { b: [1, { c: 'x' }] } }, ['a', 'b', '1', 'c'])!.should.equal('x');
      (getPath({ a: 1 }, ['a', 'b']) === undefined).should.be.true();
      (getPath({}, ['constructor', 'name']) === undefined).should.be.true();
    });
    it('units', () => {
      [parseSize('1k'), parseSize('1KiB'), parseSize('2MB'), parseSize('1GiB'), parseSize('1t'), parseSize('7B'), parseSize('.5K')].should.eql([1000, 1024, 2e6, 1024 ** 3, 1e12, 7, 500]);
      (parseSize('1x') === undefined && parseSize('k') === undefined && parseSize('1.2.3') === undefined && parseSize('1mbps') === undefined).should.be.true();
      [parseRate('10Mbps'), parseRate('10M'), parseRate('1kbps'), parseRate('5')].should.eql([10e6, 10e6, 1000, 5]);
      [parseDuration('5'), parseDuration('5ms'), parseDuration('5s'), parseDuration('5m'), parseDuration('5min'), parseDuration('1h'), parseDuration('1d')].should.eql([5, 5, 5000, 300_000, 300_000, 3_600_000, 86_400_000]);
      (parseDuration('5MB') === undefined).should.be.true();
    });
    it('bpsOf: bytes*8/s, then rateKbps, then unknown', () => {
      bpsOf({ bytes: 1000, durationMs: 1000 }).should.equal(8000);
      bpsOf({ bytes: 1000, durationMs: 0, rateKbps: 3 }).should.equal(3000);
      bpsOf({ rateKbps: '2' }).should.equal(2000);
      Number.isNaN(bpsOf({ bytes: 1000 })).should.be.true();
    });
    it('glob: * matches any run, the rest literally', () => {
      glob('a*b', 'ab').should.be.true();
      glob('a*b', 'axxb').should.be.true();
      glob('a*a', 'a').should.be.false();
      glob('*', '').should.be.true();
      glob('*x*y*', 'axbyc').should.be.true();
      glob('*x*y*', 'aybxc').should.be.false();
      glob('a.c', 'abc').should.be.false();
    });
  });
});
