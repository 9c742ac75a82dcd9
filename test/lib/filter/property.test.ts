import 'should';
import fc from 'fast-check';
import { compileFilter, FilterSyntaxError, referencePredicate, validateExpression } from '../../../nodes/lib/filter';
import { propertyTimeout, runs } from '../../support/property';

// ---- random expressions, built as text from the grammar ---------------------------------------

const v4Addr = fc.oneof(
  fc.constantFrom('10.0.0.0', '10.255.255.255', '192.168.1.1', '0.0.0.0', '255.255.255.255', '8.8.8.8', '172.16.0.1'),
  fc.tuple(fc.constantFrom(10, 192, 8, 172), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).map((b) => b.join('.')),
);
const v6Addr = fc.constantFrom('2001:db8::', '2001:db8::1', '2001:db8:ffff::', '::', '::1', 'fe80::1', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '::ffff:10.1.2.3');
const cidr = fc.oneof(
  v4Addr,
  fc.tuple(v4Addr, fc.integer({ min: 0, max: 32 })).map(([a, p]) => `${a}/${p}`),
  v6Addr,
  fc.tuple(v6Addr, fc.integer({ min: 0, max: 128 })).map(([a, p]) => (a.includes('.') ? `${a}/${96 + (p % 33)}` : `${a}/${p}`)),
);
const side = fc.constantFrom('', 'src ', 'dst ', 'SRC ');
const eqOp = fc.constantFrom('', '= ', '== ', '!= ');
const ordOp = fc.constantFrom('> ', '>= ', '< ', '<= ');
const anyOp = fc.oneof(eqOp, ordOp);

function values(item: fc.Arbitrary<string>, max = 4): fc.Arbitrary<string> {
  return fc.oneof(
    item,
    fc.array(item, { minLength: 1, maxLength: max }).map((xs) => xs.join(',')),
    fc.array(item, { minLength: 1, maxLength: max }).map((xs) => `in [${xs.join(', ')}]`),
    // Long lists go through the merged, bisected path.
    fc.array(item, { minLength: 7, maxLength: 40 }).map((xs) => `in [${xs.join(',')}]`),
  );
}

const port = fc.oneof(fc.constantFrom(0, 53, 80, 443, 1023, 1024, 8080, 65535), fc.integer({ min: 0, max: 65535 })).map(String);
const portItem = fc.oneof(port, fc.tuple(port, port).map(([a, b]) => (Number(a) <= Number(b) ? `${a}-${b}` : `${b}-${a}`)));
const textValue = fc.constantFrom('https', 'HTTPS', 'video', 'games', 'us', '*', 'vid*', '*tube', '*o*', 'y*u*e', '"a b"', "'x,y'", 'firewalla', 'citrix*', '"*"', 'unknown');
const unitNumber = fc.tuple(
  fc.constantFrom('0', '1', '1.5', '10', '100', '999', '2000', '.5', '-1'),
  fc.constantFrom('', 'k', 'K', 'KB', 'KiB', 'M', 'MiB', 'G', 'B', 'T', 'Ti'),
).map(([n, u]) => n + u);
const durationNumber = fc.tuple(fc.constantFrom('0', '1', '1.5', '30', '500', '2000'), fc.constantFrom('', 'ms', 's', 'm', 'min', 'h')).map(([n, u]) => n + u);
const pathName = fc.constantFrom('raw.vpathclass', 'extra.flowcount', 'src.port', 'extra.n', 'kind', 'observer', 'raw.x.y', 'extra.arr.0', 'protocol.name', 'extra.flag');
const pathValue = fc.oneof(unitNumber, fc.constantFrom('"2"', '"x*"', 'flow', '"true"', 'true', '"TCP"', '"10"', '*', '""'));

