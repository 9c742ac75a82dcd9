import 'should';
import { BadInputError, FlowError } from '../../../nodes/lib/errors';
import { buildStatsRequest, formatDmy, toEpochMs, type StatsProps } from '../../../nodes/lib/vendors/riverbed-flowgateway';

function fails(props: StatsProps, overrides?: Record<string, unknown>): BadInputError {
  try {
    buildStatsRequest(props, overrides);
  } catch (err) {
    (err as Error).should.be.instanceOf(BadInputError);
    (err as FlowError).code.should.equal('BAD_INPUT');
    return err as BadInputError;
  }
  throw new Error(`expected ${JSON.stringify(props)} / ${JSON.stringify(overrides)} to be refused`);
}

const A: StatsProps = { template: 'A', statsType: 'flows_per_minute', intervalType: 'minutes', timeInterval: '60', sourceIp: '' };
const B: StatsProps = { template: 'B', statsType: 'flows_per_minute', startTime: '23/08/2023 11:36:41', endTime: '23/08/2023 13:36:41', sourceIp: '' };
const C: StatsProps = { template: 'C', statsType: 'flows_per_minute', startTime: '1702580400', endTime: '1702584000', sourceIp: '' };

describe('lib/riverbed-flowgateway request builder', () => {
  describe('bodies (exactly the documented templates, as an array)', () => {
    it('template A: integer time_interval, editor strings converted', () => {
      const r = buildStatsRequest({ ...A, sourceIp: '10.1.2.3' });
      r.template.should.equal('A');
      r.body.should.eql([{ stats_type: 'flows_per_minute', interval_type: 'minutes', time_interval: 60, source_ip: '10.1.2.3' }]);
      JSON.stringify(r.body).should.equal('[{"stats_type":"flows_per_minute","interval_type":"minutes","time_interval":60,"source_ip":"10.1.2.3"}]');
    });

    it('template B: dd/mm/YYYY HH:MM:SS strings', () => {
      buildStatsRequest(B).body.should.eql([{ stats_type: 'flows_per_minute', start_time: '23/08/2023 11:36:41', end_time: '23/08/2023 13:36:41', source_ip: '' }]);
    });

    it('template B converts ISO text, Date values and epoch numbers to UTC dd/mm/YYYY', () => {
      const r = buildStatsRequest(B, { startTime: '2023-08-23T13:36:41+02:00', endTime: new Date(Date.UTC(2023, 7, 23, 13, 36, 41)) });
      r.body.should.eql([{ stats_type: 'flows_per_minute', start_time: '23/08/2023 11:36:41', end_time: '23/08/2023 13:36:41', source_ip: '' }]);
      const e = buildStatsRequest(B, { startTime: 1692790601, endTime: 1692797801000 });
      e.body[0]!.should.have.properties({ start_time: '23/08/2023 11:36:41', end_time: '23/08/2023 13:36:41' });
      // ISO without an offset is UTC (the appliance's clock is assumed UTC).
      buildStatsRequest(B, { startTime: '2023-08-23 11:36:41', endTime: '2023-08-23T13:36:41' }).body[0]!.should.have.properties({
        start_time: '23/08/2023 11:36:41', end_time: '23/08/2023 13:36:41',
      });
    });

    it('template C: epoch seconds integers; ms, ISO and Date converted', () => {
      buildStatsRequest(C).body.should.eql([{ stats_type: 'flows_per_minute', start_time: 1702580400, end_time: 1702584000, source_ip: '' }]);
      const r = buildStatsRequest(C, { startTime: 1702580400123, endTime: '2023-12-14T20:00:00Z' });
      r.body.should.eql([{ stats_type: 'flows_per_minute', start_time: 1702580400, end_time: 1702584000, source_ip: '' }]);
      buildStatsRequest(C, { startTime: new Date(1702580400000), endTime: '14/12/2023 20:00:00' }).body[0]!.should.have.properties({ start_time: 1702580400, end_time: 1702584000 });
      Number.isInteger((buildStatsRequest(C, { startTime: 1702580400.7, endTime: 1702584000.2 }).body[0] as { start_time: number }).start_time).should.be.true();
    });

    it('msg.request overrides every property, including the template', () => {
      const r = buildStatsRequest(A, { template: 'c', statsType: 'flows_per_hour', startTime: 1702580400, endTime: 1702584000, sourceIp: '2001:DB8::1' });
      r.template.should.equal('C');
      r.body.should.eql([{ stats_type: 'flows_per_hour', start_time: 1702580400, end_time: 1702584000, source_ip: '2001:db8::1' }]);
    });

    it('accepts second/minute/hour shorthands and singular interval names, sending the API strings', () => {
      buildStatsRequest({ ...A, statsType: 'second', intervalType: 'hour', timeInterval: 2 }).body[0]!.should.have.properties({
        stats_type: 'flows_per_second', interval_type: 'hours', time_interval: 2,
      });
      buildStatsRequest({ ...A, statsType: 'per_hour' }).body[0]!.should.have.property('stats_type', 'flows_per_hour');
    });

    it('sends IPv4-mapped IPv6 as IPv4 and trims spaces', () => {
      buildStatsRequest({ ...A, sourceIp: ' ::ffff:10.0.0.7 ' }).body[0]!.should.have.property('source_ip', '10.0.0.7');
    });

    it('defaults an empty template to A', () => {
      buildStatsRequest({ ...A, template: '' }).template.should.equal('A');
    });
  });

  describe('validation messages name the field', () => {
    const cases: Array<[string, StatsProps, Record<string, unknown> | undefined, string, RegExp]> = [
      ['bad template', { ...A, template: 'D' }, undefined, 'template', /expected "A".*"B".*"C"/],
      ['bad template in msg', A, { template: 'Z' }, 'request.template', /expected "A"/],
      ['bad statsType', { ...A, statsType: 'flows_per_day' }, undefined, 'statsType', /expected flows_per_second, flows_per_minute or flows_per_hour, got "flows_per_day"/],
      ['missing statsType', { ...A, statsType: undefined }, undefined, 'statsType', /expected flows_per_second/],
      ['bad statsType in msg', A, { statsType: 5 }, 'request.statsType', /got 5/],
      ['bad intervalType', { ...A, intervalType: 'fortnights' }, undefined, 'intervalType', /expected seconds, minutes, hours, days, weeks or months/],
      ['bad intervalType in msg', A, { intervalType: 'years' }, 'request.intervalType', /expected seconds/],
      ['fractional timeInterval', { ...A, timeInterval: '1.5' }, undefined, 'timeInterval', /whole number of intervals from 1 to 1000000, got "1.5"/],
      ['zero timeInterval', { ...A, timeInterval: 0 }, undefined, 'timeInterval', /from 1 to/],
      ['negative timeInterval in msg', A, { timeInterval: -5 }, 'request.timeInterval', /got -5/],
      ['text timeInterval in msg', A, { timeInterval: 'sixty' }, 'request.timeInterval', /got "sixty"/],
      ['huge timeInterval', { ...A, timeInterval: 1_000_001 }, undefined, 'timeInterval', /to 1000000/],
      ['empty timeInterval', { ...A, timeInterval: '' }, undefined, 'timeInterval', /whole number/],
      ['bad sourceIp', { ...A, sourceIp: '10.1.2' }, undefined, 'sourceIp', /expected an IPv4 or IPv6 address, or empty for all sources, got "10.1.2"/],
      ['hostname sourceIp in msg', A, { sourceIp: 'router.example' }, 'request.sourceIp', /IPv4 or IPv6/],
      ['number sourceIp in msg', A, { sourceIp: 10 }, 'request.sourceIp', /IPv4 or IPv6/],
      ['CIDR sourceIp', { ...A, sourceIp: '10.0.0.0/8' }, undefined, 'sourceIp', /IPv4 or IPv6/],
      ['missing startTime (B)', { ...B, startTime: '' }, undefined, 'startTime', /required: template B needs a start and an end time/],
      ['missing endTime (C)', { ...C, endTime: undefined }, undefined, 'endTime', /required: template C needs/],
      ['bad startTime text', { ...B, startTime: '2023/08/23 11:36' }, undefined, 'startTime', /expected "dd\/mm\/YYYY HH:MM:SS" \(UTC\), an ISO 8601 date, epoch seconds or milliseconds, or a Date/],
      ['impossible date', { ...B, startTime: '31/02/2023 10:00:00' }, undefined, 'startTime', /dd\/mm\/YYYY/],
      ['impossible hour', { ...B, endTime: '23/08/2023 25:00:00' }, undefined, 'endTime', /dd\/mm\/YYYY/],
      ['invalid Date in msg', B, { endTime: new Date('nope') }, 'request.endTime', /a Date/],
      ['negative epoch in msg', C, { startTime: -1 }, 'request.startTime', /epoch seconds/],
      ['object time in msg', C, { startTime: { s: 1 } }, 'request.startTime', /epoch seconds/],
      ['end before start (B)', { ...B, startTime: '23/08/2023 13:36:41', endTime: '23/08/2023 11:36:41' }, undefined, 'endTime', /must be after startTime \(start 23\/08\/2023 13:36:41 UTC, end 23\/08\/2023 11:36:41 UTC\)/],
      ['end equal to start (C)', { ...C, endTime: '1702580400' }, undefined, 'endTime', /must be after startTime/],
      ['end before start in msg', C, { endTime: 1702580000 }, 'request.endTime', /must be after startTime/],
      ['msg start after node end', C, { startTime: 1702590000 }, 'endTime', /must be after request.startTime/],
    ];
    for (const [name, props, overrides, field, re] of cases) {
      it(`${name} -> ${field}`, () => {
        const e = fails(props, overrides);
        e.field!.should.equal(field);
        e.message.should.startWith(`${field}: `);
        e.message.should.match(re);
      });
    }
  });

  describe('time helpers', () => {
    it('toEpochMs reads every accepted form and refuses the rest', () => {
      const ms = Date.UTC(2023, 7, 23, 11, 36, 41);
      for (const v of ['23/08/2023 11:36:41', '2023-08-23T11:36:41Z', '2023-08-23T12:36:41+01:00', '2023-08-23T09:36:41-0200', ms, ms / 1000, String(ms / 1000), new Date(ms)]) {
        (toEpochMs(v) ?? NaN).should.equal(ms, String(v));
      }
      for (const v of ['', 'yesterday', '2023-13-01', '29/02/2023 00:00:00', NaN, -5, Infinity, null, true, {}]) {
        (toEpochMs(v) === undefined).should.be.true(String(v));
      }
      (toEpochMs('29/02/2024 00:00:00') ?? NaN).should.equal(Date.UTC(2024, 1, 29));
    });

    it('formatDmy writes UTC with leading zeros', () => {
      formatDmy(Date.UTC(2024, 0, 8, 2, 3, 4)).should.equal('08/01/2024 02:03:04');
    });
  });
});
