/**
 * Hostile input for what reads node properties and `msg.request`: the Firewalla query checker
 * and options, the SD-WAN filter, the FlowGateway request and its dates, host parsing and the
 * SD-WAN cookie jar. Every call stays within the CPU budget, fails (if at all) with a coded
 * BadInputError, and its message quotes at most a short cut of the input.
 */
import 'should';
import fc from 'fast-check';
import { MAX_HOST_TEXT, parseHost } from '../../../nodes/lib/http/host';
import { CookieJar, MAX_COOKIE_LINE, MAX_FILTER_TEXT, parseSdwanQuery } from '../../../nodes/lib/vendors/citrix-sdwan';
import { applyOverrides, checkQuery, FLOWS_DEFAULTS, MAX_QUERY_TEXT, parseNodeOptions, parseQuery } from '../../../nodes/lib/vendors/firewalla';
import { buildStatsRequest, toEpochMs } from '../../../nodes/lib/vendors/riverbed-flowgateway';
import { checkRequestSizes, REQUEST_FIELD_CAP, REQUEST_TEXT_CAP } from '../../../nodes/lib/validate';
import { run, withinBudget } from './budget';

const MB = 1 << 20;

function nested(depth: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { v };
  return v;
}

/** Strings shaped to make a parser work hard, up to 1 MB, and values of every odd type. */
const STRINGS: readonly string[] = [
  run('a', MB),
  run('1', MB),
  run('0', MB, ''),
  run(' ', MB),
  run('/', MB),
  run(':', MB),
  run(';', MB),
  run(',', MB),
  run('-', MB),
  run('"', MB),
  run('\\', MB),
  run('<', MB),
  run('a:b;', MB / 4),
  run('domain:a ', MB / 9),
  `domain:"${run('a', MB)}`,
  `domain:"${run('\\a', MB / 2, '"')}`,
  `total:>${run('1', MB)}`,
  `total:${run('1', MB, '.')}${run('1', MB)}`,
  `domain:${run('a,', MB / 2)}`,
  `ts:${run('9', MB, '-')}1`,
  `https://h/${run('/', MB)}`,
  `https://${run('a.', MB / 2)}`,
  `[${run('1:', MB / 2)}]`,
  `2024-01-08 ${run('0', MB)}`,
  `2024-01-08${run(' ', MB, 'Z')}`,
  `08/01/2024 ${run('1', MB)}`,
  `a=b; max-age=${run('1', MB)}`,
  `a=b; expires=${run('Mon, ', MB / 5)}`,
  'ts:1-2 domain:*a*a*a*a*a*a*a*a*a*a*a*a*b',
];
const VALUES: readonly unknown[] = [
  ...STRINGS,
  nested(5000),
  NaN,
  Infinity,
  -Infinity,
  1e308,
  -0,
  2 ** 64,
  Date.now() * 1e6,
  -1,
  new Date(NaN),
  new Date(8.64e15),
  [],
  {},
  true,
  null,
  12345678901234567890n,
];

const FG_PROPS = { template: 'A', statsType: 'flows_per_minute', intervalType: 'minutes', timeInterval: 5, sourceIp: '' };

