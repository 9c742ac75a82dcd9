import 'should';
import { FLOWS_DEFAULTS, applyOverrides, effectiveQuery, parseNodeOptions, type PollState } from '../../../nodes/lib/vendors/firewalla/options';

describe('lib/vendors/firewalla node options', () => {
  it('reads editor strings with defaults, and names a bad field', () => {
    parseNodeOptions({ query: 'category:ad', limit: '50', maxPages: '', blocked: 'true', pagination: 'stream' })
      .should.match({ query: 'category:ad', limit: 50, maxPages: 10, blocked: true, pagination: 'stream', sinceLastPoll: false });
    (() => parseNodeOptions({ limit: '0' })).should.throw('limit: expected an integer from 1 to 500, got "0"');
    (() => parseNodeOptions({ pagination: 'everything' })).should.throw(/^pagination: expected page, all or stream/);
    (() => parseNodeOptions({ sortBy: 'total:up' })).should.throw(/^sortBy: expected a comma-separated list such as ts:desc,total:asc/);
    (() => parseNodeOptions({ query: 'ts:5-1' })).should.throw(/^query: column 5: the range 5-1 ends before it starts/);
  });

  it('msg.request overrides are validated and named request.<field>', () => {
    applyOverrides(FLOWS_DEFAULTS, { limit: '20', cursor: 'abc', other: 1 }).should.match({ limit: 20, cursor: 'abc' });
    applyOverrides(FLOWS_DEFAULTS, {}).should.equal(FLOWS_DEFAULTS);
    (() => applyOverrides(FLOWS_DEFAULTS, { maxPages: 1001 })).should.throw('request.maxPages: expected an integer from 1 to 1000, got 1001');
    (() => applyOverrides(FLOWS_DEFAULTS, { blocked: 'yes' })).should.throw(/^request.blocked: expected true or false/);
    (() => applyOverrides(FLOWS_DEFAULTS, { cursor: ' ' })).should.throw(/^request.cursor: /);
    (() => applyOverrides(FLOWS_DEFAULTS, { query: 'x' })).should.throw(/^request.query: column 1: /);
  });

  it('builds the query: blocked once, since-last-poll windows that meet, resume keeps the query', () => {
    const o = { ...FLOWS_DEFAULTS, query: 'category:ad', blocked: true, sinceLastPoll: true };
    const s: PollState = {};
    const first = effectiveQuery(o, s, 1_700_000_000_500);
    first.should.eql({ query: 'category:ad status:blocked ts:1699999700-1700000000', windowEnd: 1_700_000_000 });
    s.lastEnd = first.windowEnd;
    s.lastQuery = first.query;
    s.lastNextCursor = 'c1';
    effectiveQuery(o, s, 1_700_000_060_000).should.eql({ query: 'category:ad status:blocked ts:1700000000-1700000060', windowEnd: 1_700_000_060 });
    // A clock that stepped back restarts from the new now: a forward range, never a gap.
    effectiveQuery(o, s, 1_699_999_000_000).query.should.endWith('ts:1699999000-1699999001');
    effectiveQuery({ ...o, cursor: 'c1' }, s, 1_700_000_100_000).should.eql({ query: first.query });
    effectiveQuery({ ...o, query: 'status:blocked' }, {}, 1_700_000_000_000).query.should.equal('status:blocked ts:1699999700-1700000000');
    effectiveQuery({ ...o, query: 'ts:1-2' }, {}, 1_700_000_000_000).query.should.equal('ts:1-2 status:blocked');
  });
});