const term: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(side, fc.constantFrom('ip', 'host', 'net'), eqOp, values(cidr)).map(([s, k, o, v]) => `${s}${k} ${o}${v}`),
  fc.tuple(side, eqOp, values(portItem)).map(([s, o, v]) => `${s}port ${o}${v}`),
  fc.tuple(side, ordOp, port).map(([s, o, v]) => `${s}port ${o}${v}`),
  fc.tuple(eqOp, values(fc.constantFrom('tcp', 'udp', 'icmp', '6', '17', '47', 'TCP', 'icmpv6'))).map(([o, v]) => `proto ${o}${v}`),
  fc.tuple(fc.constantFrom('app', 'category', 'region', 'vendor'), eqOp, values(textValue)).map(([f, o, v]) => `${f} ${o}${v}`),
  fc.tuple(eqOp, values(fc.constantFrom('inbound', 'outbound', 'internal', 'external', 'unknown', '*bound', 'OUT*'))).map(([o, v]) => `direction ${o}${v}`),
  fc.constantFrom('blocked', 'blocked = true', 'blocked = false', 'blocked != true', 'blocked == FALSE', 'any'),
  fc.tuple(fc.constantFrom('bytes', 'packets', 'pps', 'flows'), anyOp, unitNumber).map(([m, o, v]) => `${m} ${o}${v}`),
  fc.tuple(anyOp, fc.oneof(unitNumber, fc.constantFrom('8Mbps', '1kbps'))).map(([o, v]) => `bps ${o}${v}`),
  fc.tuple(anyOp, durationNumber).map(([o, v]) => `duration ${o}${v}`),
  fc.tuple(pathName, fc.constantFrom('=', '==', '!=', '>', '>=', '<', '<='), pathValue).map(([p, o, v]) => `${p} ${o} ${v}`),
);

const expression: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    term,
    fc.tuple(fc.constantFrom('not ', '! ', 'NOT '), tie('e')).map(([n, e]) => n + e),
    fc.tuple(tie('e'), fc.constantFrom(' and ', ' && ', ' or ', ' || ', ' AND ', ' # note\n or '), tie('e')).map(([a, op, b]) => a + op + b),
    tie('e').map((e) => `(${e})`),
  ),
})).e;

// ---- random records ---------------------------------------------------------------------------

