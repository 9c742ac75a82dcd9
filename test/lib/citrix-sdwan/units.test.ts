import 'should';
import {
  CookieJar,
  buildFilter,
  describeSdwanError,
  parseSdwanQuery,
  unwrapEnvelope,
  validateRecords,
  apiVersionSchema,
} from '../../../nodes/lib/vendors/citrix-sdwan';
import { FlowError } from '../../../nodes/lib/errors';
import { parseInput } from '../../../nodes/lib/validate';

function thrown(fn: () => unknown): FlowError {
  try {
    fn();
  } catch (err) {
    (err as Error).should.be.instanceOf(FlowError);
    return err as FlowError;
  }
  throw new Error('expected an error');
}

describe('lib/vendors/citrix-sdwan: filter, maxStats, envelopes, records, cookies', () => {
  describe('filter and maxStats validation', () => {
    it('parses key:value pairs, trimming spaces and ignoring empty parts', () => {
      parseSdwanQuery({ filter: ' application:iperf ; src_ip:10.0.0.1;;', maxStats: '' }).should.eql({
        filter: [['application', 'iperf'], ['src_ip', '10.0.0.1']],
        maxStats: undefined,
      });
      parseSdwanQuery({}).should.eql({ filter: [], maxStats: undefined });
      parseSdwanQuery({ filter: 'service_name:Branch DC' }).filter.should.eql([['service_name', 'Branch DC']]);
    });

    it('accepts maxStats 50, 100, 1000 as numbers or strings, and "" for the default', () => {
      for (const v of [50, 100, 1000, '50', '100', '1000']) parseSdwanQuery({ maxStats: v }).maxStats!.should.equal(Number(v));
      (parseSdwanQuery({ maxStats: '' }).maxStats === undefined).should.be.true();
    });

    it('rejects other maxStats values naming the field', () => {
      for (const v of [0, 10, 500, '2000', 'lots', true, 50.5]) {
        const e = thrown(() => parseSdwanQuery({ maxStats: v }));
        e.code.should.equal('BAD_INPUT');
        e.field!.should.equal('maxStats');
        e.message.should.match(/^maxStats: expected "", 50, 100 or 1000/);
      }
      thrown(() => parseSdwanQuery({ maxStats: 7 }, 'request')).message.should.match(/^request\.maxStats: /);
    });

    it('rejects malformed filters naming the field and the part', () => {
      const cases: Array<[unknown, RegExp]> = [
        ['application', /"application" is not key:value/],
        ['Application:iperf', /key "Application" must be lowercase/],
        ['src ip:10.0.0.1', /key "src ip"/],
        ['application:', /key "application" has no value/],
        [':x', /key "" must be/],
        ['max_stats:75', /max_stats must be 50, 100 or 1000, got "75"/],
        [42, /expected a string of key:value pairs/],
      ];
      for (const [value, re] of cases) {
        const e = thrown(() => parseSdwanQuery({ filter: value }, 'request'));
        e.field!.should.equal('request.filter');
        e.message.should.match(re);
        e.message.should.startWith('request.filter: ');
      }
    });

    it('builds the filter value; maxStats replaces a max_stats in the filter text', () => {
      (buildFilter([]) === undefined).should.be.true();
      buildFilter([['application', 'iperf']], 50)!.should.equal('application:iperf;max_stats:50');
      buildFilter([['max_stats', '100'], ['page_no', '2']])!.should.equal('max_stats:100;page_no:2');
      buildFilter([['max_stats', '100'], ['page_no', '2']], 1000)!.should.equal('page_no:2;max_stats:1000');
    });

    it('apiVersion is v2 by default, v1 allowed, anything else named', () => {
      parseInput(apiVersionSchema, undefined).should.equal('v2');
      parseInput(apiVersionSchema, '').should.equal('v2');
      parseInput(apiVersionSchema, 'v1').should.equal('v1');
      thrown(() => parseInput(apiVersionSchema, 'v3', 'apiVersion')).message.should.match(/^apiVersion: expected "v2" or "v1"/);
    });
  });

  describe('envelopes', () => {
    const recs = [{ age: '1' }, { age: '2' }];
    it('unwraps a bare array, a keyed object and a doubly nested object', () => {
      unwrapEnvelope(recs, 'flows').should.eql({ items: recs, envelope: 'bare' });
      unwrapEnvelope({ flows: recs }, 'flows').should.eql({ items: recs, envelope: 'keyed' });
      unwrapEnvelope({ ilbflows: { ilbflows: recs, metadata: [{ count: '2' }] } }, 'ilbflows').should.eql({ items: recs, envelope: 'nested' });
      // Tolerance: an object with a single array member under another name.
      unwrapEnvelope({ flow: recs }, 'flows').should.eql({ items: recs, envelope: 'keyed' });
    });
    it('reports anything else as BAD_RESPONSE saying what was expected', () => {
      for (const body of [null, 'x', { flows: 'x' }, { a: [], b: [] }, { ilbflows: { metadata: [] } }]) {
        const e = thrown(() => unwrapEnvelope(body, 'flows'));
        e.code.should.equal('BAD_RESPONSE');
        e.message.should.match(/expected an array of flows records/);
      }
    });
  });

  describe('record validation', () => {
    it('keeps good records as sent (unknown fields, numbers), reports bad ones with index and reason', () => {
      const good = { age: '12', src_ip: '10.0.0.1', future_field: { x: 1 } };
      const numeric = { age: 12, bytes: 3000 };
      const items = [good, 'garbage', numeric, { src_ip: { v4: '1.2.3.4' } }, null, [1], { bytes: true }, { dest_ip: null }];
      const { records, invalid } = validateRecords(items, 'flows');
      records.length.should.equal(2);
      records[0]!.should.equal(good); // the same object, unchanged
      records[1]!.should.equal(numeric);
      invalid.should.eql([
        { index: 1, reason: 'expected an object, got string' },
        { index: 3, reason: 'field "src_ip": expected a string, got object' },
        { index: 4, reason: 'expected an object, got null' },
        { index: 5, reason: 'expected an object, got an array' },
        { index: 6, reason: 'field "bytes": expected a string, got boolean' },
        { index: 7, reason: 'field "dest_ip": expected a string, got null' },
      ]);
    });
    it('validates ilbflows fields, not flows fields, for ilbflows', () => {
      const { records, invalid } = validateRecords([{ flowcount: '3', bytes: true }, { wanlink: 5, lanip: ['x'] }], 'ilbflows');
      records.length.should.equal(1);
      invalid.should.eql([{ index: 1, reason: 'field "lanip": expected a string, got an array' }]);
    });
  });

  describe('describeSdwanError', () => {
    it('reads errorcode and errormessage, and leaves other bodies to the core', () => {
      describeSdwanError({ errorcode: 444, errormessage: 'Session expired' })!.should.eql({ vendorCode: 444, vendorMessage: 'Session expired' });
      describeSdwanError({ errormessage: 'x' })!.should.eql({ vendorCode: undefined, vendorMessage: 'x' });
      (describeSdwanError({ error: 'x' }) === undefined).should.be.true();
      (describeSdwanError([1]) === undefined).should.be.true();
    });
  });

  describe('cookie jar', () => {
    it('keeps every cookie, sends all back, honours Max-Age and Expires deletions', () => {
      const jar = new CookieJar();
      (jar.header() === undefined).should.be.true();
      jar.update(['sess_x=abc; Path=/; HttpOnly', 'tok=d=e=f; Path=/', 'old=; Max-Age=0', 'bad-line-without-equals']);
      jar.header()!.should.equal('sess_x=abc; tok=d=e=f');
      jar.update('tok=; Expires=Thu, 01 Jan 1970 00:00:00 GMT');
      jar.header()!.should.equal('sess_x=abc');
      jar.update('sess_x=new; Max-Age=3600; Expires=Thu, 01 Jan 1970 00:00:00 GMT'); // Max-Age wins
      jar.header()!.should.equal('sess_x=new');
      jar.update('sess_x=; Max-Age=-1');
      jar.size.should.equal(0);
      // Expires is compared with the clock the client passes in.
      jar.update(['a=1; expires=Tue, 10 Mar 2026 12:00:01 GMT', 'b=2; expires=Tue, 10 Mar 2026 12:00:00 GMT'], Date.UTC(2026, 2, 10, 12));
      jar.values().should.eql(['1']);
    });
  });
});