/** Each entry reads one hostile value the way a node property or msg.request field is read. */
const READERS: ReadonlyArray<[string, (v: unknown) => unknown]> = [
  ['firewalla checkQuery', (v) => checkQuery(v as string)],
  ['firewalla parseQuery', (v) => parseQuery(v as string, 'request.query')],
  ...(['query', 'groupBy', 'sortBy', 'limit', 'blocked', 'pagination', 'maxPages', 'sinceLastPoll', 'cursor'] as const).flatMap(
    (k): Array<[string, (v: unknown) => unknown]> => [
      [`firewalla request.${k}`, (v) => applyOverrides(FLOWS_DEFAULTS, { [k]: v })],
      [`firewalla ${k}`, (v) => parseNodeOptions({ [k]: v })],
    ],
  ),
  ['sdwan filter', (v) => parseSdwanQuery({ filter: v }, 'request')],
  ['sdwan maxStats', (v) => parseSdwanQuery({ maxStats: v })],
  ...(['template', 'statsType', 'intervalType', 'timeInterval', 'sourceIp'] as const).map(
    (k): [string, (v: unknown) => unknown] => [`flowgateway request.${k}`, (v) => buildStatsRequest(FG_PROPS, { [k]: v })],
  ),
  ['flowgateway startTime', (v) => buildStatsRequest({ ...FG_PROPS, template: 'B' }, { startTime: v, endTime: '2024-01-08 22:11:00Z' })],
  ['flowgateway endTime', (v) => buildStatsRequest({ ...FG_PROPS, template: 'C', startTime: 1 }, { endTime: v })],
  ['flowgateway toEpochMs', (v) => toEpochMs(v)],
  ['host', (v) => parseHost(v)],
  ['cookies', (v) => new CookieJar().update(typeof v === 'string' ? [v, `a=1; ${v}`] : undefined, 0)],
];

function readHostile(name: string, read: (v: unknown) => unknown, v: unknown): void {
  const out = withinBudget(name, () => read(v));
  if (!out.ok) (out.error as Error).message.length.should.be.below(600, `${name}: the message quotes too much`);
}

describe('hostile input: node properties and msg.request', () => {
  it('every reader, every hostile value', () => {
    for (const [name, read] of READERS) for (const v of VALUES) readHostile(name, read, v);
  });

  it('random hostile text (property)', () => {
    const piece = fc.constantFrom('domain', ':', '"', '\\', ',', '-', '>', '=', '1', '.', 'MB', '*', ' ', ';', 'a', '/', '[', ']', '%', '\n');
    fc.assert(
      fc.property(fc.constantFrom(...READERS), fc.array(piece, { maxLength: 40 }), fc.integer({ min: 1, max: 3000 }), ([name, read], pieces, times) => {
        readHostile(name, read, pieces.join('').repeat(times));
      }),
      { numRuns: 150 },
    );
  });

  it('caps refuse long text before reading it, and say so', () => {
    const long = checkQuery(run('a', MAX_QUERY_TEXT));
    long.ok.should.be.false();
    (!long.ok && long.message).should.match(/expected at most 8192 characters, got 8193$/);
    checkQuery(`domain:${run('a', MAX_QUERY_TEXT - 8)}`).ok.should.be.true();
    (() => parseSdwanQuery({ filter: run('a:b;', MAX_FILTER_TEXT / 4, 'x') })).should.throw(/^filter: expected at most 8192 characters, got 8193, got "a:b;a:b;/);
    parseSdwanQuery({ filter: run('a:b;', MAX_FILTER_TEXT / 4, '') }).filter.length.should.equal(MAX_FILTER_TEXT / 4);
    (() => parseHost(run('a', MAX_HOST_TEXT))).should.throw(/^host: expected at most 2048 characters, got 2049$/);
    parseHost(`https://h/${run('/', MAX_HOST_TEXT - 11, '')}`).basePath.should.equal('');
    const jar = new CookieJar();
    jar.update([`a=${run('1', MAX_COOKIE_LINE - 2, '')}`, `b=${run('1', MAX_COOKIE_LINE - 1, '')}`], 0);
    jar.size.should.equal(1);
  });

  it('msg.request size caps: a 3.4 MB text is refused within the budget, naming the field', () => {
    const big = 'a:b '.repeat(850_000);
    for (const [request, field, cap] of [
      [{ query: big }, 'request.query', REQUEST_TEXT_CAP],
      [{ filter: big }, 'request.filter', REQUEST_TEXT_CAP],
      [{ sourceIp: big }, 'request.sourceIp', REQUEST_FIELD_CAP],
    ] as const) {
      const out = withinBudget(field, () => checkRequestSizes(request));
      out.ok.should.be.false();
      (!out.ok && (out.error as Error).message).should.equal(`${field}: expected at most ${cap} characters, got ${big.length}`);
    }
  });
});