const recIp = fc.oneof(
  v4Addr,
  fc.constantFrom('2001:db8::1', '2001:DB8::0:1', '2001:db7:ffff:ffff:ffff:ffff:ffff:ffff', 'fe80::1%eth0', '[2001:db8::5]', '::ffff:10.9.8.7', '::ffff:8.8.8.8', '::', '::1'),
  fc.constantFrom('010.1.2.3', ' 10.1.2.3', '10.1.2', '1.2.3.4.5', '256.1.1.1', '', 'host', ':::', '1.2.3.4/8', '[10.1.2.3]'),
  fc.constant(undefined),
  fc.integer(),
);
const recPort = fc.oneof(port.map(Number), fc.constantFrom(undefined, '443', 'x', NaN, -1, 70000, 80.5));
const endpoint = fc.oneof(
  fc.record({ ip: recIp, port: recPort }, { requiredKeys: [] }),
  fc.constantFrom(null, undefined, 'x'),
);
const recNumber = fc.oneof(
  fc.constantFrom(0, 1, 1000, 1024, 1500, 2e6, 1e6, 1536, 50e6, 1e12, 1024 ** 4, 0.5, -1, 30_000, 90_000, 3_600_000),
  fc.double({ noNaN: false }),
  fc.constantFrom(undefined, '1000', ' 2e3 ', 'abc', '', true, null),
);
const recText = fc.oneof(fc.constantFrom('HTTPS', 'https', 'YouTube', 'video', 'games', 'US', 'a b', 'x,y', 'firewalla', 'citrix-sdwan', 'outbound', 'inbound', 'unknown', '*', ''), fc.string({ maxLength: 6 }), fc.constantFrom(undefined, 5, true, null));
const record = fc.record(
  {
    src: endpoint,
    dst: endpoint,
    protocol: fc.oneof(
      fc.constantFrom({ number: 6, name: 'tcp' }, { number: 17, name: 'udp' }, { number: 1, name: 'icmp' }, { number: 58, name: 'ipv6-icmp' }, { name: 'UDP' }, { number: '6' }, { number: NaN, name: 'gre' }),
      fc.constantFrom(6, 17, 'tcp', 'udp', 'nonsense', undefined, null),
    ),
    bytes: recNumber,
    packets: recNumber,
    pps: recNumber,
    flows: recNumber,
    durationMs: recNumber,
    rateKbps: recNumber,
    app: recText,
    category: recText,
    region: recText,
    vendor: recText,
    direction: recText,
    blocked: fc.constantFrom(true, false, undefined, 'true', 1),
    kind: fc.constantFrom('flow', 'metric'),
    raw: fc.record({ vpathclass: fc.constantFrom('2', '3', 2, undefined), x: fc.oneof(fc.constant(undefined), fc.record({ y: recText })) }, { requiredKeys: [] }),
    extra: fc.record({ flowcount: recNumber, n: recNumber, arr: fc.constantFrom([1, 2], ['x'], undefined), flag: fc.constantFrom(true, false, 'TRUE') }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

describe('lib/filter property tests', function () {
  this.timeout(propertyTimeout(20_000));

  it('every generated expression is valid', () => {
    fc.assert(
      fc.property(expression, (text) => {
        const v = validateExpression(text);
        if (!v.ok) throw new Error(`${JSON.stringify(text)}: ${v.message}`);
      }),
      { numRuns: runs(300) },
    );
  });

  it('the compiled predicate agrees with the reference evaluator on random records', () => {
    fc.assert(
      fc.property(expression, fc.array(record, { minLength: 1, maxLength: 25 }), (text, recs) => {
        const compiled = compileFilter(text);
        const reference = referencePredicate(text);
        for (const r of recs) {
          const a = compiled(r);
          const b = reference(r);
          if (a !== b) throw new Error(`compiled ${a}, reference ${b} for ${JSON.stringify(text)} on ${JSON.stringify(r)}`);
        }
      }),
      { numRuns: runs(500) },
    );
  });

  /** Garbage either parses or fails with a FilterSyntaxError carrying a column inside the text. */
  function onlySyntaxErrors(text: string): void {
    const v = validateExpression(text);
    let thrown: unknown;
    let pred: ((r: Record<string, unknown>) => boolean) | undefined;
    try {
      pred = compileFilter(text);
    } catch (err) {
      thrown = err;
    }
    if (v.ok) {
      if (thrown !== undefined) throw new Error(`validate said ok but compile threw ${String(thrown)}`);
      // A valid expression never throws on a record either.
      pred!({ src: { ip: '10.1.2.3', port: 80 }, app: 'x', bytes: 5 });
      pred!({});
      return;
    }
    if (!(thrown instanceof FilterSyntaxError)) throw new Error(`expected a FilterSyntaxError, got ${String(thrown)}`);
    if (!Number.isInteger(v.column) || v.column < 1) throw new Error(`bad column ${v.column}`);
    const lines = text.split('\n');
    if (v.line < 1 || v.line > lines.length) throw new Error(`bad line ${v.line}`);
    if (v.column > lines[v.line - 1]!.length + 1) throw new Error(`column ${v.column} past the end of line ${v.line}`);
    if (!/^(line \d+, )?column \d+: expected /.test(v.message)) throw new Error(`odd message ${v.message}`);
  }

  it('random characters only ever give a syntax error with a column', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60, unit: 'binary' }), onlySyntaxErrors), { numRuns: runs(1000) });
    fc.assert(fc.property(fc.string({ maxLength: 40, unit: fc.constantFrom(...'()[],=!<>#"\'&|*.:/- \nab0123456789') }), onlySyntaxErrors), {
      numRuns: runs(1000),
    });
  });

  it('random token soup and mutated expressions only ever give a syntax error with a column', () => {
    const tokens = fc.constantFrom(
      'src', 'dst', 'ip', 'host', 'net', 'port', 'proto', 'app', 'category', 'region', 'vendor', 'direction', 'blocked',
      'bytes', 'packets', 'pps', 'bps', 'duration', 'flows', 'any', 'and', 'or', 'not', 'in', '!', '&&', '||', '(', ')',
      '[', ']', ',', '=', '==', '!=', '>', '>=', '<', '<=', '10.0.0.0/8', '::1', '80', '1024-2000', 'tcp', '5M', '30s',
      'true', 'raw.x', '"s"', '#c\n', '*', 'outbound', '-', '1e3', 'x.y.z',
    );
    fc.assert(fc.property(fc.array(tokens, { maxLength: 12 }).map((t) => t.join(' ')), onlySyntaxErrors), { numRuns: runs(1000) });
    fc.assert(
      fc.property(expression, fc.nat(), fc.nat({ max: 3 }), (text, at, cut) => {
        const i = at % (text.length + 1);
        onlySyntaxErrors(text.slice(0, i) + text.slice(i + cut));
      }),
      { numRuns: runs(500) },
    );
  });
});
